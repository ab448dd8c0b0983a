// Before/after wall time of one anyprobe command line from two built checkouts, interleaved so
// machine load falls on both alike (compare two trees on the same filesystem: /work vs /tmp
// differed by ~30 ms of start-up alone).
//   node bench/ab-cli.mjs DIR_BEFORE DIR_AFTER RUNS [--netns NS] -- ARGS...
// e.g. node bench/ab-cli.mjs /tmp/before /tmp/after 41 -- --help
//      node bench/ab-cli.mjs /tmp/before /tmp/after 21 --netns ap-vp-sao -- trace 198.51.100.10 --json   (lab up, root)
import {spawnSync} from 'node:child_process'

const [before, after, runsText, ...rest] = process.argv.slice(2)
const dash = rest.indexOf('--')
const opts = dash < 0 ? [] : rest.slice(0, dash)
const args = dash < 0 ? rest : rest.slice(dash + 1)
const ns = opts[0] === '--netns' ? opts[1] : null
const runs = Number(runsText ?? 21)
const ms = {before: [], after: []}
const dirs = [['before', before], ['after', after]]
for (let i = 0; i < runs; i++) {
  for (const [k, d] of i % 2 ? [...dirs].reverse() : dirs) {
    const argv = ['node', `${d}/bin/run.js`, ...args]
    const t = process.hrtime.bigint()
    spawnSync(ns ? 'ip' : argv[0], ns ? ['netns', 'exec', ns, ...argv] : argv.slice(1), {stdio: 'ignore'})
    ms[k].push(Number(process.hrtime.bigint() - t) / 1e6)
  }
}
const q = (x, p) => [...x].sort((a, b) => a - b)[Math.floor(x.length * p)].toFixed(1)
for (const k of ['before', 'after']) console.log(`${k.padEnd(6)} p10 ${q(ms[k], 0.1)} ms  p25 ${q(ms[k], 0.25)} ms  median ${q(ms[k], 0.5)} ms  (${runs} runs)`)
