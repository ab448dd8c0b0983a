// Fusion: one PoP verdict from every signal (headers, DNS identity, destination and hop names,
// the RTT bound), with the evidence it used and the readings that disagreed.
import {haversineKm, METRO_KM, type LatLon} from '../geo/distance.js'
import {normName} from '../geo/normalize.js'
import type {Evidence, PopVerdict, Rejection, SignalKind} from '../model/pop.js'
import {CONFIDENT_POP} from '../model/pop-confidence.js'
import {boundedMemo} from '../util/memo.js'
import {round2, safeText as sanitize, type Candidate} from './candidate.js'
import {type AnswerAsn, answeringProviders, edgeDoubts} from './edge-trust.js'
import {headerValueCore, innerProviders, isPopHeader, parseHeaderFull} from './headers.js'
import {sharedHostnameCandidates} from './hostname.js'
import {identityCandidates, identityNoSite, identityProblem} from './identity.js'
import {resolveStated} from './resolve.js'
import {rttFeasibility} from './rtt.js'

export interface Observation {
  signal: SignalKind
  input: string
  /** for 'hop-hostname': how many hops before the destination (1 = the last hop before it) */
  distance?: number
  /** for 'http-header': the header name; input is the value */
  header?: string
}

export interface InferOptions {
  /** where the vantage point is; a parsed --vp-location also carries its label ("GRU") for the reasons */
  vpLocation?: (LatLon & {label?: string}) | null
  /** minimum RTT to the target, ms */
  rttMs?: number | null
  /**
   * Did the target itself answer? false: no verdict at all, whatever the names say. A trace that
   * never reached the destination has only the names of routers near the vantage point, which
   * say where the path went, not which site of the target would have answered (the lab's
   * unanswered trace read "FRA" from hop 1). Each method's "answered": trace = destination
   * reached or any reply from the destination address (a DNS answer to a UDP/53 probe
   * included); dns = any DNS reply; http = any HTTP response; Atlas traceroute = a last hop from
   * the destination address. Absent (undefined) = not applicable (geohint reads bare names).
   */
  destinationAnswered?: boolean
  /**
   * The network (origin AS) of the address that sent the HTTP response, when known: a CDN location
   * header from another network is not the PoP that answered (edge-trust.ts). Absent or null
   * (private addresses, no database answer): headers are read as they stand.
   */
  answerAsn?: AnswerAsn | null
}

/** The reason a result whose target never answered names no PoP. */
export const NOT_REACHED = 'destination not reached: names of routers on the way do not say which site of the target would answer'

/** Headers some CDNs use for a PoP but most servers fill with other things ("Server: nginx", Server-Timing metrics). */
const SHARED_HEADERS = new Set(['server', 'server-timing'])

/** Reliability of a header from a CDN behind another one. */
const INNER_PROXY = 0.3

/** Readings kept per observation. */
const MAX_READINGS = 6
const MIN_READING = 0.2

/** How far a signal speaks for the PoP itself (identity signals name it; hops only pass near it). */
export function reliability(o: Observation, priority = 100): number {
  switch (o.signal) {
    case 'http-header':
      return Math.min(1, 0.8 + 0.2 * (priority / 100))
    case 'dns-identity':
    case 'user':
      return 1
    case 'dest-hostname':
      return 0.9
    case 'hop-hostname': {
      const d = o.distance !== undefined && o.distance >= 1 ? o.distance : 1
      return 0.6 * 0.75 ** (d - 1)
    }
    case 'rtt-feasibility':
      return 0
  }
}

interface Parsed {
  obs: Observation
  index: number
  r: number
  /** CDN provider of an http-header reading, and its rule priority (outermost proxy highest) */
  provider: string | null
  priority: number
  /** read-only: hostname readings are shared with the hostname memo */
  candidates: readonly Readonly<Candidate>[]
  /** why the observation gave nothing, when it is worth saying */
  empty: string | null
}

