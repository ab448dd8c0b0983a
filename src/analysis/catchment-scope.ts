// The catchment of ONE service from outcomes that may hold several (`report` / `diff` of a saved
// file, `catchment --from atlas: --atlas-msm` of a measurement made elsewhere). A catchment merging
// two services, or the "PoPs" of each probe's home router, is a wrong answer stated with
// confidence; so, by the same rules as `sites --input` (./one-target.ts, one place for both):
// - a result that measured an address private to each probe's network (RIPE Atlas DNS with
//   use_probe_resolver: 192.168.1.1, 10.0.0.1, fd00::1 ...) is left out, counted by address;
// - results of several targets: the catchment is of the one asked (by name or address), else of
//   the first met; the others are counted per target and said;
// - a vantage point that failed stays (listed as failed), as in `sites`, unless the file says which
//   target its measurement was of (a RIPE Atlas error result's dst_name, a saved outcome line's or
//   document's target) and that is another target: then it is left out and said, never listed as a
//   failure of the service read. A failure never makes its target the file's first.
// Rows of a saved catchment document go by their document's target as results do (several
// documents in one file are several targets); a row whose document named none stays, as a failure.
// The catchment's target and method are what its results say, before what a document header said.
import {CatchmentBuilder, type CatchmentMethod, type CatchmentResult, type CatchmentVantagePoint, familyOf} from './catchment.js'
import {OwnNetworkCount, ownNetworkTarget, TargetPicker} from './one-target.js'
import type {ProbeMethod, VantageOutcome} from '../model/probe.js'
import {sanitize} from '../util/sanitize.js'

export class OneTargetCatchment {
  /** failed vantage points and saved rows: no target of their own */
  private readonly common = new CatchmentBuilder()
  private readonly of = {asked: new CatchmentBuilder(), first: new CatchmentBuilder()}
  private readonly picker: TargetPicker
  private readonly own = new OwnNetworkCount()
  private readonly asked: string | null

  /**
   * `asked`: the target to keep (a name or an address), null for the first one met.
   * `askedIsChoice`: the one asked only chooses among the file's targets (report --target), so a
   * file of one other target is said too; false where it is also the target's label (catchment's
   * TARGET, which a measurement read with --atlas-msm may name by its name or by its address).
   */
  constructor(asked: string | null = null, opts: {askedIsChoice?: boolean} = {}) {
    this.asked = asked === null || asked.trim() === '' ? null : asked
    this.picker = new TargetPicker(this.asked)
    this.askedIsChoice = opts.askedIsChoice ?? false
  }

  private readonly askedIsChoice: boolean

  /** results kept per family, of the target asked and of the first */
  private readonly families = {asked: {4: 0, 6: 0}, first: {4: 0, 6: 0}}

  /** failures whose measurement's target the file said, by that target (joined to the one read at the end) */
  private readonly failedOf = new Map<string, {target: string; addr: string | null; b: CatchmentBuilder}>()

  /**
   * `failedTarget`: for a failure, the target (and address) its measurement was of, when known;
   * `how`: the way it was measured, when finer than its method (CatchmentBuilder.add)
   */
  add(o: VantageOutcome, failedTarget: {target: string; addr: string | null} | null = null, how: string | null = null, failedMethod: ProbeMethod | null = null): void {
    const own = ownNetworkTarget(o, failedTarget?.addr ?? null)
    if (own !== null) {
      this.own.add(own)
      return
    }
    const r = o.result
    if (r === null) {
      if (failedTarget === null || failedTarget.target === '') {
        this.common.add(o, how, failedMethod)
        return
      }
      // of the target asked: read as its result would be (a target whose every probe failed is still the one asked)
      if (this.picker.isAsked(failedTarget.target, failedTarget.addr)) {
        this.of[this.picker.pick(failedTarget.target, failedTarget.addr)!].add(o, how, failedMethod)
        return
      }
      const key = `${failedTarget.target}\u0000${failedTarget.addr ?? ''}`
      let f = this.failedOf.get(key)
      if (f === undefined) this.failedOf.set(key, (f = {...failedTarget, b: new CatchmentBuilder()}))
      f.b.add(o, how, failedMethod)
      return
    }
    const to = this.picker.pick(r.target, r.targetAddr)
    const fam = familyOf(r)
    if (to !== null && fam !== null) this.families[to][fam]++
    if (to !== null) this.of[to].add(o, how)
  }

  /** A saved catchment row: of its document's target (meta.target) like a result, else kept as it is. */
  addRow(row: CatchmentVantagePoint, meta: {at?: string | null; method?: ProbeMethod | null; target?: string | null} = {}): void {
    if (meta.target === null || meta.target === undefined || meta.target === '') {
      this.common.addRow(row, meta)
      return
    }
    const to = this.picker.pick(meta.target, null)
    if (to !== null) this.of[to].addRow(row, meta)
  }

  /** vantage points kept so far (0: nothing of one target was read) */
  get size(): number {
    return this.merged().size
  }

  /**
   * The failures of the target read, and those of others. With no result at all (every vantage
   * point failed), the failures of the target asked, else of the first target they name.
   */
  private failures(): {kept: CatchmentBuilder[]; left: Array<[string, number]>} {
    const groups = [...this.failedOf.values()]
    const noResult = this.picker.chosenName() === null
    let read: (g: {target: string; addr: string | null}) => boolean = (g) => this.picker.reads(g.target, g.addr)
    if (noResult) {
      const picker = new TargetPicker(this.asked)
      for (const g of groups) picker.pick(g.target, g.addr)
      read = (g) => picker.reads(g.target, g.addr)
    }
    const kept: CatchmentBuilder[] = []
    const left = new Map<string, number>()
    for (const g of groups) {
      if (read(g)) kept.push(g.b)
      else left.set(g.target, (left.get(g.target) ?? 0) + g.b.size)
    }
    return {kept, left: [...left].sort((a, b) => b[1] - a[1])}
  }

