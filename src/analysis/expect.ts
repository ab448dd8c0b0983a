// Expected catchments: reading an --expect file, judging one answer of one vantage point against
// its rules, the hold-down (`--for N`: a change fires only after N consecutive judged answers, as
// Prometheus `for:`), and --learn (the current catchment written as rules). Pure: no I/O.
//
// Judging: the rules whose `match` fits the vantage point all apply. An answer breaks a rule when
// its PoP is not in `pops`, is in `notPops`, or its RTT is over `maxRttMs`. A PoP rule is not judged
// on an answer that named no PoP, an RTT rule not on one without an RTT, and nothing on a probe
// without an answer (no verdict without an answer: outages are the outage events' business).
// A PoP named only as a hint (under the confidence `diff` pages by: isConfidentPop,
// model/pop-confidence.ts) is 'uncertain': said, never a breach. A rule whose `match` fits no
// vantage point checked nothing: said, by name (a typo in a vantage id must not read as "kept").
// Codes compare case-insensitively.
import {
  type BrokenRule,
  type CatchmentExpect,
  EXPECT_SCHEMA_VERSION,
  type ExpectBreach,
  type ExpectEvent,
  type ExpectSummary,
  type ExpectViolation,
  type ExpectFile,
  type ExpectMatch,
  type ExpectRule,
  type ExpectedEvent,
  type UncertainPop,
  type UnexpectedEvent,
  type UnmatchedRule,
} from '../model/expect.js'
import type {CatchmentVantagePoint} from '../model/catchment.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {CONFIDENT_POP, isHintedPop} from '../model/pop-confidence.js'
import type {VantagePoint} from '../model/vantage.js'
import {WATCH_SCHEMA_VERSION} from '../model/watch.js'
import {naturalCompare} from '../util/collate.js'
import {sanitize} from '../util/sanitize.js'

/** What rules can match a vantage point on. */
export interface VantageFacts {
  id: string
  vantage: VantagePoint | null
  /** probe tags (Atlas slugs), lower case */
  tags: readonly string[]
}

/** One answer to judge. */
export interface ExpectSample {
  vantageId: string
  round: number
  /** ms since the epoch */
  at: number
  answered: boolean
  pop: string | null
  /** the confidence `pop` was named with; absent or null: not known (judged as a verdict) */
  popConfidence?: number | null
  rttMs: number | null
}

const list = <T>(v: T | T[] | undefined): T[] | null => (v === undefined ? null : Array.isArray(v) ? v : [v])

function bad(source: string, why: string): AnyprobeError {
  return new AnyprobeError('E_BAD_INPUT', `${source}: ${why}`, {
    hint: 'an expect file is {"schemaVersion": 1, "kind": "expect", "rules": [{"match": {"country": "DE"}, "pops": ["FRA"], "notPops": [], "maxRttMs": 50}]} (schemas/expect.schema.json); `watch --learn FILE` writes one',
    exitCode: EXIT.usage,
  })
}

const MATCH_KEYS = new Set(['vantage', 'probe', 'country', 'asn', 'tag'])
const RULE_KEYS = new Set(['name', 'match', 'pops', 'notPops', 'maxRttMs'])

