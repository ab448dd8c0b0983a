// `sites --input` on a RIPE Atlas ping dump as published (bzip2) against the same file plain: the
// cost of reading bzip2 through the system's bzip2 (src/util/decompress.ts). Makes a 100 MB NDJSON
// of 300,000 results (30 targets x 10,000 probes), then times the built CLI on both.
//   npm run build && node --import tsx bench/bzip2-input.ts
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {bzip2Tool} from '../src/util/decompress.js'

const tool = bzip2Tool()
if (tool === null) throw new Error('no bzip2 or lbzip2 on PATH')
const dir = mkdtempSync(join(tmpdir(), 'anyprobe-bz-bench-'))
const plain = join(dir, 'ping.ndjson')
const lines: string[] = []
let seed = 1
const rand = (): number => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647)
for (let t = 0; t < 30; t++)
  for (let p = 1; p <= 10_000; p++) {
    const rtt = Math.round((1 + rand() * 199) * 1000) / 1000
    lines.push(JSON.stringify({fw: 5020, af: 4, dst_addr: `198.51.100.${t}`, dst_name: `198.51.100.${t}`, from: '192.0.2.1', msm_id: 1000 + t, prb_id: p, proto: 'ICMP', type: 'ping', timestamp: 1_457_111_609, size: 48, sent: 3, rcvd: 3, min: rtt, avg: rtt, max: rtt, result: [{rtt}, {rtt}, {rtt}]}))
  }
writeFileSync(plain, lines.join('\n') + '\n')
const bz = `${plain}.bz2`
writeFileSync(bz, execFileSync(tool, ['-c', plain], {maxBuffer: 1 << 30}))
const mb = (f: string): string => `${(statSync(f).size / 1e6).toFixed(1)} MB`
for (const f of [plain, bz, plain, bz]) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', './bin/run.js', 'sites', '198.51.100.7', '--input', f], {encoding: 'utf8'})
  const [s, kb] = r.stderr.trim().split('\n').pop()!.split(' ')
  console.log(`${f.endsWith('.bz2') ? 'bzip2' : 'plain'} ${mb(f)}: ${s} s, ${Math.round(Number(kb) / 1024)} MB peak (exit ${r.status})`)
}