function parse(o: Observation, index: number): Parsed {
  let candidates: readonly Readonly<Candidate>[] = []
  let empty: string | null = null
  let priority = 100
  let provider: string | null = null
  switch (o.signal) {
    case 'hop-hostname':
    case 'dest-hostname':
      candidates = sharedHostnameCandidates(o.input)
      break
    case 'dns-identity':
      candidates = identityCandidates(o.input)
      if (candidates.length === 0) empty = identityProblem(o.input) ?? identityNoSite(o.input)
      break
    case 'http-header': {
      let name = o.header
      let value = o.input
      if (name === undefined) {
        const i = o.input.indexOf(':')
        if (i > 0) {
          name = o.input.slice(0, i)
          value = o.input.slice(i + 1)
        }
      }
      const p = name === undefined ? null : parseHeaderFull(name, value)
      if (p) {
        candidates = p.candidates
        priority = p.reading.priority
        provider = p.reading.provider
      } else if (name !== undefined && isPopHeader(name)) {
        const problem = headerValueCore(value).problem
        if (problem !== null) empty = `${name.trim().toLowerCase()} not read: ${problem}`
        else if (!SHARED_HEADERS.has(name.trim().toLowerCase())) empty = `${name.toLowerCase()} carries no PoP code`
      }
      break
    }
    case 'user': {
      // the same hygiene as a known header's value: debris at the ends dropped, controls inside not read
      const v = headerValueCore(o.input)
      if (v.core === null) {
        empty = v.problem
        break
      }
      candidates = resolveStated('generic', v.core, v.core, o.header ? `user header ${o.header.toLowerCase()}` : 'user')
      if (candidates.length === 0) empty = 'no place or site code in the value'
      break
    }
    case 'rtt-feasibility':
      break
  }
  const kept: Readonly<Candidate>[] = []
  for (const c of candidates) {
    if (c.confidence < MIN_READING) continue
    kept.push(c)
    if (kept.length === MAX_READINGS) break
  }
  return {obs: o, index, r: reliability(o, priority), provider, priority, candidates: kept, empty}
}

interface Item {
  p: Parsed
  c: Candidate
  score: number
}

interface Cluster {
  anchor: Candidate
  members: Map<number, Item>
}

// Clustering compares city names pairwise in every verdict, and a run names the same few hundred
// cities: normalising (Unicode decomposition, folding) each once is most of sameSite's cost.
const cityKey = boundedMemo(20_000, normName)

function sameSite(a: Readonly<Candidate>, b: Readonly<Candidate>): boolean {
  if (a.lat !== null && a.lon !== null && b.lat !== null && b.lon !== null) {
    // the same point is 0 km apart (readings of one place share its coordinates)
    if ((a.lat === b.lat && a.lon === b.lon) || haversineKm({lat: a.lat, lon: a.lon}, {lat: b.lat, lon: b.lon}) <= METRO_KM) return true
    return a.city !== null && a.country === b.country && (a.city === b.city || cityKey(a.city) === cityKey(b.city ?? ''))
  }
  if (a.lat === null && b.lat === null) return a.code === b.code && a.codeType === b.codeType
  return false
}

function combine(scores: Iterable<number>): number {
  let q = 1
  for (const s of scores) q *= 1 - s
  return 1 - q
}

/** combine() over a cluster's members, in insertion order, without building a list */
function support(cl: Cluster): number {
  let q = 1
  for (const m of cl.members.values()) q *= 1 - m.score
  return 1 - q
}

function describe(p: Parsed, c: Candidate): string {
  const where = p.obs.signal === 'hop-hostname' ? ` (hop ${p.obs.distance ?? 1} before the destination)` : ''
  return `${c.note}${where}`
}

function evidence(p: Parsed, c: Candidate | null, weight: number, note: string): Evidence {
  const raw = p.obs.header !== undefined ? `${p.obs.header}: ${p.obs.input}` : p.obs.input
  return {
    signal: p.obs.signal,
    input: sanitize(raw),
    code: c ? sanitize(c.code, 64) : null,
    codeType: c ? c.codeType : null,
    city: c?.city ?? null,
    country: c?.country ?? null,
    weight: round2(weight),
    note: sanitize(note, 300),
  }
}

/**
 * One verdict from all observations, or null when nothing supports one. Identity signals outweigh
 * hops, nearer hops outweigh farther ones, agreement on a metro (same city or within 100 km) adds
 * up, readings an RTT cannot reach are ruled out, and disagreeing readings are listed in `conflicts`.
 */
