// --metrics HOST:PORT: the live state of a watch for Prometheus, served with prom-client (its own
// registry per watch). Named as blackbox_exporter users expect: anyprobe_probe_success and
// anyprobe_probe_duration_seconds per vantage point, anyprobe_site_info{vantage,site} = 1 for each
// PoP ("site") of the catchment the analyser has it in (one series for a single PoP, one per PoP of a
// load-balanced set, e.g. FRA and IAD; a series goes when its PoP leaves the catchment; none during
// an outage), anyprobe_site_changes_total, anyprobe_unexpected (1 while it
// breaks an --expect rule) with anyprobe_unexpected_total (breaches so far: one shorter than the
// scrape interval still shows), anyprobe_rounds_skipped_total (rounds not sent on time: the loop skips
// them rather than send a burst; the summary's skippedRounds), anyprobe_rounds_unmeasured_total
// (rounds the backend said it did not measure: a Globalping round the API refused; the summary's
// unmeasuredRounds), and a failover-gap histogram. The two round counters are told by the analyser
// (gaps()), which settles them by the rule the summary counts by (analysis/watch/gaps.ts): the
// metric and the summary agree. Labels are bounded: the vantage point's id
// and the PoP code (a few characters), never an address or a free-text answer.
import {createServer, type Server} from 'node:http'

import {Counter, Gauge, Histogram, Registry} from 'prom-client'

import type {GapCounts} from '../analysis/watch/gaps.js'
import {type CatchmentOf, hintOf, noCatchment} from '../analysis/watch/hint.js'
import type {ExpectEvent} from '../model/expect.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import type {Observation, WatchEvent} from '../model/watch.js'
import {sanitize} from '../util/sanitize.js'

/** Failover gap buckets, seconds (50 ms probing up to Atlas intervals of minutes). */
export const GAP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 300, 900, 3600]

const label = (s: string): string => sanitize(s, 80)
/** a catchment's PoPs as site labels, one series each (a load-balanced one is several: FRA and IAD) */
const sitesOf = (pops: Iterable<string>): string[] => [...new Set([...pops].map(label))].sort()

export class WatchMetrics {
  readonly registry = new Registry()
  /** the site labels shown per vantage point: one series each (several for a load-balanced catchment) */
  private readonly sites = new Map<string, readonly string[]>()
  /**
   * vantage points shown at their confident catchment (by label, with the vantage id to ask the
   * analyser with): not in an outage, not at a hint of another PoP. Their sites are the analyser's
   * catchment at each scrape; before it has one, the first confident PoP they answered from. The
   * analyser settles a first catchment or widens a load-balanced set with no shift event (a round
   * naming FRA and AMS across flows, then one naming only AMS: at AMS), so no event would correct them.
   */
  private readonly following = new Map<string, string>()
  /** vantage points seen (their counters shown at 0 from the first probe) */
  private readonly seen = new Set<string>()
  private readonly success: Gauge<'vantage'>
  private readonly duration: Gauge<'vantage'>
  private readonly siteInfo: Gauge<'vantage' | 'site'>
  private readonly siteChanges: Counter<'vantage'>
  private readonly probes: Counter<'vantage' | 'result'>
  private readonly flaps: Counter<'vantage'>
  private readonly flapping: Gauge<'vantage'>
  private readonly failovers: Counter<'vantage'>
  private readonly outages: Counter<'vantage'>
  private readonly vantageFailures: Counter<'vantage'>
  private readonly unexpected: Gauge<'vantage'>
  private readonly breaches: Counter<'vantage'>
  private readonly gap: Histogram
  private readonly skipped: Counter<'vantage'>
  private readonly unmeasured: Counter<'vantage'>

