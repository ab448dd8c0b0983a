// Runs the PoP inference engine over the shared real-world corpus (/work/shared/corpus) and prints,
// per file, how many entries were read right, with every miss listed.
//   node --import tsx scripts/corpus-figures.ts [corpus-dir]
// The evaluation is exported so test/unit/corpus.test.ts asserts the same figures.
import {existsSync, readFileSync} from 'node:fs'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {citiesByName, haversineKm, METRO_KM, normName} from '../src/geo/index.js'
import {googleDnsSite, hostnameHint, parseDnsIdentity, parseHeader, parseHeaders, type HeaderReading} from '../src/infer/index.js'
import type {GeoHint} from '../src/model/pop.js'

export const DEFAULT_CORPUS_DIR = fileURLToPath(new URL('../../shared/corpus/', import.meta.url))

/** A claim is "confident" from this confidence up. */
export const CONFIDENT = 0.5

export type Outcome = 'right' | 'wrong' | 'pass' | 'fail'

export interface EntryResult {
  id: string
  input: string
  /** known: the place (city or code) is stated; unknown: location null; country: only country/state stated */
  category: 'known' | 'unknown' | 'country'
  ok: boolean
  got: string
  want: string
}

export interface FileReport {
  file: string
  entries: number
  results: EntryResult[]
}

interface ExpectedPlace {
  city?: string | null
  country?: string | null
  state?: string | null
}

/** Is a hint in the same metro as a stated city (same name, or within 100 km of it)? */
export function sameMetro(h: {city: string | null; country: string | null; lat: number | null; lon: number | null}, want: ExpectedPlace): boolean {
  if (!want.city || !h.city) return false
  if (want.country && h.country && want.country !== h.country) return false
  const names = [want.city, want.city.replace(/\s*\(.*?\)\s*/g, ' ').trim(), ...want.city.split(/[/,]/).map((s) => s.trim())]
  for (const n of names) if (n && normName(n) === normName(h.city)) return true
  if (h.lat === null || h.lon === null) return false
  for (const n of names) {
    if (!n) continue
    for (const c of citiesByName(n, want.country ?? null).slice(0, 3)) {
      if (haversineKm(c, {lat: h.lat, lon: h.lon}) <= METRO_KM) return true
    }
  }
  return false
}

function show(h: GeoHint | null): string {
  if (h === null) return 'null'
  return `${h.code}:${h.codeType} ${h.city ?? '-'}/${h.country ?? '-'} @${h.confidence}`
}

function confidentCity(h: GeoHint | null): boolean {
  return h !== null && h.city !== null && h.confidence >= CONFIDENT
}

export function evaluateRouters(dir: string): FileReport {
  const data = JSON.parse(readFileSync(new URL('router_hostnames.json', pathToFileURL(dir + '/')), 'utf8'))
  const results: EntryResult[] = []
  for (const e of data.entries) {
    const name: string = e.input.hostname
    const loc: ExpectedPlace | null = e.expected.location
    const h = hostnameHint(name)
    const got = show(h)
    if (loc === null) {
      results.push({id: e.id, input: name, category: 'unknown', ok: !confidentCity(h), got, want: 'no confident city'})
    } else if (loc.city) {
      results.push({id: e.id, input: name, category: 'known', ok: h !== null && sameMetro(h, loc), got, want: `${loc.city}/${loc.country ?? '?'}`})
    } else {
      const ok = !(confidentCity(h) && loc.country && h!.country !== loc.country)
      results.push({id: e.id, input: name, category: 'country', ok, got, want: `country ${loc.country ?? '?'}${loc.state ? ' ' + loc.state : ''}`})
    }
  }
  return {file: 'router_hostnames.json', entries: data.entries.length, results}
}

export function evaluateIdentities(dir: string): FileReport {
  const data = JSON.parse(readFileSync(new URL('dns_identity.json', pathToFileURL(dir + '/')), 'utf8'))
  const results: EntryResult[] = []
  for (const e of data.entries) {
    const answer = e.input.answer
    const x = e.expected
    if (typeof answer !== 'string') {
      // Google Public DNS: the egress address matched against the published prefix list
      if (!Array.isArray(answer?.myaddr) || !Array.isArray(answer?.locations)) continue
      const site = googleDnsSite(answer.myaddr, answer.locations)
      const want = typeof x.pop === 'string' ? x.pop.toLowerCase() : null
      const input = `myaddr ${answer.myaddr.join(',')} / locations ${answer.locations.join(';')}`
      results.push({id: e.id, input, category: want === null ? 'unknown' : 'known', ok: site === want, got: String(site), want: String(want)})
      continue
    }
    const h = parseDnsIdentity(answer)[0] ?? null
    const got = show(h)
    const spelled: string | null = x.city ?? (typeof x.site === 'string' ? x.site : null)
    const code: string | null = x.iata ?? (typeof x.pop === 'string' ? x.pop : null) ?? x.code ?? x.site_code ?? null
    if (x.pop === null || x.site === null) {
      results.push({id: e.id, input: answer, category: 'unknown', ok: !confidentCity(h), got, want: 'no confident city'})
    } else if (spelled) {
      const coords = Array.isArray(x.coords) ? {lat: x.coords[0], lon: x.coords[1]} : null
      let ok = h !== null && sameMetro(h, {city: spelled, country: x.country ?? null})
      if (!ok && h?.lat != null && coords) ok = haversineKm(coords, {lat: h.lat, lon: h.lon!}) <= METRO_KM
      results.push({id: e.id, input: answer, category: 'known', ok, got, want: spelled})
    } else if (code) {
      const c = code.toLowerCase()
      const codeOk = h !== null && (h.code === c || h.code.endsWith(c) || (c.length > 3 && h.code === c.slice(0, 3)))
      const countryOk = !x.country || h?.country === x.country
      const systemIsIata = !x.code_system || /IATA/.test(x.code_system)
      // a code system that is not IATA (Netnod, G-root) names no public place: no confident city
      const ok = codeOk && countryOk && (systemIsIata || !confidentCity(h))
      results.push({id: e.id, input: answer, category: 'known', ok, got, want: `code ${code}${x.country ? ' ' + x.country : ''}`})
    }
  }
  return {file: 'dns_identity.json', entries: data.entries.length, results}
}

