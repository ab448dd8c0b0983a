// Size and time of the HTML catchment page for a big catchment (N vantage points, 20 PoPs),
// rendered in Node: `node --import tsx bench/html-bench.ts [N]`.
import {htmlReport} from '../src/render/html/index.js'
import type {CatchmentResult} from '../src/analysis/catchment.js'

const n = Number(process.argv[2] ?? 10_000)
const cities = [['fra', 'Frankfurt am Main', 'DE'], ['iad', 'Ashburn', 'US'], ['sin', 'Singapore', 'SG'], ['nrt', 'Tokyo', 'JP'], ['gru', 'Sao Paulo', 'BR'], ['syd', 'Sydney', 'AU'], ['lhr', 'London', 'GB'], ['ams', 'Amsterdam', 'NL'], ['lax', 'Los Angeles', 'US'], ['jnb', 'Johannesburg', 'ZA']] as const
let seed = 1
const rnd = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647)
const rows = Array.from({length: n}, (_, i) => {
  const c = cities[i % cities.length]!
  return {vantage: {kind: 'atlas' as const, id: String(1000 + i), name: null, asn: 64500, country: null, lat: rnd() * 140 - 60, lon: rnd() * 360 - 180}, pop: {code: c[0], city: c[1], country: c[2], confidence: 0.9}, rttMs: Math.round(rnd() * 2000) / 10, evidence: `dns-identity s1.${c[0]}.example`, reached: true, error: null}
})
const c: CatchmentResult = {
  schemaVersion: 1, kind: 'catchment', target: '198.51.100.10', method: 'dns', vantagePoints: rows,
  pops: cities.map((p) => ({code: p[0], city: p[1], country: p[2], vantagePoints: rows.filter((r) => r.pop.code === p[0]).map((r) => r.vantage.id), share: 0.1, medianRttMs: 50})),
  summary: {vantagePoints: n, measured: n, located: n, unlocated: 0, failed: 0},
}
htmlReport({catchment: {...c, vantagePoints: c.vantagePoints.slice(0, 1)}}) // world outline loaded once
const t = performance.now()
const html = htmlReport({catchment: c})
console.log(`${n} vantage points: ${(html.length / 1e6).toFixed(2)} MB in ${(performance.now() - t).toFixed(0)} ms`)
