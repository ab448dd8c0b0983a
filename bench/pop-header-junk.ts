// Worst case of reading hostile PoP header values and DNS identities: every header rule and the
// identity formats on junk shaped to make their patterns backtrack, at the length cap (read) and at
// 64 KB (refused unread). No timing assertion: quote the output.
//   node --import tsx bench/pop-header-junk.ts
import {HEADER_RULES, MAX_POP_HEADER_VALUE, parseHeader} from '../src/infer/headers.js'
import {MAX_IDENTITY, identityCandidates} from '../src/infer/identity.js'

const shapes = ['cache-', 'cache-a', 'a-', 'a', 'a ', ' ,', 'a,', 'A0', 'Ref B: ', '(D cache-', '!abc!cache-', 'colo=', '1.a1.a.', 'a::', 'BunnyCDN-', 'ECS (', 'Aa', 'a.', '-hw-edge-gc', 'QUFB', 'cdn-pop;desc="', 'cleanbrowsing dns-edge-', 'server a.', 'res1.', 'nnn1-']
const fill = (unit: string, n: number): string => unit.repeat(Math.ceil(n / unit.length)).slice(0, n)
const headers = [...new Set(HEADER_RULES.flatMap((r) => r.headers))]
parseHeader('cf-ray', '8a1b2c3d4e5f6789-FRA') // load the dictionaries outside the timing
identityCandidates('res700.fra.rrdns.pch.net')
for (const [label, n] of [['at the cap', MAX_POP_HEADER_VALUE], ['64 KB', 65536]] as const) {
  let worst = {ms: 0, what: ''}
  const t0 = performance.now()
  for (const h of headers) for (const u of shapes) {
    const t = performance.now()
    parseHeader(h, fill(u, n))
    const ms = performance.now() - t
    if (ms > worst.ms) worst = {ms, what: `${h} <- "${u}"...`}
  }
  console.log(`headers ${label} (${n} chars): ${headers.length * shapes.length} values in ${(performance.now() - t0).toFixed(0)} ms, worst ${worst.ms.toFixed(2)} ms (${worst.what})`)
}
for (const [label, n] of [['at the cap', MAX_IDENTITY], ['64 KB', 65536]] as const) {
  let worst = {ms: 0, what: ''}
  for (const u of shapes) {
    const t = performance.now()
    identityCandidates(fill(u, n))
    const ms = performance.now() - t
    if (ms > worst.ms) worst = {ms, what: `"${u}"...`}
  }
  console.log(`identities ${label} (${n} chars): worst ${worst.ms.toFixed(2)} ms (${worst.what})`)
}