export function inferPop(observations: Observation[], opts: InferOptions = {}): PopVerdict | null {
  return inferPopExplained(observations, opts).verdict
}

export interface ExplainedVerdict {
  verdict: PopVerdict | null
  /** why there is no verdict; null when there is one */
  reason: string | null
  /** places the RTT ruled out (the same list as verdict.rejected when there is a verdict) */
  rejected: Rejection[]
  /**
   * When there is no verdict: what was read and set aside (readings the RTT ruled out), so a
   * caller can still show why. Empty when there is a verdict (it carries its own evidence).
   */
  setAside: Evidence[]
}

/** inferPop, also saying what was set aside when no verdict remains (e.g. every reading too far for the RTT). */
export function inferPopExplained(observations: Observation[], opts: InferOptions = {}): ExplainedVerdict {
  if (opts.destinationAnswered === false) return {verdict: null, reason: NOT_REACHED, rejected: [], setAside: []}
  if (observations.length === 0) return {verdict: null, reason: NO_SIGNAL, rejected: [], setAside: []}
  const setAside: Evidence[] = []
  const run: FuseRun = {rejected: [], strongSeen: false, strongKept: false}
  let verdict = fuse(observations, opts, setAside, run)
  if (run.strongSeen && !run.strongKept) {
    // Every strong signal (the site naming itself: DNS identity, a CDN's or the user's header)
    // is too far for the RTT. A site does not misname itself, while a vantage point's stated
    // location is often wrong (a moved probe, a VPN, a typo in --vp-location): keep the
    // identity's site and flag the contradiction rather than drop the strongest evidence there is.
    const free = fuse(observations, {...opts, vpLocation: null, rttMs: null}, [], {rejected: [], strongSeen: false, strongKept: false})
    if (free !== null) {
      const first = run.rejected[0]
      const reason =
        `every strong signal is farther than the RTT allows${first ? ` (${first.reason})` : ''}: ` +
        "the vantage point's location is the likelier error; the site the target names itself is kept"
      verdict = {...free, rejected: run.rejected, contradiction: {kind: 'vantage-location', reason: sanitize(reason, 600)}}
    }
  }
  if (verdict !== null) return {verdict, reason: null, rejected: verdict.rejected ?? [], setAside: []}
  const reason =
    run.rejected.length > 0
      ? `every reading is farther than the RTT allows (${run.rejected.map((r) => r.reason).join('; ')})`
      : setAside.length > 0
        ? setAside.map((e) => e.note).join('; ')
        : NO_SIGNAL
  return {verdict: null, reason: sanitize(reason, 600), rejected: run.rejected, setAside}
}

const NO_SIGNAL = 'no signal names a site'

/** What one fusion pass saw of the RTT check, for the contradiction rule above. */
interface FuseRun {
  rejected: Rejection[]
  /** a strong observation had at least one located reading */
  strongSeen: boolean
  /** ... and at least one of them survived the RTT check */
  strongKept: boolean
}

/** Signals in which the site names itself (not a router near it, not a CDN behind another). */
function isStrong(p: Parsed): boolean {
  const s = p.obs.signal
  return s === 'dns-identity' || s === 'user' || (s === 'http-header' && p.r > INNER_PROXY)
}

const km = (n: number): string => Math.round(n).toLocaleString('en-US')
const ms = (n: number): string => (n >= 10 ? String(Math.round(n)) : String(Math.round(n * 10) / 10))

function rejection(p: Parsed, c: Readonly<Candidate>, f: {distanceKm: number; minRttMs: number}, rtt: number, vp: LatLon & {label?: string}): Rejection {
  const where = vp.label ? sanitize(vp.label, 40) : `${round2(vp.lat)},${round2(vp.lon)}`
  const name = sanitize(c.city ?? c.code, 64)
  return {
    code: sanitize(c.code, 64),
    city: c.city,
    signal: p.obs.signal,
    reason: `${name.toLowerCase()} rejected: ${km(f.distanceKm)} km from ${where} needs >= ${ms(f.minRttMs)} ms, measured ${ms(rtt)} ms`,
    distanceKm: Math.round(f.distanceKm),
    minRttMs: round2(f.minRttMs),
    measuredRttMs: round2(rtt),
  }
}

