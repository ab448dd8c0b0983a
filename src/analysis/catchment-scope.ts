// The catchment of ONE service from outcomes that may hold several (`report` / `diff` of a saved
// file, `catchment --from atlas: --atlas-msm` of a measurement made elsewhere). A catchment merging
// two services, or the "PoPs" of each probe's home router, is a wrong answer stated with
// confidence; so, by the same rules as `sites --input` (./one-target.ts, one place for both):
// - a result that measured an address private to each probe's network (RIPE Atlas DNS with
//   use_probe_resolver: 192.168.1.1, 10.0.0.1, fd00::1 ...) is left out, counted by address;
// - results of several targets: the catchment is of the one asked (by name or address), else of
//   the first met; the others are counted per target and said;
// - a vantage point that failed names no target: it stays (listed as failed), as in `sites`.
// Rows of a saved catchment document go by their document's target as results do (several
// documents in one file are several targets); a row whose document named none stays, as a failure.
// The catchment's target and method are what its results say, before what a document header said.
import {CatchmentBuilder, type CatchmentMethod, type CatchmentResult, type CatchmentVantagePoint} from './catchment.js'
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

  add(o: VantageOutcome): void {
    const own = ownNetworkTarget(o)
    if (own !== null) {
      this.own.add(own)
      return
    }
    const r = o.result
    if (r === null) {
      this.common.add(o)
      return
    }
    const to = this.picker.pick(r.target, r.targetAddr)
    if (to !== null) this.of[to].add(o)
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
    return this.common.size + this.of[this.picker.chosen].size
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
    return this.own.total > 0 || this.picker.hasOthers()
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
    return b
  }

  /** What was left out and why, one line each (for stderr, and `input.notes` / diff warnings); empty when nothing was. */
  notes(label: string, how = 'report --target NAME|ADDRESS gives the catchment of another'): string[] {
    const said: string[] = []
    const other = this.picker.warning(label, {what: 'the catchment', how})
    if (other !== null) said.push(other)
    const own = this.own.note(label, "each answered from a different host behind its probe (a home router or the ISP's resolver), not from one service, so they name no PoP of it")
    if (own !== null) said.push(own)
    const several = this.merged().severalMethods()
    if (several.vantagePoints > 0) {
      const n = several.vantagePoints
      const left = several.leftOut.map(([m, c]) => `${c} ${m}`).join(', ')
      said.push(
        `${sanitize(label, 200)}: ${n} vantage point${n === 1 ? ' was' : 's were'} measured by several methods; each counts with its result that named a PoP (a ping names none, so it never replaces a verdict), else one the target answered, with that result's RTT; left out: ${left} result${several.leftOut.reduce((t, [, c]) => t + c, 0) === 1 ? '' : 's'}`,
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
    const relabel = this.picker.chosenName() !== null && this.leftSomething()
    return b.result({target: relabel ? this.picker.chosenName() : meta.target, method: b.methodCounts().size > 0 ? null : meta.method})
  }
}

/** The catchment of one target from a set of outcomes, with what was left out (see the header). */
export function catchmentOfOneTarget(outcomes: Iterable<VantageOutcome>, meta: {target?: string | null; method?: CatchmentMethod | null; label: string}): {result: CatchmentResult; notes: string[]} {
  const c = new OneTargetCatchment(meta.target ?? null)
  for (const o of outcomes) c.add(o)
  return {result: c.result(meta), notes: c.notes(meta.label, 'give the one to read as the target')}
}
