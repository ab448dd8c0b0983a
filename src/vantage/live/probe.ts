// The probers of `anyprobe watch`: one probe of one flow, in-process, cheap enough to run every
// 50 ms. DNS sends one CH TXT hostname.bind query carrying the EDNS NSID option, on its flow's
// long-lived UDP socket (flows.ts); HTTP makes one GET on its flow's keep-alive connection
// (http-flows.ts): either way a flow keeps one source port, so an L4 ECMP hash keeps each flow on
// one path and splits flows. The PoP is named by inferPop from the signals the answer carries
// (identity strings, headers); verdicts are cached per distinct signals, since the same few
// strings come back thousands of times.
// HTTP: the address that answered goes with the headers (answerAddr), and its network to the namer
// (`answer`), so a CDN location header is judged by the verdict's edge-trust rule as a one-shot
// `anyprobe http` judges it (src/infer/edge-trust.ts): a cf-ray Fastly passed on is not Cloudflare's PoP.
//
// A prober built with `name: null` names nothing: it returns the signals and leaves the naming to
// whoever reads them. That is how netns/ssh children run: the parent names every vantage point's
// PoP with one namer, so a child never loads the place dictionaries (tens of MB of heap, most of a
// child's start-up CPU and then of its garbage collection, paid once per vantage point otherwise).
import {randomInt} from 'node:crypto'

import {round3} from '../../analysis/watch/stats.js'
import {decodeReply, encodeQuery, identityStrings, matchesQuery, type ParsedReply, type QuerySpec, readReply} from '../../engines/dns/packet.js'
import {DnsExchangeError, type DnsExchanger} from '../../engines/dns/transport.js'
import {probeHttp} from '../../engines/http/probe.js'
import {targetsFailure} from '../../engines/http/request.js'
import type {AnswerAsn} from '../../infer/edge-trust.js'
import type {Observation as InferObservation} from '../../infer/index.js'
import {httpHeaderSignals, popObservations, verdictOfObservations, vpLocationOf} from '../../infer/verdict.js'
import type {LatLon} from '../../geo/distance.js'
import {AnyprobeError} from '../../model/errors.js'
import type {VantagePoint} from '../../model/vantage.js'
import {minRttFromTimings} from '../../model/rtt.js'
import {sanitize} from '../../util/sanitize.js'
import {FlowExchangers} from './flows.js'
import {HttpFlowAgents} from './http-flows.js'
import {readHostnameBindReply} from './reply.js'

/** What one probe found; the round loop adds vantage, round, flow and sentAt. */
export interface ProbeAnswer {
  /** ms since the epoch, when the answer arrived; null without one */
  receivedAt: number | null
  rttMs: number | null
  pop: string | null
  /** the confidence pop was named with (PopNamer); absent when not known */
  popConfidence?: number
  answered: boolean
  /** what the PoP is named from (e.g. dns-identity "s1.fra.anycast.example"), when answered */
  signals?: InferObservation[]
  /** HTTP: the address the response came from, whose network the verdict weighs (edge-trust); absent when not known */
  answerAddr?: string
  error?: string
  /**
   * no answer because of the vantage point or its client, not the target (an HTTP certificate we
   * did not trust, no route from here): `error` is the engine's code, the outage is the vantage point's
   */
  vantageFault?: true
  /** with vantageFault: the engine's message and hint, to say once (sanitised) */
  detail?: string
}

/**
 * Probe once as flow `flow`; never throws for a network failure (that is an unanswered probe).
 * `close` (when there is one) releases what the flows hold open, once the last probe has ended.
 */
export type Prober = ((flow: number) => Promise<ProbeAnswer>) & {close?: () => void}

/**
 * Signals -> PoP code (upper case) and the confidence it was named with, or null when nothing
 * names one. `at`: where the vantage point is (placed with --location / --locations, or its own),
 * so the verdict's speed-of-light check applies with the probe's RTT, as for catchment's one-shot
 * children (--vp-location). `answer`: HTTP, the answering address's network (edge-trust.ts); null
 * or absent when not known (a private address: headers read as they stand). The confidence goes to
 * the observation's popConfidence: --expect does not break a rule on a hint
 * (model/pop-confidence.ts), as diff does not page on one.
 */
export type PopNamer = (inputs: InferObservation[], rttMs: number | null, at?: LatLon | null, answer?: AnswerAsn | null) => NamedPop | null

/** HTTP: the network of the address that answered (enrich/answer-asn.ts answeringAsn over a database), null when none. */
export type AnswerNetwork = (addr: string | null) => AnswerAsn | null

export interface NamedPop {
  code: string
  confidence: number
}