  /** `catchment`: the analyser's confident catchment (its catchment()); without it every hint is said with its '?' */
  constructor(private readonly catchment: CatchmentOf = noCatchment) {
    const registers = [this.registry]
    this.success = new Gauge({name: 'anyprobe_probe_success', help: 'whether the last probe of the vantage point was answered (1) or not (0)', labelNames: ['vantage'], registers})
    this.duration = new Gauge({name: 'anyprobe_probe_duration_seconds', help: 'RTT of the last probe; absent when it had no answer (or no RTT)', labelNames: ['vantage'], registers})
    // read at each scrape: the sites follow the analyser's catchment, which can change with no event
    this.siteInfo = new Gauge({name: 'anyprobe_site_info', help: 'each PoP (site) currently answering the vantage point: 1 (one series per PoP of a load-balanced catchment; none during an outage)', labelNames: ['vantage', 'site'], registers, collect: () => this.followCatchment()})
    this.siteChanges = new Counter({name: 'anyprobe_site_changes_total', help: 'catchment changes (shift events)', labelNames: ['vantage'], registers})
    this.probes = new Counter({name: 'anyprobe_probes_total', help: 'probes (results) by outcome', labelNames: ['vantage', 'result'], registers})
    this.flaps = new Counter({name: 'anyprobe_flaps_total', help: 'flap episodes (flap events)', labelNames: ['vantage'], registers})
    // the flap alert's state: 1 from a flap event to its flap-end (a full flap window without a flip)
    this.flapping = new Gauge({name: 'anyprobe_flapping', help: '1 while the vantage point is in a flap episode (flap event, until flap-end: a full --flap-window without a flip), else 0', labelNames: ['vantage'], registers})
    this.failovers = new Counter({name: 'anyprobe_failovers_total', help: 'shifts with probes lost in between (failover events)', labelNames: ['vantage'], registers})
    // an alert on outages means the target: a vantage point that failed itself (a dead child, an
    // unreachable host; vantageError on the event) is counted apart
    this.outages = new Counter({name: 'anyprobe_outages_total', help: 'outages of the target (outage events the vantage point itself did not cause)', labelNames: ['vantage'], registers})
    this.vantageFailures = new Counter({name: 'anyprobe_vantage_failures_total', help: 'outages caused by the vantage point itself (outage events with vantageError: a dead netns/ssh child, an unreachable host)', labelNames: ['vantage'], registers})
    this.unexpected = new Gauge({name: 'anyprobe_unexpected', help: '1 while the vantage point breaks a rule of --expect, else 0', labelNames: ['vantage'], registers})
    // the gauge can go 1 -> 0 between two scrapes; increase(anyprobe_unexpected_total[...]) cannot miss it
    this.breaches = new Counter({name: 'anyprobe_unexpected_total', help: 'times the vantage point broke a rule of --expect (unexpected events)', labelNames: ['vantage'], registers})
    this.skipped = new Counter({name: 'anyprobe_rounds_skipped_total', help: 'rounds not sent because the probing loop was over half an interval behind (skipped, never sent late in a burst): the summary\'s skippedRounds', labelNames: ['vantage'], registers})
    this.unmeasured = new Counter({name: 'anyprobe_rounds_unmeasured_total', help: 'rounds the backend did not measure (a Globalping round the API refused or could not create: asked for, no result; not lost, not skipped): the summary\'s unmeasuredRounds', labelNames: ['vantage'], registers})
    this.gap = new Histogram({name: 'anyprobe_failover_gap_seconds', help: 'failover gap: last answer from the old PoP to the first from the new one (resolution: the probing interval)', buckets: GAP_BUCKETS, registers})
  }

  /** The series of a vantage point become `sites` (none: []): a PoP no longer among them loses its series, none is left at 0. */
  private setSites(vantage: string, sites: readonly string[]): void {
    const old = this.sites.get(vantage) ?? []
    for (const site of old) if (!sites.includes(site)) this.siteInfo.remove({vantage, site})
    for (const site of sites) this.siteInfo.set({vantage, site}, 1)
    if (sites.length === 0) this.sites.delete(vantage)
    else this.sites.set(vantage, sites)
  }

  /** At a confident catchment from now: `first` shown until the analyser has one. */
  private follow(vantage: string, vantageId: string, first: readonly string[]): void {
    this.following.set(vantage, vantageId)
    const cur = this.catchment(vantageId)
    this.setSites(vantage, cur === null ? first : sitesOf(cur))
  }

  /** Not at a confident catchment (an outage: none; a hint of another PoP: 'LONDON?'). */
  private unfollow(vantage: string, sites: readonly string[]): void {
    this.following.delete(vantage)
    this.setSites(vantage, sites)
  }

  /** At each scrape: a vantage point at its confident catchment shows the analyser's, every PoP of it. */
  private followCatchment(): void {
    for (const [vantage, id] of this.following) {
      const cur = this.catchment(id)
      if (cur !== null) this.setSites(vantage, sitesOf(cur))
    }
  }

  observe(o: Observation): void {
    const vantage = label(o.vantageId)
    if (!this.seen.has(vantage)) {
      this.seen.add(vantage)
      // every vantage point shows in the counters from its first probe, at 0
      this.siteChanges.inc({vantage}, 0)
      this.flaps.inc({vantage}, 0)
      this.flapping.set({vantage}, 0)
      this.failovers.inc({vantage}, 0)
      this.outages.inc({vantage}, 0)
      this.vantageFailures.inc({vantage}, 0)
      this.skipped.inc({vantage}, 0)
      this.unmeasured.inc({vantage}, 0)
    }
    this.success.set({vantage}, o.answered ? 1 : 0)
    this.probes.inc({vantage, result: o.answered ? 'answered' : 'lost'})
    // no RTT without an answer: the series goes (a graph shows the gap, not the RTT from before an outage)
    // to the microsecond the RTT is measured to: 0.196 ms is 0.000196, not 0.00019600000000000002
    if (o.answered && o.rttMs !== null) this.duration.set({vantage}, Math.round(o.rttMs * 1000) / 1e6)
    else this.duration.remove({vantage})
    if (o.answered && o.pop !== null) {
      // a PoP named only as a hint (under 0.5) is said as the watch says it, 'LONDON?': no shift is
      // judged from it (analysis/watch/hint.ts), so no shift event would ever take it back; the next
      // confident answer puts back its catchment. A hint of a PoP of the confident catchment agrees
      // with it, as the analyser judges it: that catchment's sites, not 'NRT?' (an alert on the
      // series' labels saw a change where the watch said none)
      if (hintOf(o) !== null) {
        if (this.catchment(o.vantageId)?.has(o.pop) === true) this.follow(vantage, o.vantageId, [label(o.pop)])
        else this.unfollow(vantage, [`${label(o.pop)}?`])
      }
      // back from an outage or a hint: its catchment (a move is said by the shift the analyser judges next)
      else if (!this.following.has(vantage)) this.follow(vantage, o.vantageId, [label(o.pop)])
    }
  }

