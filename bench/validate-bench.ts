// What checking saved records costs (src/store/validate.ts): checkOutcome over N saved trace
// outcomes (the shape of bench/report-bench.ts's NDJSON run, a 3-hop lab trace), against
// JSON.parse of the same lines alone. Prints µs per record for each: checking is timed on records
// parsed once, so the noise of parsing stays out of it (report reads ~50 000 such records/s, 20 µs
// each, so 1 µs of checking is 5% of report).
//
//   node --import tsx bench/validate-bench.ts [records=200000] [rounds=5]
// VALIDATE=$PWD/src/store/validate-old.ts compares another version, e.g. a copy made with
// `git show REV:src/store/validate.ts > src/store/validate-old.ts` (delete it after).

const {checkOutcome} = (await import(process.env.VALIDATE ?? '../src/store/validate.js')) as typeof import('../src/store/validate.js')
const N = Number(process.argv[2] ?? 200_000)
const ROUNDS = Number(process.argv[3] ?? 5)

function line(i: number): string {
  const id = `vp-${1 + (i % 10_000)}`
  const v = {kind: 'netns', id, name: id, asn: null, country: null, lat: null, lon: null}
  const hop = (ttl: number, addr: string, hostname: string, rtt: number) => ({ttl, addr, addrs: [addr], hostname, asn: null, asOrg: null, rttMs: [rtt, rtt + 0.1, rtt + 0.2],
    replies: [0, 1, 2].map((p) => ({probe: p, addr, rttMs: rtt + p / 10, icmpType: 11, icmpCode: 0, replyTtl: 64 - ttl})),
    hint: {code: 'fra', codeType: 'iata', token: 'fra03', city: 'Frankfurt am Main', country: 'DE', lat: 50.03, lon: 8.57, confidence: 0.8}})
  const result = {
    schemaVersion: 1, kind: 'trace', target: '198.51.100.10', targetAddr: '198.51.100.10', targetInfo: {class: 'documentation', knownAnycast: null, notes: []}, family: 4, protocol: 'icmp', flowId: 4242, vantage: v,
    startedAt: new Date(1_700_000_000_000 + i * 1000).toISOString(), durationMs: 52.1,
    params: {maxHops: 32, firstHop: 1, probes: 3, timeoutMs: 1000, rate: null, port: null, gapLimit: 5},
    hops: [hop(1, '198.19.1.1', 'ae20-0.cr1.fra03.transit.example', 0.3), hop(2, '198.18.11.2', 'et-0-0-0.edge1.frankfurt1.pop.anycast.example', 0.5), hop(3, '198.51.100.10', 'ns.anycast.example', 0.7)],
    destinationReached: true, stopReason: 'completed', targetHostname: 'ns.anycast.example',
    pop: {code: 'fra', codeType: 'iata', city: 'Frankfurt am Main', country: 'DE', lat: 50.03, lon: 8.57, confidence: 0.75,
      evidence: [{signal: 'hop-hostname', input: 'et-0-0-0.edge1.frankfurt1.pop.anycast.example', code: 'frankfurt', codeType: 'city', city: 'Frankfurt am Main', country: 'DE', weight: 0.57, note: 'city name'}], conflicts: []},
  }
  return JSON.stringify({schemaVersion: 1, kind: 'outcome', method: 'trace', target: '198.51.100.10', vantage: v, result, error: null})
}

const lines = Array.from({length: N}, (_, i) => line(i))
let sink = 0
const parseOnly = (): number => {
  const t = performance.now()
  for (const l of lines) sink += (JSON.parse(l) as {kind: string}).kind.length
  return performance.now() - t
}
// checking alone: the same parsed records again and again (a check leaves a record valid, and does
// the same work on it the next time), so JSON.parse's noise is out of the figure
const parsed = lines.map((l) => JSON.parse(l) as unknown)
const checkOnly = (): number => {
  const t = performance.now()
  for (const v of parsed) {
    const o = checkOutcome(v)
    if (typeof o === 'string') throw new Error(o)
    sink += o.vantage.id.length
  }
  return performance.now() - t
}
parseOnly()
checkOnly()
const p: number[] = []
const c: number[] = []
for (let r = 0; r < ROUNDS; r++) {
  p.push(parseOnly())
  c.push(checkOnly())
}
const best = (xs: number[]): number => Math.min(...xs)
const us = (ms: number): string => ((ms * 1000) / N).toFixed(3)
console.log(`${N} records x ${ROUNDS} rounds (best): JSON.parse ${us(best(p))} µs/record, checkOutcome ${us(best(c))} µs/record (${((best(c) / best(p)) * 100).toFixed(1)}% of parse)  [${sink > 0 ? 'ok' : ''}]`)
