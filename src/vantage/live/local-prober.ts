// The in-process prober of the local vantage point for a live run (LocalBackend.rounds, and the
// child mode of `watch --observations` that netns/ssh vantage points run): the plan's method,
// target and timeout -> one Prober.
import {answeringAsn} from '../../enrich/answer-asn.js'
import {bundledAsnLookup} from '../../enrich/asn.js'
import {normalizeHttpTarget} from '../../engines/http/probe.js'
import {createRawTransport} from '../../engines/trace/index.js'
import type {RoundsPlan} from '../../model/probe.js'
import {resolveTarget} from '../../util/target.js'
import {type AnswerNetwork, makeDnsProber, makeHttpProber, type PopNamer, type Prober} from './probe.js'
import {makeTraceProber} from './trace-probe.js'

/** The answering network of an HTTP answer, from the bundled ASN database (public addresses only). */
export async function bundledAnswerNetwork(): Promise<AnswerNetwork> {
  const db = await bundledAsnLookup()
  return (addr) => answeringAsn(addr, db)
}

export async function makeLocalProber(plan: Pick<RoundsPlan, 'method' | 'target' | 'timeoutMs' | 'port' | 'insecure'>, name: PopNamer | null): Promise<Prober> {
  if (plan.method === 'http') {
    // a prober that names its PoPs weighs the answering network as `anyprobe http` does; one that
    // names nothing (a child) sends the address, and its parent looks it up (children.ts)
    const answerAsn = name === null ? undefined : await bundledAnswerNetwork()
    return makeHttpProber({url: normalizeHttpTarget(plan.target), host: null, timeoutMs: plan.timeoutMs, insecure: plan.insecure ?? false, name, ...(answerAsn === undefined ? {} : {answerAsn})})
  }
  const t = await resolveTarget(plan.target)
  if (plan.method === 'icmp' || plan.method === 'trace') {
    // without the privilege, say so once, now, rather than as every probe lost
    await (await createRawTransport({target: t.addr, family: t.family, protocol: 'icmp', port: null, flowId: null})).close()
    return makeTraceProber({method: plan.method, addr: t.addr, family: t.family, timeoutMs: plan.timeoutMs, name})
  }
  return makeDnsProber({addr: t.addr, family: t.family, port: plan.port ?? 53, timeoutMs: plan.timeoutMs, name})
}