  event(e: WatchEvent | ExpectEvent | {type: string; vantageId?: string}): void {
    if (e.type === 'summary' || e.type === 'hint' || e.type === 'state') return
    const vantage = label((e as {vantageId: string}).vantageId)
    switch (e.type) {
      case 'load-balanced': {
        // the catchment grew to the set with no shift: a series for each of its PoPs (asked of the
        // analyser at each scrape too; this is for metrics told only the events)
        const {vantageId, pops} = e as {vantageId: string; pops: string[]}
        this.follow(vantage, vantageId, sitesOf(pops))
        break
      }
      case 'shift':
        this.siteChanges.inc({vantage})
        // to a PoP or a load-balanced set ("AMS+FRA", popSetName): a series for each of its PoPs
        this.follow(vantage, (e as {vantageId: string}).vantageId, sitesOf((e as {to: string}).to.split('+')))
        break
      case 'flap':
        this.flaps.inc({vantage})
        this.flapping.set({vantage}, 1)
        break
      case 'flap-end':
        this.flapping.set({vantage}, 0)
        break
      case 'failover':
        this.failovers.inc({vantage})
        this.gap.observe((e as {gapMs: number}).gapMs / 1000)
        break
      case 'outage':
        if ((e as {vantageError?: string | null}).vantageError) this.vantageFailures.inc({vantage})
        else this.outages.inc({vantage})
        // no PoP answers it during an outage: a panel of anyprobe_site_info must not keep showing the
        // last one (seen in the lab: ap-vp-nyc "at IAD" all through a cut of IAD)
        this.unfollow(vantage, [])
        break
      case 'recovered': {
        // back, maybe at the same PoP (no shift then): the site it answers from again
        const {vantageId, pop, popConfidence} = e as {vantageId: string; pop: string | null; popConfidence?: number}
        if (pop === null) this.unfollow(vantage, [])
        else if (popConfidence !== undefined) this.unfollow(vantage, [`${label(pop)}?`])
        else this.follow(vantage, vantageId, [label(pop)])
        break
      }
      case 'unexpected':
        this.unexpected.set({vantage}, 1)
        this.breaches.inc({vantage})
        break
      case 'expected':
        this.unexpected.set({vantage}, 0)
        break
    }
  }

  /** Rounds of a vantage point the analyser just settled as gaps (its onGaps): counted as the summary counts them. */
  gaps(vantageId: string, added: GapCounts): void {
    const vantage = label(vantageId)
    if (added.skipped > 0) this.skipped.inc({vantage}, added.skipped)
    if (added.unmeasured > 0) this.unmeasured.inc({vantage}, added.unmeasured)
  }

  /** Mark every vantage point judged by --expect (0 until it breaks a rule). */
  expectWatched(vantageId: string): void {
    const vantage = label(vantageId)
    this.unexpected.inc({vantage}, 0)
    this.breaches.inc({vantage}, 0)
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}

export function parseHostPort(text: string): {host: string; port: number} {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim())
  const port = m ? Number(m[3]) : NaN
  if (!m || !(port >= 0 && port <= 65_535)) {
    throw new AnyprobeError('E_USAGE', `--metrics "${text}": expected HOST:PORT`, {
      hint: 'e.g. --metrics 127.0.0.1:9464 (or [::1]:9464); port 0 picks a free one',
      exitCode: EXIT.usage,
    })
  }
  return {host: m[1] ?? m[2]!, port}
}

/** Serve GET /metrics (and /) from `metrics`; resolves once listening. */
export function serveMetrics(metrics: WatchMetrics, host: string, port: number): Promise<{server: Server; port: number}> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || !(req.url === '/metrics' || req.url === '/')) {
      res.writeHead(404).end()
      return
    }
    metrics.text().then(
      (text) => res.writeHead(200, {'content-type': metrics.contentType}).end(text),
      () => res.writeHead(500).end(),
    )
  })
  // a scraper that keeps its connection open (or reads slowly) must not hold the watch's end
  server.keepAliveTimeout = 1000
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new AnyprobeError('E_NETWORK', `--metrics ${host}:${port}: cannot listen (${e.code ?? e.message})`, {hint: 'pick a free port, or 0', exitCode: EXIT.network})),
    )
    server.listen(port, host, () => {
      const addr = server.address()
      resolve({server, port: typeof addr === 'object' && addr ? addr.port : port})
    })
  })
}

/** Close the metrics server without waiting for slow or kept-alive clients: the watch ends now. */
export function closeMetrics(server: {server: Server} | null): Promise<void> {
  if (server === null) return Promise.resolve()
  return new Promise((resolve) => {
    server.server.close(() => resolve())
    server.server.closeAllConnections()
  })
}
