// Benchmark of the geohint engine and CLI on synthetic router hostnames.
//   node --import tsx bench/geohint-bench.ts [count]        (default 100000)
//   node --import tsx bench/geohint-bench.ts --generate N   (print N hostnames and exit)
// Names are synthesised from operators' naming patterns with random codes drawn from the airport
// table (not copied from the corpus). Reports hostnames/second after start-up, in-process
// (hostnameHint) and through the built CLI (`./bin/run.js geohint --json`, timed against a
// one-line run so start-up and dictionary loading are subtracted).
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {airportByIata, airportPlace, allIataCodes} from '../src/geo/index.js'
import {hostnameHint} from '../src/infer/index.js'
import {rng} from './rng.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))


export function generateHostnames(count: number, seed = 1): string[] {
  const rand = rng(seed)
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!
  const n = (max: number) => Math.floor(rand() * max)
  const nn = () => String(1 + n(30)).padStart(2, '0')
  const codes = allIataCodes().filter((c) => {
    const a = airportByIata(c)
    return a !== null && a.scheduled
  })
  const iface = () =>
    pick([
      () => `ae${n(64)}`,
      () => `ae-${n(64)}`,
      () => `be${1000 + n(9000)}`,
      () => `xe-${n(8)}-${n(4)}-${n(4)}`,
      () => `et-${n(8)}-0-${n(8)}`,
      () => `ge-${n(4)}-${n(4)}-${n(48)}`,
      () => `hu0-0-0-${n(36)}`,
      () => `te0-${n(8)}-0-${n(32)}`,
      () => `100ge${n(16)}-${n(4)}`,
    ])()
  const city = (code: string) => airportPlace(airportByIata(code)!).city.normalize('NFD').replace(/[^A-Za-z]/g, '')
  const patterns: Array<(c: string) => string> = [
    (c) => `${iface()}.ccr${20 + n(40)}.${c}${nn()}.atlas.cogentco.com`,
    (c) => `${iface()}.core${1 + n(4)}.${c}${1 + n(3)}.he.net`,
    (c) => `${iface()}.cr${n(4)}-${c}${1 + n(9)}.ip4.gtt.net`,
    (c) => `${iface()}.mpr${1 + n(4)}.${c}${1 + n(20)}.us.zip.zayo.com`,
    (c) => `${n(2)}.${iface()}.BR${1 + n(4)}.${c.toUpperCase()}${1 + n(9)}.ALTER.NET`,
    (c) => `${iface()}.edge${1 + n(9)}.${city(c)}${1 + n(5)}.Level3.net`,
    (c) => `${c}-b${1 + n(20)}-link.ip.twelve99.net`,
    (c) => `${iface()}.cr1.${c}${nn()}.transit.example`,
    (c) => `et-0-0-${n(8)}.edge${1 + n(3)}.${city(c).toLowerCase()}${1 + n(3)}.pop.anycast.example`,
    (c) => `ge-0-0-${n(8)}.ar1.${airportByIata(c)!.country.toLowerCase()}${c}.access.example`,
    (c) => `s${1 + n(4)}.${c}.anycast.example`,
    (c) => `${iface()}.bdr${1 + n(3)}.${c}${1 + n(5)}.example-isp.net`,
  ]
  const out: string[] = []
  for (let i = 0; i < count; i++) out.push(pick(patterns)(pick(codes)))
  return out
}

function inProcess(names: string[]): number {
  for (let i = 0; i < 2000; i++) hostnameHint(names[i % names.length]!) // warm-up: dictionaries load
  const t0 = process.hrtime.bigint()
  let located = 0
  for (const name of names) if (hostnameHint(name)?.city) located++
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  process.stdout.write(`in-process hostnameHint: ${names.length} names in ${s.toFixed(2)} s = ${Math.round(names.length / s)}/s (${located} with a city)\n`)
  return names.length / s
}

function viaCli(names: string[]): number | null {
  const bin = join(ROOT, 'bin', 'run.js')
  if (!existsSync(join(ROOT, 'dist', 'commands', 'geohint.js'))) {
    process.stdout.write('CLI not built (npm run build): skipped the CLI measurement\n')
    return null
  }
  const dir = mkdtempSync(join(tmpdir(), 'geohint-bench-'))
  try {
    const all = join(dir, 'all.txt')
    const one = join(dir, 'one.txt')
    writeFileSync(all, names.join('\n') + '\n')
    writeFileSync(one, names[0] + '\n')
    const run = (file: string): {s: number; lines: number} => {
      const t0 = process.hrtime.bigint()
      const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" geohint --json < "${file}"`], {maxBuffer: 1 << 30, encoding: 'utf8'})
      const s = Number(process.hrtime.bigint() - t0) / 1e9
      if (r.status !== 0) throw new Error(`geohint exited ${r.status}: ${r.stderr}`)
      return {s, lines: r.stdout.split('\n').filter(Boolean).length}
    }
    const startup = Math.min(run(one).s, run(one).s)
    const full = run(all)
    if (full.lines !== names.length) throw new Error(`expected ${names.length} NDJSON lines, got ${full.lines}`)
    const rate = names.length / (full.s - startup)
    process.stdout.write(
      `CLI geohint --json: ${names.length} names in ${full.s.toFixed(2)} s, start-up ${startup.toFixed(2)} s -> ${Math.round(rate)}/s after start-up\n`,
    )
    return rate
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

function main(): void {
  const args = process.argv.slice(2)
  if (args[0] === '--generate') {
    process.stdout.write(generateHostnames(Number(args[1] ?? 100000)).join('\n') + '\n')
    return
  }
  const count = Number(args[0] ?? 100000)
  const names = generateHostnames(count)
  process.stdout.write(`sample: ${names.slice(0, 5).join('  ')}\n`)
  const a = inProcess(names)
  const b = viaCli(names)
  const target = 50000
  process.stdout.write(`target ${target}/s: in-process ${a >= target ? 'met' : 'MISSED'}${b === null ? '' : `, CLI ${b >= target ? 'met' : 'MISSED'}`}\n`)
}

main()