function fuse(observations: Observation[], opts: InferOptions, sink: Evidence[], run: FuseRun): PopVerdict | null {
  const parsed = observations.map(parse)
  // stacked CDNs (Cloudflare in front of Vercel): the outermost proxy's headers name the PoP the
  // client reached; an inner provider's headers describe the next hop in, so they count like a hop
  // The Server and Via headers can show a CDN to be further in than another (Bunny in front of
  // Cloudflare: Server "BunnyCDN-DE1-1085" beside a cf-ray; CloudFront in front of Fastly: Via
  // "1.1 varnish, 1.1 x.cloudfront.net (CloudFront)"): those are inner whatever their priority
  // (headers.ts SERVER_WRITERS, VIA_WRITERS).
  // The answering address's network outranks both: its vendor answered (Fastly's AS54113 in front of
  // Cloudflare: the cf-ray was passed on), and a header of another network's vendor, or one no
  // other header of its vendor supports from an unknown network, is not the PoP (edge-trust.ts).
  const answer = opts.answerAsn ?? null
  const owners = answeringProviders(answer)
  const inner = new Set([...innerProviders(headerValue(observations, 'server'), headerValue(observations, 'via'))].filter((p) => !owners.has(p)))
  const read = new Set<string>()
  for (const p of parsed) if (p.provider !== null && p.candidates.length > 0) read.add(p.provider)
  const doubts = edgeDoubts(read, (n) => headerValue(observations, n), answer)
  for (const p of doubts.keys()) inner.add(p)
  let outer = -1
  for (const p of parsed) if (p.provider !== null && !inner.has(p.provider) && p.candidates.length > 0 && p.priority > outer) outer = p.priority
  for (const p of parsed) {
    if (p.provider !== null && (p.priority < outer || inner.has(p.provider))) {
      p.r = INNER_PROXY
      const doubt = doubts.get(p.provider)
      const why = inner.has(p.provider) ? 'inner proxy: the Server / Via headers show a proxy further out' : 'inner proxy behind the outermost CDN'
      // the network's reason first: it is what a reader needs, and a rendered note is cut at 160 characters
      p.candidates = p.candidates.map((c) => ({...c, note: doubt !== undefined ? `not the answering PoP (${doubt}): ${c.note}` : `${c.note} (${why})`}))
    }
  }
  const vp = opts.vpLocation ?? null
  const rtt = opts.rttMs ?? null
  const useRtt = vp !== null && rtt !== null && Number.isFinite(rtt) && rtt > 0
  const ruledOut: Evidence[] = []
  const conflicts: Evidence[] = []
  const items: Item[] = []

  for (const p of parsed) {
    if (p.r <= 0) continue
    let kept: readonly Readonly<Candidate>[] = p.candidates
    if (useRtt) {
      const feasible: Readonly<Candidate>[] = []
      kept = feasible
      const strong = isStrong(p)
      for (const c of p.candidates) {
        if (c.lat === null || c.lon === null) {
          feasible.push(c)
          continue
        }
        if (strong) run.strongSeen = true
        const f = rttFeasibility(vp!, {lat: c.lat, lon: c.lon}, rtt!)
        if (f.feasible) {
          feasible.push(c)
          if (strong) run.strongKept = true
        } else {
          if (!run.rejected.some((r) => r.code === c.code && r.city === c.city)) run.rejected.push(rejection(p, c, f, rtt!, vp!))
          const why = `rejected ${c.code} (${c.city ?? '?'}, ${c.country ?? '?'}): ${Math.round(f.distanceKm)} km from the vantage point > ${Math.round(f.maxKm)} km a ${round2(rtt!)} ms RTT allows`
          ruledOut.push({...evidence(p, c, 0, why), signal: 'rtt-feasibility'})
        }
      }
      kept = untie(kept, p.candidates.length)
      if (kept.length === 0 && p.candidates.length > 0) {
        const best = p.candidates[0]!
        conflicts.push(evidence(p, best, -p.r * best.confidence, `${describe(p, best)}; ruled out by the RTT bound`))
        continue
      }
    } else if (vp !== null && kept.length > 1) {
      // no RTT: among close readings of one input, prefer the one nearer the vantage point
      kept = kept
        .map((c) => ({c, adj: c.confidence + (c.lat === null ? 0 : 0.04 * (1 - Math.min(20000, haversineKm(vp, {lat: c.lat, lon: c.lon!})) / 20000))}))
        .sort((a, b) => b.adj - a.adj)
        .map((x) => x.c)
    }
    for (const c of kept) items.push({p, c, score: p.r * c.confidence})
  }

  // cluster readings by metro (coordinates within 100 km or same city) or, placeless, by code
  items.sort((a, b) => b.score - a.score)
  if (items.length === 0) {
    sink.push(...conflicts, ...ruledOut)
    // what carried nothing, and why ("cf-trace carries no PoP code": a trace body's loc= line)
    for (const p of parsed) if (p.empty !== null) sink.push(evidence(p, null, 0, p.empty))
    return null
  }
  if (parsed.length === 1) return single(parsed[0]!, items, ruledOut, conflicts, useRtt ? {vp: vp!, rtt: rtt!} : null, run.rejected)
  const clusters: Cluster[] = []
  for (const it of items) {
    let home: Cluster | undefined
    for (const cl of clusters) {
      if (sameSite(cl.anchor, it.c)) {
        home = cl
        break
      }
    }
    if (home === undefined) clusters.push((home = {anchor: it.c, members: new Map()}))
    if (!home.members.has(it.p.index)) home.members.set(it.p.index, it)
  }
  if (clusters.length === 0) return null

  let winner = clusters[0]!
  let winnerSupport = -1
  for (const cl of clusters) {
    const s = support(cl)
    const better = s > winnerSupport + 1e-9 || (Math.abs(s - winnerSupport) <= 1e-9 && cl.anchor.lat !== null && winner.anchor.lat === null)
    if (better) {
      winner = cl
      winnerSupport = s
    }
  }

  const ev: Evidence[] = []
  for (const m of [...winner.members.values()].sort((a, b) => b.score - a.score)) ev.push(evidence(m.p, m.c, m.score, describe(m.p, m.c)))
  const opposing: number[] = []
  let tie = false
  for (const p of parsed) {
    if (winner.members.has(p.index)) continue
    const best = items.find((it) => it.p === p)
    if (best) {
      opposing.push(best.score)
      // another source as strong as all that agrees with the verdict: the sources contradict
      // each other and nothing says which is right (cf-ray AMS beside /cdn-cgi/trace colo=SIN)
      const even = best.score >= winnerSupport - 1e-9
      if (even) tie = true
      conflicts.push(evidence(p, best.c, -best.score, even ? `contradicts the verdict with equal weight, so it is only a hint: ${describe(p, best.c)}` : `disagrees: ${describe(p, best.c)}`))
    } else if (p.empty !== null) {
      ev.push(evidence(p, null, 0, p.empty))
    }
  }
  ev.push(...ruledOut)
  if (useRtt && winner.anchor.lat !== null) ev.push(rttNote(vp!, rtt!, winner.anchor))
  const opposition = combine(opposing)
  const confidence = winnerSupport * (1 - 0.5 * opposition)
  // a tie is a coin toss, never a verdict: under the confidence diff and --expect act on
  return verdictOf(siteCode(winner), tie ? Math.min(confidence, TIE_CONFIDENCE) : confidence, ev, conflicts, run.rejected)
}

