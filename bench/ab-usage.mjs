// Before/after of one anyprobe command line from two built checkouts, interleaved like
// bench/ab-cli.mjs, with what the command itself used: wall time, CPU time (user + system: less
// disturbed than wall time by other load on a shared machine) and peak RSS, read from the child by
// a preload (bench/usage-preload.cjs). Stdout is read through a pipe (as by `| cat`), or discarded.
//   node bench/ab-usage.mjs DIR_BEFORE DIR_AFTER RUNS [--stdin FILE] -- ARGS...
// e.g. node bench/ab-usage.mjs /tmp/before /tmp/after 5 -- report /tmp/outcomes.ndjson --json
//      node bench/ab-usage.mjs /tmp/before /tmp/after 7 --stdin names.txt -- geohint --json
import {closeSync, openSync} from 'node:fs'
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const PRELOAD = fileURLToPath(new URL('usage-preload.cjs', import.meta.url))
const [before, after, runsText, ...rest] = process.argv.slice(2)
const dash = rest.indexOf('--')
const opts = dash < 0 ? [] : rest.slice(0, dash)
const args = dash < 0 ? rest : rest.slice(dash + 1)
const stdin = opts[0] === '--stdin' ? opts[1] : null
const runs = Number(runsText ?? 5)
const got = {before: [], after: []}
for (let i = 0; i < runs; i++) {
  for (const [k, d] of i % 2 ? [['after', after], ['before', before]] : [['before', before], ['after', after]]) {
    const fd = stdin === null ? 'ignore' : openSync(stdin, 'r')
    const t = process.hrtime.bigint()
    const r = spawnSync(process.execPath, ['--require', PRELOAD, `${d}/bin/run.js`, ...args], {stdio: [fd, 'pipe', 'ignore', 'pipe'], maxBuffer: 1 << 30})
    const wall = Number(process.hrtime.bigint() - t) / 1e6
    if (typeof fd === 'number') closeSync(fd)
    const [cpuUs, rssKB] = r.output[3].toString().trim().split(' ').map(Number)
    got[k].push({wall, cpu: cpuUs / 1000, rss: rssKB / 1024, bytes: r.stdout.length, status: r.status})
  }
}
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)]
const ms = (x) => (x >= 10_000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`)
for (const k of ['before', 'after']) {
  const x = got[k]
  const w = x.map((y) => y.wall)
  const c = x.map((y) => y.cpu)
  const m = x.map((y) => y.rss)
  console.log(
    `${k.padEnd(6)} wall p10 ${ms(q(w, 0.1))} p25 ${ms(q(w, 0.25))} median ${ms(q(w, 0.5))}; CPU median ${ms(q(c, 0.5))}; peak RSS median ${q(m, 0.5).toFixed(0)} MB, max ${Math.max(...m).toFixed(0)} MB; ${x[0].bytes} bytes out, exit ${x[0].status} (${runs} runs)`,
  )
}
