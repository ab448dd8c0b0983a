// --locations FILE reading speed: N lines of bare numeric ids (a file for every RIPE Atlas probe is
// ~13k), the ID LAT LON COUNTRY form. Was 17.5 s for 20,000 lines while the NAME-given-twice check
// scanned every earlier name for each bare one; 90 ms before that check (12f59ae).
//   node --import tsx bench/locations-bench.ts [N]
import {parseLocations} from '../src/vantage/locations.js'

const N = Number(process.argv[2] ?? 20_000)
const lines = Array.from({length: N}, (_, i) => `${i + 1} ${((i % 180) - 90) / 2} ${((i % 360) - 180) / 2} ${i % 2 ? 'DE' : 'NL'}`)
const text = lines.join('\n')
parseLocations(lines.slice(0, 1000).join('\n')) // warm up
const t0 = performance.now()
const m = parseLocations(text)
const ms = performance.now() - t0
if (m.size !== N) throw new Error(`read ${m.size} of ${N} lines`)
console.log(`parseLocations: ${N} lines in ${ms.toFixed(0)} ms (${((ms * 1000) / N).toFixed(2)} us a line)`)