/** The most a verdict two equally weighted sources contradict can have: a hint (model/pop-confidence.ts). */
const TIE_CONFIDENCE = CONFIDENT_POP - 0.01

/**
 * Two decimals, as every verdict carries its confidence, without rounding a hint up to a verdict:
 * 0.499 is 0.49, not the 0.50 `diff` and `--expect` would act on (two sources at 0.95 that
 * contradict each other came to 0.49875).
 */
function confidence2(c: number): number {
  const r = round2(c)
  return c < CONFIDENT_POP && r >= CONFIDENT_POP ? Math.floor(c * 100) / 100 : r
}

/**
 * Namesakes held below 0.5 by a tie (hostname.ts: "santa-clara" is Cuba's or California's): when
 * the RTT bound has ruled out every tied reading in other countries, the one left takes back the
 * confidence it had before the tie. Readings of other codes are left alone.
 */
function untie(kept: readonly Readonly<Candidate>[], before: number): readonly Readonly<Candidate>[] {
  if (kept.length === before || !kept.some((c) => c.untied !== undefined)) return kept
  return kept.map((c) => {
    if (c.untied === undefined) return c
    const rivalLeft = kept.some((o) => o !== c && o.untied !== undefined && o.code === c.code && o.country !== c.country)
    return rivalLeft ? c : {...c, confidence: c.untied, note: `${c.note}; the RTT bound ruled the namesakes out`}
  })
}