/** An observation's pop and popConfidence from a namer's answer. */
export function popFields(n: NamedPop | null): {pop: string | null; popConfidence?: number} {
  return n === null ? {pop: null} : {pop: n.code, popConfidence: n.confidence}
}

export interface DnsProberOptions {
  addr: string
  family: 4 | 6
  port: number
  timeoutMs: number
  /** default: a fresh popNamer(); null: name nothing, return the signals (child mode) */
  name?: PopNamer | null
  /** tests inject a transport (every flow shares it); default one long-lived UDP socket per flow */
  exchanger?: DnsExchanger
  now?: () => number
}

const HOSTNAME_BIND: QuerySpec = {qname: 'hostname.bind', qclass: 'CH', qtype: 'TXT', nsid: true}

/** popVerdict's naming (src/infer/verdict.ts) over a prober's observations, remembered per distinct input. */
export function popNamer(): PopNamer {
  const cache = new Map<string, NamedPop | null>()
  // the first inference loads the place dictionaries (~1 s): do it now, not in the middle of a round
  verdictOfObservations([{signal: 'dns-identity', input: 's1.fra.anycast.example'}], {rttMs: null, vpLocation: null})
  return (inputs, rttMs, at = null, answer = null) => {
    if (inputs.length === 0) return null
    // Without a location the RTT cannot rule anything out: it is left out, and one verdict per
    // distinct input is cached. With one, the RTT is taken up to the next whole ms (a bound a
    // little looser than the probe's: it never rules out a place the exact RTT allows, at most
    // keeps one ~100 km farther), so the cache holds one verdict per input, place and ms.
    const rtt = at === null || rttMs === null ? null : Math.ceil(rttMs)
    // the answering network by its number: the verdict reads no more of it than which vendor's it is
    const as = answer === null ? '' : `#AS${answer.asn}`
    const key = (at === null ? JSON.stringify(inputs) : `${JSON.stringify(inputs)}@${at.lat},${at.lon}/${rtt}`) + as
    if (cache.has(key)) return cache.get(key)!
    // PoP codes are written upper case, as the model and the lab name them (FRA, AMS+FRA)
    const v = verdictOfObservations(inputs, {rttMs: rtt, vpLocation: at, answerAsn: answer})
    const named = v === null ? null : {code: v.code.toUpperCase(), confidence: v.confidence}
    if (cache.size > 1000) cache.clear()
    cache.set(key, named)
    return named
  }
}

/** A namer for one vantage point: `name`, told where it is (null: unplaced, nothing ruled out by RTT). */
export function namerAt(name: PopNamer, vantage: VantagePoint): PopNamer {
  const at = vpLocationOf(vantage)
  return (inputs, rttMs, _at, answer) => name(inputs, rttMs, at, answer)
}

export function makeDnsProber(opts: DnsProberOptions): Prober {
  const flows = opts.exchanger === undefined ? new FlowExchangers({addr: opts.addr, port: opts.port, family: opts.family}) : null
  const exchangerOf = (flow: number): DnsExchanger => flows?.get(flow) ?? opts.exchanger!
  // ids of the probes in flight: probes of one flow share a socket, so their ids must differ
  const inFlight = new Set<number>()
  const now = opts.now ?? Date.now
  const name = opts.name === undefined ? popNamer() : opts.name
  // Every query is the same message but for its id: encode it once and write each probe's id into
  // a copy. At 20 probes a second this code never gets hot enough to be optimised, so each
  // dns-packet encode or decode saved per probe shows in the CPU of every vantage point.
  const template = encodeQuery(HOSTNAME_BIND, 0)
  const prober: Prober = async (flow) => {
    // a fresh random id per probe (RFC 5452), as randomIds draws them
    let id = randomInt(0, 0x10000)
    while (inFlight.has(id)) id = randomInt(0, 0x10000)
    inFlight.add(id)
    const query = Buffer.from(template)
    query.writeUInt16BE(id, 0)
    const startedAt = now()
    try {
      // the reply accepted is read once: accept() keeps what it read
      let parsed: ParsedReply | null = null
      const accept = (buf: Buffer): boolean => {
        const fast = readHostnameBindReply(buf, id)
        if (fast === null) return false
        if (fast !== undefined) {
          parsed = fast
          return true
        }
        // any other shape: the general decoder decides, as it does for every other DNS probe
        const d = decodeReply(buf)
        if (d === null || !matchesQuery(d, HOSTNAME_BIND, id)) return false
        // only records answering the question (CH TXT hostname.bind) are the identity
        parsed = readReply(d, buf, HOSTNAME_BIND)
        return true
      }
      const {reply, rttMs} = await exchangerOf(flow).exchange(query, accept, opts.timeoutMs)
      // an exchanger that did not go through accept (a test's fake) still gets the general reading
      parsed ??= readReply(decodeReply(reply)!, reply, HOSTNAME_BIND)
      const signals = popObservations({method: 'dns', identity: identityStrings(parsed), destinationAnswered: true, rttMs, vpLocation: null})
      return {
        receivedAt: Math.round(startedAt + rttMs),
        rttMs: round3(rttMs),
        ...popFields(name === null ? null : name(signals, rttMs)),
        answered: true,
        signals,
        ...(parsed.rcode === 'NOERROR' ? {} : {error: `rcode ${parsed.rcode}`}),
      }
    } catch (error) {
      if (!(error instanceof DnsExchangeError)) throw error
      return {receivedAt: null, rttMs: null, pop: null, answered: false, error: error.kind}
    } finally {
      inFlight.delete(id)
    }
  }
  if (flows !== null) prober.close = () => flows.close()
  return prober
}