  /** the target failures kept were of, when no result named one */
  private failedTargetName(): string | null {
    if (this.picker.chosenName() !== null) return null
    for (const g of this.failedOf.values()) if (this.failures().kept.includes(g.b)) return g.target
    return null
  }

  /** vantage points of the target kept that produced a result (0 with results read: every one was left out) */
  get ofTarget(): number {
    return this.of[this.picker.chosen].size
  }

  /** results left out because they measured each probe's own network */
  get ownNetwork(): number {
    return this.own.total
  }

  /** The target the catchment is of, as its results name it (null: no result named one). */
  chosenTarget(): string | null {
    return this.picker.chosenName()
  }

  /** something was left out (results of other targets, or of each probe's own network) */
  private leftSomething(): boolean {
    return this.own.total > 0 || this.picker.hasOthers() || this.failures().left.length > 0
  }

  /** the target asked named no result, and the catchment is of another the results measured */
  private unmatched(): boolean {
    return this.asked !== null && this.picker.chosen === 'first' && this.picker.chosenName() !== null && (this.leftSomething() || this.askedIsChoice)
  }

  /** every row kept, of the target read (the builder the catchment is made of) */
  private merged(): CatchmentBuilder {
    const b = new CatchmentBuilder()
    b.absorb(this.common)
    b.absorb(this.of[this.picker.chosen])
    for (const f of this.failures().kept) b.absorb(f)
    return b
  }

  /** What was left out and why, one line each (for stderr, and `input.notes` / diff warnings); empty when nothing was. */
  notes(label: string, how = 'report --target NAME|ADDRESS gives the catchment of another'): string[] {
    const said: string[] = []
    const other = this.picker.warning(label, {what: 'the catchment', how})
    if (other !== null) said.push(other)
    const own = this.own.note(label, "each answered from a different host behind its probe (a home router or the ISP's resolver), not from one service, so they name no PoP of it")
    if (own !== null) said.push(own)
    const failed = this.failures().left
    if (failed.length > 0) {
      const n = failed.reduce((t, [, c]) => t + c, 0)
      const read = this.picker.chosenName() ?? this.failedTargetName()
      const list = failed.slice(0, 5).map(([t, c]) => `${sanitize(t, 100)} (${c})`).join(', ')
      said.push(`${sanitize(label, 200)}: ${n} failed measurement${n === 1 ? '' : 's'} of other targets than ${read === null ? 'the one read' : sanitize(read, 100)} ${n === 1 ? 'was' : 'were'} left out (${list}${failed.length > 5 ? ', ...' : ''}): not failures of the service read`)
    }
    const fam = this.families[this.picker.chosen]
    if (fam[4] > 0 && fam[6] > 0) {
      const t = sanitize(this.picker.chosenName() ?? '', 100)
      said.push(
        `${sanitize(label, 200)}: ${t} was measured over IPv4 (${fam[4]} result${fam[4] === 1 ? '' : 's'}) and over IPv6 (${fam[6]}): the two families are routed apart, each its own catchment, and a vantage point measured over both counts with one of them; report --target ADDRESS gives the catchment of one address`,
      )
    }
    const several = this.merged().severalWays()
    if (several.vantagePoints > 0) {
      const n = several.vantagePoints
      const left = several.leftOut.map(([m, c]) => `${c} result${c === 1 ? '' : 's'} of ${sanitize(m, 120)}`).join(', ')
      said.push(
        `${sanitize(label, 200)}: ${n} vantage point${n === 1 ? ' was' : 's were'} measured more than one way (several methods, or RIPE Atlas measurements); each counts with its result that named a PoP (a ping or an ordinary DNS answer names none, so it never replaces a verdict), else one the target answered, with that result's RTT; left out: ${left}`,
      )
    }
    if (this.unmatched()) {
      const only = !this.leftSomething()
      said.push(
        `${sanitize(label, 200)}: no result measured ${sanitize(this.asked!, 100)}; the catchment is of ${sanitize(this.picker.chosenName()!, 100)}, ${only ? 'the one target in it (--target chooses among the targets of a file that holds several, by the name or address its results give)' : 'the target its results measured'}`,
      )
    }
    return said
  }

  /**
   * The catchment of the target kept. Its `target` is meta.target (else the first the rows name),
   * unless results were left out: then the target the rows measured, as they name it, never a
   * label they did not measure (a file's first document may be of the target left out). Its method
   * is the results' own (one, or 'mixed'); meta.method only when no result says one.
   */
  result(meta: {target?: string | null; method?: CatchmentMethod | null} = {}): CatchmentResult {
    const b = this.merged()
    const read = this.picker.chosenName() ?? this.failedTargetName()
    const relabel = read !== null && this.leftSomething()
    return b.result({target: relabel ? read : (meta.target ?? read), method: b.methodCounts().size > 0 ? null : meta.method})
  }
}

/** The catchment of one target from a set of outcomes, with what was left out (see the header). */
export function catchmentOfOneTarget(outcomes: Iterable<VantageOutcome>, meta: {target?: string | null; method?: CatchmentMethod | null; label: string}): {result: CatchmentResult; notes: string[]} {
  const c = new OneTargetCatchment(meta.target ?? null)
  for (const o of outcomes) c.add(o)
  return {result: c.result(meta), notes: c.notes(meta.label, 'give the one to read as the target')}
}
