// One local DNS identity probe, end to end: resolve the target, send the identity queries, build
// the result, name the PoP (popVerdict). The command parses flags into a DnsPlan and renders; the
// netns/ssh backends run the command itself, so this is the single path every local dns probe takes.
import {probeDns} from '../engines/dns/probe.js'
import type {LatLon} from '../geo/distance.js'
import {popExplanation} from '../infer/fuse.js'
import {resultVerdictExplained} from '../infer/verdict.js'
import {DNS_SCHEMA_VERSION, type DnsResult, type DnsTransport} from '../model/dns.js'
import {localVantage, type VantagePoint} from '../model/vantage.js'
import {dnsNoAnswerError} from '../util/dns-no-answer.js'
import {sanitize} from '../util/sanitize.js'
import {resolveTarget} from '../util/target.js'

export interface DnsPlan {
  target: string
  port: number
  transport: DnsTransport
  timeoutMs: number
  /** the ordinary query that carries NSID */
  qname: string
  qtype: string
  vpLocation: LatLon | null
  vantage?: VantagePoint
}

export async function probeDnsTarget(plan: DnsPlan): Promise<DnsResult> {
  const target = await resolveTarget(plan.target)
  const startedAt = new Date().toISOString()
  const outcome = await probeDns({addr: target.addr, family: target.family, port: plan.port, transport: plan.transport, timeoutMs: plan.timeoutMs, qname: plan.qname, qtype: plan.qtype})
  const result: DnsResult = {
    schemaVersion: DNS_SCHEMA_VERSION,
    kind: 'dns',
    target: plan.target,
    targetAddr: target.addr,
    port: plan.port,
    transport: plan.transport,
    vantage: plan.vantage ?? localVantage(),
    startedAt,
    durationMs: Math.round(outcome.durationMs * 1000) / 1000,
    params: {timeoutMs: plan.timeoutMs, qname: plan.qname, qtype: plan.qtype},
    queries: outcome.queries,
    identity: outcome.identity,
    answered: outcome.answered,
    noAnswer: null,
    pop: null,
  }
  // why it did not answer, in the JSON as http's result says it (the code a script branches on)
  const why = dnsNoAnswerError(result)
  if (why !== null) result.noAnswer = {code: why.code, message: sanitize(why.message, 500), hint: why.hint}
  const explained = resultVerdictExplained(result, plan.vpLocation)
  return {...result, pop: explained.verdict, ...popExplanation(explained)}
}