export interface HttpProberOptions {
  url: URL
  host: string | null
  timeoutMs: number
  insecure: boolean
  /** as for DNS: default a fresh popNamer(), null names nothing */
  name?: PopNamer | null
  /** the answering address's network, for the namer (edge-trust); absent: none (headers read as they stand) */
  answerAsn?: AnswerNetwork
  now?: () => number
}

/** An HTTP prober and its flows' connections (tests read their ports and retries). */
export type HttpProber = Prober & {readonly flows: HttpFlowAgents; close: () => void}

/** An engine error as a line to say once: `E_CODE: message` and its hint (sanitised). */
export function faultText(e: AnyprobeError): string {
  return `${e.code}: ${sanitize(e.message, 500)}${e.hint ? `\nhint: ${sanitize(e.hint, 300)}` : ''}`
}

/**
 * Says each distinct vantage-side failure once (a watch probes 20 times a second: the same
 * certificate error would be said on every probe): the text the first time, null after.
 */
export function faultOnce(): (answer: ProbeAnswer | null) => string | null {
  const said = new Set<string>()
  return (answer) => {
    const d = answer?.detail
    if (d === undefined || said.has(d) || said.size >= 20) return null
    said.add(d)
    return d
  }
}

/** One GET per probe on the flow's kept connection; the PoP from the response headers (CF-RAY, X-Served-By, ...). */
export function makeHttpProber(opts: HttpProberOptions): HttpProber {
  const now = opts.now ?? Date.now
  const name = opts.name === undefined ? popNamer() : opts.name
  const flows = new HttpFlowAgents(opts.url.protocol === 'https:')
  const onRetry = (): void => {
    flows.retries++
  }
  const probe = async (flow: number): Promise<ProbeAnswer> => {
    const startedAt = now()
    const t0 = process.hrtime.bigint()
    const how = flows.probe(flow)
    try {
      const out = await probeHttp({
        url: opts.url,
        method: 'GET',
        host: opts.host,
        headers: {},
        insecure: opts.insecure,
        timeoutMs: opts.timeoutMs,
        follow: false,
        cfTrace: false,
        agent: how.agent,
        onRetry,
      })
      how.settle(true)
      const elapsed = Number(process.hrtime.bigint() - t0) / 1e6
      // the handshake on a new connection, else the first byte: see minRttFromTimings
      const rtt = minRttFromTimings(out.final.timings)
      const obs = popObservations({method: 'http', headers: httpHeaderSignals(out.final.headers, [], null), destinationAnswered: true, rttMs: rtt, vpLocation: null})
      const addr = out.final.remoteAddr
      // named with the answering network here; a child (name null) sends the address, the parent looks it up
      const answer = name === null || opts.answerAsn === undefined ? null : opts.answerAsn(addr)
      return {
        receivedAt: Math.round(startedAt + elapsed),
        rttMs: rtt === null ? null : round3(rtt),
        ...popFields(name === null ? null : name(obs, rtt, undefined, answer)),
        answered: true,
        signals: obs,
        ...(addr === null ? {} : {answerAddr: addr}),
      }
    } catch (error) {
      how.settle(false)
      const none = {receivedAt: null, rttMs: null, pop: null, answered: false} as const
      if (!(error instanceof AnyprobeError)) return {...none, error: 'E_INTERNAL'}
      // the engine's code and its one split (targetsFailure): a certificate we did not trust is
      // not an outage of the target (it answered), and is said with the engine's words
      if (targetsFailure(error)) return {...none, error: error.code}
      return {...none, error: error.code, vantageFault: true, detail: faultText(error)}
    }
  }
  return Object.assign(probe, {flows, close: () => flows.close()})
}