/** The PoP code an entry states, in the order the corpus uses. */
function statedCode(x: Record<string, unknown>): string | null | undefined {
  if (typeof x.iata === 'string') return x.iata
  for (const k of ['pop', 'edge_pop', 'edge_region', 'region', 'site', 'pop_prefix']) {
    if (x[k] === null) return null
    if (typeof x[k] === 'string') return x[k] as string
  }
  if (Array.isArray(x.pops)) return x.pops[0] as string
  return undefined
}

export function evaluateHeaders(dir: string): FileReport {
  const data = JSON.parse(readFileSync(new URL('cdn_headers.json', pathToFileURL(dir + '/')), 'utf8'))
  const results: EntryResult[] = []
  for (const e of data.entries) {
    const x = e.expected
    const want = statedCode(x)
    if (want === undefined) continue
    let r: HeaderReading | null
    let input: string
    if (typeof e.input.cdn_cgi_trace === 'string') {
      r = parseHeader('cf-trace', e.input.cdn_cgi_trace)
      input = 'cdn-cgi/trace'
    } else {
      r = parseHeaders(e.input.headers as Record<string, string>)[0] ?? null
      input = Object.entries(e.input.headers as Record<string, string>).map(([k, v]) => `${k}: ${v}`).join(' | ')
    }
    const got = r === null ? 'null' : `${r.provider} ${r.code}:${r.codeType} site=${r.site} ${r.hint.city ?? '-'}/${r.hint.country ?? '-'}`
    if (want === null) {
      results.push({id: e.id, input, category: 'unknown', ok: r === null, got, want: 'no PoP'})
      continue
    }
    const w = want.toLowerCase()
    let ok = r !== null && (r.code === w || r.site.toLowerCase() === w)
    if (ok && typeof x.provider === 'string') ok = r!.provider === x.provider
    if (ok && typeof x.city === 'string') ok = sameMetro(r!.hint, {city: x.city, country: x.country ?? null})
    // city: null = the source says no place (a private code): a reading must not invent one
    if (ok && x.city === null) ok = r!.hint.city === null
    results.push({id: e.id, input, category: 'known', ok, got, want})
  }
  return {file: 'cdn_headers.json', entries: data.entries.length, results}
}

export function evaluateCorpus(dir = DEFAULT_CORPUS_DIR): FileReport[] {
  return [evaluateRouters(dir), evaluateIdentities(dir), evaluateHeaders(dir)]
}

export interface Figures {
  known: number
  knownRight: number
  unknown: number
  unknownOk: number
  country: number
  countryOk: number
}

export function figures(r: FileReport): Figures {
  const by = (c: EntryResult['category']) => r.results.filter((x) => x.category === c)
  return {
    known: by('known').length,
    knownRight: by('known').filter((x) => x.ok).length,
    unknown: by('unknown').length,
    unknownOk: by('unknown').filter((x) => x.ok).length,
    country: by('country').length,
    countryOk: by('country').filter((x) => x.ok).length,
  }
}

function pct(a: number, b: number): string {
  return b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`
}

function main(): void {
  const dir = process.argv[2] ?? DEFAULT_CORPUS_DIR
  if (!existsSync(dir)) {
    process.stderr.write(`corpus directory ${dir} not found\n`)
    process.exitCode = 1
    return
  }
  for (const r of evaluateCorpus(dir)) {
    const f = figures(r)
    process.stdout.write(`\n${r.file}: ${r.entries} entries, ${r.results.length} evaluated\n`)
    process.stdout.write(`  place stated     ${String(f.knownRight).padStart(3)}/${String(f.known).padEnd(3)} right  ${pct(f.knownRight, f.known)}\n`)
    if (f.unknown) process.stdout.write(`  place unknown    ${String(f.unknownOk).padStart(3)}/${String(f.unknown).padEnd(3)} without a confident (>= ${CONFIDENT}) city  ${pct(f.unknownOk, f.unknown)}\n`)
    if (f.country) process.stdout.write(`  country only     ${String(f.countryOk).padStart(3)}/${String(f.country).padEnd(3)} without a confident city elsewhere  ${pct(f.countryOk, f.country)}\n`)
    const misses = r.results.filter((x) => !x.ok)
    for (const m of misses) process.stdout.write(`  MISS ${m.id} ${m.input}\n       want ${m.want}; got ${m.got}\n`)
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