/** Parse and check an expect file's text. Throws E_BAD_INPUT (exit 2) saying what is wrong and where. */
export function parseExpectFile(text: string, source = 'expect file'): ExpectFile {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (e) {
    throw bad(source, `not JSON (${sanitize((e as Error).message, 120)})`)
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(source, 'not a JSON object')
  const f = v as Record<string, unknown>
  if (f.kind !== 'expect') throw bad(source, `"kind" is ${sanitize(JSON.stringify(f.kind) ?? 'missing', 40)}, not "expect"`)
  if (f.schemaVersion !== EXPECT_SCHEMA_VERSION) throw bad(source, `schemaVersion ${sanitize(String(f.schemaVersion), 20)} is not ${EXPECT_SCHEMA_VERSION}`)
  if (!Array.isArray(f.rules)) throw bad(source, '"rules" is not a list')
  const strs = (x: unknown): boolean => typeof x === 'string' || (Array.isArray(x) && x.every((y) => typeof y === 'string'))
  const ints = (x: unknown): boolean => Number.isSafeInteger(x) || (Array.isArray(x) && x.every((y) => Number.isSafeInteger(y)))
  f.rules.forEach((r: unknown, i: number) => {
    const at = `rule ${i}`
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw bad(source, `${at} is not an object`)
    const rule = r as Record<string, unknown>
    for (const k of Object.keys(rule)) if (!RULE_KEYS.has(k)) throw bad(source, `${at}: unknown field "${sanitize(k, 40)}"`)
    if (rule.name !== undefined && typeof rule.name !== 'string') throw bad(source, `${at}: name is not a string`)
    for (const k of ['pops', 'notPops'] as const) {
      if (rule[k] !== undefined && !(Array.isArray(rule[k]) && (rule[k] as unknown[]).every((p) => typeof p === 'string' && p !== ''))) throw bad(source, `${at}: ${k} is not a list of PoP codes`)
    }
    if (rule.maxRttMs !== undefined && !(typeof rule.maxRttMs === 'number' && rule.maxRttMs > 0)) throw bad(source, `${at}: maxRttMs is not a positive number`)
    if (rule.pops === undefined && rule.notPops === undefined && rule.maxRttMs === undefined) throw bad(source, `${at} says nothing: give pops, notPops or maxRttMs`)
    if (rule.match !== undefined) {
      if (rule.match === null || typeof rule.match !== 'object' || Array.isArray(rule.match)) throw bad(source, `${at}: match is not an object`)
      const m = rule.match as Record<string, unknown>
      for (const k of Object.keys(m)) if (!MATCH_KEYS.has(k)) throw bad(source, `${at}: match has unknown field "${sanitize(k, 40)}" (vantage, probe, country, asn, tag)`)
      for (const k of ['vantage', 'country', 'tag']) if (m[k] !== undefined && !strs(m[k])) throw bad(source, `${at}: match.${k} is not a string or list of strings`)
      for (const k of ['probe', 'asn']) if (m[k] !== undefined && !ints(m[k])) throw bad(source, `${at}: match.${k} is not a number or list of numbers`)
    }
  })
  return f as unknown as ExpectFile
}

function glob(pattern: string, s: string): boolean {
  if (!pattern.includes('*')) return pattern === s
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
  return re.test(s)
}

/** The probe id of an Atlas / Globalping vantage id ("atlas:1001" -> 1001); null for others. */
function probeIdOf(id: string): number | null {
  const m = /^(?:atlas|globalping):(\d+)$/.exec(id)
  return m ? Number(m[1]) : null
}

export function ruleMatches(m: ExpectMatch | undefined, f: VantageFacts): boolean {
  if (m === undefined) return true
  const vantage = list(m.vantage)
  if (vantage !== null) {
    const bare = f.id.includes(':') ? f.id.slice(f.id.indexOf(':') + 1) : f.id
    if (!vantage.some((p) => glob(p, f.id) || glob(p, bare) || (f.vantage?.name != null && glob(p, f.vantage.name)))) return false
  }
  const probe = list(m.probe)
  if (probe !== null) {
    const id = probeIdOf(f.id)
    if (id === null || !probe.includes(id)) return false
  }
  const country = list(m.country)
  if (country !== null) {
    const c = f.vantage?.country ?? null
    if (c === null || !country.some((x) => x.toUpperCase() === c.toUpperCase())) return false
  }
  const asn = list(m.asn)
  if (asn !== null) {
    const a = f.vantage?.asn ?? null
    if (a === null || !asn.includes(a)) return false
  }
  const tag = list(m.tag)
  if (tag !== null && !tag.some((t) => f.tags.includes(t.toLowerCase()))) return false
  return true
}

/** The rules of the file that apply to a vantage point, with their indexes. */
export function rulesFor(file: ExpectFile, f: VantageFacts): Array<{index: number; rule: ExpectRule}> {
  const out: Array<{index: number; rule: ExpectRule}> = []
  file.rules.forEach((rule, index) => {
    if (ruleMatches(rule.match, f)) out.push({index, rule})
  })
  return out
}

/**
 * The rules one answer breaks; null when nothing could be judged (no answer, or the rules need a
 * PoP / an RTT the answer lacks, or no rule applies).
 */
export function judgeSample(rules: ReadonlyArray<{index: number; rule: ExpectRule}>, s: Pick<ExpectSample, 'answered' | 'pop' | 'rttMs' | 'popConfidence'>): BrokenRule[] | null {
  return judgeAnswer(rules, s).broken
}

/** A PoP named with a known confidence under the one threshold (isConfidentPop): a hint, not a verdict. */
const isHint = (s: Pick<ExpectSample, 'pop' | 'popConfidence'>): boolean => isHintedPop(s.pop, s.popConfidence)

/**
 * judgeSample, also saying whether the answer's PoP was only a hint that a pops / notPops rule
 * would have judged (`uncertain`): those rules are left unjudged, as `diff` lists such a change
 * without paging; an RTT rule still judges the answer.
 */
export function judgeAnswer(rules: ReadonlyArray<{index: number; rule: ExpectRule}>, s: Pick<ExpectSample, 'answered' | 'pop' | 'rttMs' | 'popConfidence'>): {broken: BrokenRule[] | null; uncertain: boolean} {
  if (!s.answered || rules.length === 0) return {broken: null, uncertain: false}
  const hint = isHint(s)
  const uncertain = hint && rules.some(({rule}) => rule.pops !== undefined || rule.notPops !== undefined)
  let judged = false
  const broken: BrokenRule[] = []
  const pop = hint ? null : (s.pop?.toUpperCase() ?? null)
  for (const {index, rule} of rules) {
    const name = rule.name ?? `rule ${index}`
    if (pop !== null && rule.pops !== undefined) {
      judged = true
      // a load-balanced set ("AMS+FRA") is within the rule when each of its PoPs is
      const allowed = rule.pops.map((p) => p.toUpperCase())
      if (!pop.split('+').every((p) => allowed.includes(p))) broken.push({rule: index, name, why: 'pop-not-allowed', detail: `landed on ${pop}; allowed: ${allowed.join(', ') || 'none'}`})
    }
    if (pop !== null && rule.notPops !== undefined) {
      judged = true
      const forbidden = rule.notPops.map((p) => p.toUpperCase())
      const hit = pop.split('+').filter((p) => forbidden.includes(p))
      if (hit.length > 0) broken.push({rule: index, name, why: 'pop-forbidden', detail: `landed on ${hit.join('+')}, which it must not`})
    }
    if (s.rttMs !== null && rule.maxRttMs !== undefined) {
      judged = true
      if (s.rttMs > rule.maxRttMs) broken.push({rule: index, name, why: 'rtt-over-bound', detail: `RTT ${Math.round(s.rttMs * 10) / 10} ms > ${rule.maxRttMs} ms`})
    }
  }
  return {broken: judged ? broken : null, uncertain}
}

interface VpExpect {
  reported: 'ok' | 'broken' | null
  candidate: 'ok' | 'broken' | null
  count: number
  since: number
  lastBroken: BrokenRule[]
  rules: Array<{index: number; rule: ExpectRule}> | null
  /** the facts the rules were chosen by */
  factsKey: string
  /** the rules broken since the candidate 'broken' began (the hold-down) */
  pending: BrokenRule[]
  /** the breach open while reported 'broken' */
  open: OpenBreach | null
  /** ms of the last judged answer; null: none judged yet */
  lastAt: number | null
  /** an `unexpected` was reported at some time */
  everBroken: boolean
}

interface OpenBreach {
  vantageId: string
  since: number
  reportedAt: number
  until: number | null
  broken: BrokenRule[]
}

/** Breaches listed in a summary; more are counted (a watch of thousands of flapping probes stays bounded). */
export const MAX_LISTED_BREACHES = 1000

/** Adds the rules of `more` not yet in `into` (same rule, same way broken), keeping the first detail. */
function mergeBroken(into: BrokenRule[], more: readonly BrokenRule[]): void {
  for (const b of more) if (!into.some((x) => x.rule === b.rule && x.why === b.why)) into.push(b)
}

/**
 * The hold-down over a stream of answers: one `unexpected` when a vantage point has broken its rules
 * for `holdRounds` consecutive judged answers, one `expected` when it has kept them as long after
 * that. A vantage point that keeps its rules from the start fires nothing.
 */
export class ExpectTracker {
  private readonly vps = new Map<string, VpExpect>()
  /** every breach, in the order they were reported (the first MAX_LISTED_BREACHES) */
  private readonly breaches: OpenBreach[] = []
  private breachCount = 0
  /** indexes of the rules that matched some vantage point */
  private readonly matched = new Set<number>()
  /** vantage points whose PoP was named only as a hint while a PoP rule applied */
  private readonly uncertainVps = new Set<string>()

  constructor(
    readonly file: ExpectFile,
    readonly holdRounds = 1,
  ) {
    if (!(Number.isSafeInteger(holdRounds) && holdRounds >= 1)) throw new AnyprobeError('E_USAGE', `--for ${holdRounds}: a whole number of rounds >= 1`, {exitCode: EXIT.usage})
  }

  observe(facts: VantageFacts, s: ExpectSample): ExpectEvent[] {
    let st = this.vps.get(s.vantageId)
    if (st === undefined) {
      st = {reported: null, candidate: null, count: 0, since: s.at, lastBroken: [], rules: null, factsKey: '', pending: [], open: null, lastAt: null, everBroken: false}
      this.vps.set(s.vantageId, st)
    }
    // rules are chosen again when the facts change (a probe's country and ASN can come after its first result)
    const key = `${facts.vantage?.country ?? ''}|${facts.vantage?.asn ?? ''}|${facts.vantage?.name ?? ''}|${facts.tags.join(',')}`
    if (st.rules === null || key !== st.factsKey) {
      st.rules = rulesFor(this.file, facts)
      st.factsKey = key
      for (const r of st.rules) this.matched.add(r.index)
    }
    const {broken, uncertain} = judgeAnswer(st.rules, s)
    if (uncertain) this.uncertainVps.add(s.vantageId)
    if (broken === null) return []
    st.lastAt = Math.max(st.lastAt ?? s.at, s.at)
    const now: 'ok' | 'broken' = broken.length > 0 ? 'broken' : 'ok'
    if (now === 'broken') st.lastBroken = broken
    if (now === (st.reported ?? 'ok') && st.reported !== null) {
      if (now === 'broken' && st.open !== null) mergeBroken(st.open.broken, broken)
      st.candidate = null
      st.count = 0
      return []
    }
    if (st.candidate !== now) {
      st.candidate = now
      st.count = 0
      st.since = s.at
      st.pending = []
    }
    if (now === 'broken') mergeBroken(st.pending, broken)
    st.count++
    if (st.count < this.holdRounds) return []
    const was = st.reported
    st.reported = now
    st.candidate = null
    st.count = 0
    const base = {schemaVersion: WATCH_SCHEMA_VERSION, kind: 'watch-event', at: new Date(s.at).toISOString(), vantageId: s.vantageId, round: s.round, vantage: facts.vantage, pop: s.pop, rttMs: s.rttMs, since: new Date(st.since).toISOString(), holdRounds: this.holdRounds} as const
    if (now === 'broken') {
      st.open = {vantageId: s.vantageId, since: st.since, reportedAt: s.at, until: null, broken: st.pending}
      st.pending = []
      st.everBroken = true
      this.breachCount++
      if (this.breaches.length < MAX_LISTED_BREACHES) this.breaches.push(st.open)
      const ev: UnexpectedEvent = {...base, type: 'unexpected', broken}
      return [ev]
    }
    if (was === 'broken') {
      if (st.open !== null) st.open.until = st.since
      st.open = null
      const ev: ExpectedEvent = {...base, type: 'expected'}
      return [ev]
    }
    return []
  }

  /**
   * Every breach of the watch so far (--expect's part of the summary): also those that ended before
   * the watch did, so a vantage point that broke a rule and came back is still an alert (exit 8).
   */
  summary(): ExpectSummary {
    const iso = (t: number): string => new Date(t).toISOString()
    const breaches: ExpectBreach[] = this.breaches.map((b) => {
      const end = b.until ?? this.vps.get(b.vantageId)?.lastAt ?? b.reportedAt
      return {vantageId: b.vantageId, since: iso(b.since), reportedAt: iso(b.reportedAt), until: b.until === null ? null : iso(b.until), durationMs: Math.max(0, end - b.since), broken: b.broken.map((r) => ({...r}))}
    })
    const states = [...this.vps.values()]
    return {
      holdRounds: this.holdRounds,
      judged: states.filter((st) => st.lastAt !== null).length,
      brokeRules: states.filter((st) => st.everBroken).length,
      stillBroken: states.filter((st) => st.reported === 'broken').length,
      breaches,
      breachesOmitted: this.breachCount - this.breaches.length,
      uncertain: this.uncertainVps.size,
      unmatchedRules: unmatchedRules(this.file, this.matched),
    }
  }

  /** Vantage points currently reported as breaking a rule, with the rules, sorted. */
  unexpected(): Array<{vantageId: string; broken: BrokenRule[]}> {
    return [...this.vps.entries()]
      .filter(([, st]) => st.reported === 'broken')
      .map(([vantageId, st]) => ({vantageId, broken: st.lastBroken}))
      .sort((a, b) => naturalCompare(a.vantageId, b.vantageId))
  }

  isUnexpected(vantageId: string): boolean {
    return this.vps.get(vantageId)?.reported === 'broken'
  }
}

/**
 * The alert of a watch with --expect (exit 8): a vantage point broke a rule at ANY time of the
 * watch (an `unexpected` event, after --for rounds), not only one still breaking it at the end. A
 * watch run under cron or CI sees only the exit code: a failover that came back before the watch
 * ended is still one the operator must hear of (the summary says who, which rule, when, how long).
 */
export function expectAlert(x: ExpectSummary | null): boolean {
  return x !== null && x.brokeRules > 0
}

/**
 * The rules file was not fully used (exit 7 by the exit precedence; a breach, 8, outranks it): a
 * rule matched no vantage point, so it checked nothing. A typo in `match` ("lcoal") must not pass
 * as "every vantage point keeps the rules" under cron, where only the exit code is read.
 */
export function expectUnused(x: {unmatchedRules?: readonly UnmatchedRule[]} | null): boolean {
  return x !== null && (x.unmatchedRules?.length ?? 0) > 0
}

/** The rules of the file whose index is not in `matched`, with the names events give them. */
function unmatchedRules(file: ExpectFile, matched: ReadonlySet<number>): UnmatchedRule[] {
  const out: UnmatchedRule[] = []
  file.rules.forEach((rule, index) => {
    if (!matched.has(index)) out.push({rule: index, name: rule.name ?? `rule ${index}`})
  })
  return out
}

/** A vantage point's current PoP as --learn sees it: the confidence is the lowest its PoP(s) were last named with (absent or null: not known). */
export interface LearnInput {
  vantageId: string
  pop: string | null
  popConfidence?: number | null
}

/**
 * --learn: the current catchment as rules, one per vantage point that has a PoP (to be edited).
 * A vantage point whose current PoP was named only as a hint (under isConfidentPop's 0.5) gets NO
 * rule and is returned in `leftOut`: an operator reads a learnt file as "where each vantage point
 * belongs", so a rule from a guess (a lone server name, two sources tied) would page on the first
 * confident answer that differs from it, which is the very noise --expect keeps hints out of. Left
 * out and said (stderr and the file's comment), the operator adds that rule by hand if they know
 * the PoP; a rule marked "never pages" would need a new field every reader of expect files learns.
 */
export function learnCatchment(current: ReadonlyArray<LearnInput>, comment?: string): {file: ExpectFile; leftOut: UncertainPop[]} {
  const leftOut: UncertainPop[] = []
  const rules: ExpectRule[] = []
  for (const c of [...current].sort((a, b) => naturalCompare(a.vantageId, b.vantageId))) {
    if (c.pop === null) continue
    if (isHint(c)) {
      leftOut.push({vantageId: c.vantageId, pop: c.pop, confidence: c.popConfidence!})
      continue
    }
    rules.push({match: {vantage: c.vantageId}, pops: c.pop.split('+')})
  }
  const note = leftOut.length === 0 ? '' : `; no rule for ${leftOut.length === 1 ? 'a vantage point' : `${leftOut.length} vantage points`} whose PoP was only a hint (confidence under ${CONFIDENT_POP}): ${listLeftOut(leftOut, 10)}`
  const text = (comment ?? '') + note
  return {file: {schemaVersion: EXPECT_SCHEMA_VERSION, kind: 'expect', ...(text ? {comment: text.replace(/^; /, '')} : {}), rules}, leftOut}
}

/** "atlas:1 NRT? 0.45, atlas:2 FRA? 0.40 and 3 more" (codes sanitised: they came from the network; a confidence rounded down, never up to 0.50). */
export function listLeftOut(leftOut: ReadonlyArray<UncertainPop>, max: number): string {
  const shown = leftOut.slice(0, max).map((u) => `${sanitize(u.vantageId, 60)} ${sanitize(u.pop.toUpperCase(), 40)}? ${(Math.floor(u.confidence * 100) / 100).toFixed(2)}`)
  return shown.join(', ') + (leftOut.length > max ? ` and ${leftOut.length - max} more` : '')
}

/** learnCatchment's file alone. */
export function learnExpect(current: ReadonlyArray<LearnInput>, comment?: string): ExpectFile {
  return learnCatchment(current, comment).file
}

type CheckRow = {vantage: VantagePoint; pop: string | null; popConfidence?: number | null; rttMs: number | null; answered: boolean; tags?: readonly string[]}

/**
 * One-shot check (`catchment --expect`): each row (a vantage point, its PoP code, confidence and
 * RTT) against the rules. `judged`: rows with a verdict (rows without a result, or that no rule
 * applies to, give none); `violations`: the rows that break a rule, with the rules, sorted by
 * vantage id; `uncertain`: rows whose PoP was only a hint a PoP rule would have judged;
 * `unmatchedRules`: rules no row's vantage point matched (failed rows count: the rule was right).
 */
export function judgeRows(file: ExpectFile, rows: ReadonlyArray<CheckRow>): {judged: number; violations: ExpectViolation[]; uncertain: UncertainPop[]; unmatchedRules: UnmatchedRule[]} {
  const violations: ExpectViolation[] = []
  const uncertain: UncertainPop[] = []
  const matched = new Set<number>()
  let judged = 0
  for (const r of rows) {
    const rules = rulesFor(file, {id: r.vantage.id, vantage: r.vantage, tags: r.tags ?? []})
    for (const x of rules) matched.add(x.index)
    const a = judgeAnswer(rules, {answered: r.answered, pop: r.pop, popConfidence: r.popConfidence, rttMs: r.rttMs})
    if (a.uncertain && r.pop !== null) uncertain.push({vantageId: r.vantage.id, pop: r.pop, confidence: r.popConfidence!})
    if (a.broken === null) continue
    judged++
    if (a.broken.length > 0) violations.push({vantageId: r.vantage.id, pop: r.pop, broken: a.broken})
  }
  const byId = <T extends {vantageId: string}>(a: T, b: T): number => naturalCompare(a.vantageId, b.vantageId)
  return {judged, violations: violations.sort(byId), uncertain: uncertain.sort(byId), unmatchedRules: unmatchedRules(file, matched)}
}

/**
 * `catchment --expect`: the catchment's rows against the rules, as the JSON document's `expect`
 * (a script reads which vantage point broke which rule there, not from stderr).
 */
export function checkCatchment(file: ExpectFile, path: string, rows: ReadonlyArray<CatchmentVantagePoint>): CatchmentExpect {
  const checked = judgeRows(
    file,
    rows.map((v) => ({vantage: v.vantage, pop: v.pop?.code ?? null, popConfidence: v.pop?.confidence ?? null, rttMs: v.rttUpperBound ? null : v.rttMs /* an upper bound over maxRttMs proves no breach */, answered: v.error === null})),
  )
  return {file: path, ...checked}
}
