// The readings of a DNS or HTTP answer that speak for the PoP, before any inference: cheap and
// free of the place dictionaries, so the probe engines and watch children can use them without
// loading the inference engine. src/infer/verdict.ts turns them into a verdict.
import type {DnsIdentity} from '../model/dns.js'

/** One header reading for the engine (structurally infer's Observation). */
export interface HeaderSignal {
  signal: 'http-header' | 'user'
  header: string
  input: string
}

/** The identity strings a DNS server gave (hostname.bind, id.server, NSID), each once. */
export function identityInputs(identity: DnsIdentity): string[] {
  const inputs = [identity.hostnameBind, identity.idServer, identity.nsid?.text ?? null, ...(identity.otherTexts ?? [])]
  const out: string[] = []
  for (const s of inputs) if (s !== null && s !== '' && !out.includes(s)) out.push(s)
  return out
}

/** Header signals of an HTTP response: every header, --pop-header ones as user signals, cf-trace colo=. */
export function httpHeaderSignals(headers: Record<string, string>, popHeaders: string[], cfTrace: Record<string, string> | null): HeaderSignal[] {
  const user = new Set(popHeaders.map((h) => h.toLowerCase()))
  const obs: HeaderSignal[] = []
  for (const [name, value] of Object.entries(headers)) {
    if (value.trim() === '') continue
    obs.push({signal: user.has(name) ? 'user' : 'http-header', header: name, input: value})
  }
  // loc= is the client's country, not the PoP's: only colo= names the edge
  if (cfTrace?.colo) obs.push({signal: 'http-header', header: 'cf-trace', input: `colo=${cfTrace.colo}`})
  return obs
}
