// A saved anyprobe trace outcome (a catchment --ndjson line) from a lab-like 3-hop trace, the
// record the report and validation benches read: vantage point vp-(1 + i % probes), started at
// startedAtMs.
export function savedTraceOutcome(i: number, probes: number, startedAtMs: number): string {
  const id = `vp-${1 + (i % probes)}`
  const v = {kind: 'netns', id, name: id, asn: null, country: null, lat: null, lon: null}
  const hop = (ttl: number, addr: string, hostname: string, rtt: number) => ({ttl, addr, addrs: [addr], hostname, asn: null, asOrg: null, rttMs: [rtt, rtt + 0.1, rtt + 0.2],
    replies: [0, 1, 2].map((p) => ({probe: p, addr, rttMs: rtt + p / 10, icmpType: 11, icmpCode: 0, replyTtl: 64 - ttl})),
    hint: {code: 'fra', codeType: 'iata', token: 'fra03', city: 'Frankfurt am Main', country: 'DE', lat: 50.03, lon: 8.57, confidence: 0.8}})
  const result = {
    schemaVersion: 1, kind: 'trace', target: '198.51.100.10', targetAddr: '198.51.100.10', targetInfo: {class: 'documentation', knownAnycast: null, notes: []}, family: 4, protocol: 'icmp', flowId: 4242, vantage: v,
    startedAt: new Date(startedAtMs).toISOString(), durationMs: 52.1,
    params: {maxHops: 32, firstHop: 1, probes: 3, timeoutMs: 1000, rate: null, port: null, gapLimit: 5},
    hops: [hop(1, '198.19.1.1', 'ae20-0.cr1.fra03.transit.example', 0.3), hop(2, '198.18.11.2', 'et-0-0-0.edge1.frankfurt1.pop.anycast.example', 0.5), hop(3, '198.51.100.10', 'ns.anycast.example', 0.7)],
    destinationReached: true, stopReason: 'completed', targetHostname: 'ns.anycast.example',
    pop: {code: 'fra', codeType: 'iata', city: 'Frankfurt am Main', country: 'DE', lat: 50.03, lon: 8.57, confidence: 0.75,
      evidence: [{signal: 'hop-hostname', input: 'et-0-0-0.edge1.frankfurt1.pop.anycast.example', code: 'frankfurt', codeType: 'city', city: 'Frankfurt am Main', country: 'DE', weight: 0.57, note: 'city name'}], conflicts: []},
  }
  return JSON.stringify({schemaVersion: 1, kind: 'outcome', method: 'trace', target: '198.51.100.10', vantage: v, result, error: null})
}