/** One response header among the observations ("Name: value" inputs included), or null. */
function headerValue(observations: Observation[], name: string): string | null {
  for (const o of observations) {
    if (o.signal !== 'http-header') continue
    if (o.header !== undefined) {
      if (o.header.trim().toLowerCase() === name) return o.input
    } else {
      const i = o.input.indexOf(':')
      if (i > 0 && o.input.slice(0, i).trim().toLowerCase() === name) return o.input.slice(i + 1)
    }
  }
  return null
}

function verdictOf(a: Candidate, confidence: number, evidence: Evidence[], conflicts: Evidence[], rejected: Rejection[]): PopVerdict {
  return {code: sanitize(a.code, 64), codeType: a.codeType, city: a.city, country: a.country, lat: a.lat, lon: a.lon, confidence: confidence2(confidence), evidence, conflicts, rejected, contradiction: null}
}

// A PoP is named by the most standard code its agreeing evidence carries: `frankfurt1` and
// `fra03` in one trace are the same site, and operators and dashboards say FRA.
const CODE_RANK: Record<string, number> = {iata: 0, locode: 1, icao: 2, clli: 3, city: 4, operator: 5}

function siteCode(cl: Cluster): Candidate {
  let best = cl.anchor
  for (const m of cl.members.values()) {
    const c = m.c
    if ((CODE_RANK[c.codeType] ?? 9) < (CODE_RANK[best.codeType] ?? 9) && c.city !== null) best = c
  }
  return best
}

function rttNote(vp: LatLon, rtt: number, a: Candidate): Evidence {
  const f = rttFeasibility(vp, {lat: a.lat!, lon: a.lon!}, rtt)
  return {
    signal: 'rtt-feasibility',
    input: `vp ${round2(vp.lat)},${round2(vp.lon)} rtt ${round2(rtt)} ms`,
    code: null,
    codeType: null,
    city: null,
    country: null,
    weight: 0,
    note: `verdict ${Math.round(f.distanceKm)} km from the vantage point, within the ${Math.round(f.maxKm)} km the RTT allows`,
  }
}

/** One observation: its best surviving reading is the verdict (the same result the clustering gives, cheaper). */
function single(p: Parsed, items: Item[], ruledOut: Evidence[], conflicts: Evidence[], rtt: {vp: LatLon; rtt: number} | null, rejected: Rejection[]): PopVerdict | null {
  let best = items[0]
  if (best === undefined) return null
  for (const it of items) {
    if (it.score < best.score - 1e-9) break
    if (best.c.lat === null && it.c.lat !== null) best = it
  }
  const a = best.c
  const ev = [evidence(p, a, best.score, describe(p, a))]
  ev.push(...ruledOut)
  if (rtt !== null && a.lat !== null) ev.push(rttNote(rtt.vp, rtt.rtt, a))
  return verdictOf(a, best.score, ev, conflicts, rejected)
}

/** The fields a result carries beside its `pop` (see PopExplanation in model/pop.ts). */
export function popExplanation(ex: ExplainedVerdict): {popReason: string | null; popRejected?: Rejection[]} {
  return ex.verdict === null && ex.rejected.length > 0 ? {popReason: ex.reason, popRejected: ex.rejected} : {popReason: ex.reason}
}
