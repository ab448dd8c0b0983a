// Negative bench of the router-name reader: hostnames built to carry NO location, read by the
// function a trace uses on a hop's reverse-DNS name (hostnameHint, src/pipeline/trace.ts), and
// counted: how many get a confident city (>= 0.5, what the corpus scoring calls a claim), how
// many a hint, and by which rule. A rule built on a few held-out names can pass every positive
// set and still read random letters as towns; this is where that shows. Beside it, the positive
// figures (dev corpus, heldout2, heldout) show what a tightening would cost.
//   node --import tsx bench/infer-negatives.ts [--seed N] [--scale F] [--top N] [--no-positives]
// Names are generated from a seeded PRNG (xorshift32), so two runs print the same table.
// Categories:
//   rand   random tokens whose letter runs are 2 or 4-8 letters (uniform letters and syllables),
//          with digits and hyphens, in router-name shapes
//   rand3  random 3-letter tokens: the IATA letter space, where a reading of a scheduled airport's
//          code in the site position is the design (shown apart, not a defect by itself)
//   rand6  random 6-letter tokens: the CLLI letter space (4 letters of place, 2 of region), where
//          only a table code or a clear lead of a city of 100k+ is meant to be confident
//   role   router role and infrastructure words, alone and in pairs, in the same shapes
//   web    web and service subdomains (www, mail, api, ns1 ...)
//   cust   customer-like names (company words, composed, with legal-form suffixes)
import {existsSync} from 'node:fs'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {DEFAULT_CORPUS_DIR, evaluateHeaders, evaluateIdentities, evaluateRouters, figures, CONFIDENT} from '../scripts/corpus-figures.js'
import {hostnameCandidates, hostnameHint} from '../src/infer/index.js'
import {rng} from './rng.js'


/** The country-code suffixes a name is put under, grouped; a ccTLD with its usual second level where operators use one. */
export const TLD_GROUPS: Readonly<Record<string, readonly string[]>> = {
  eu: ['de', 'fr', 'it', 'es', 'nl', 'pl', 'se', 'ch', 'cz', 'co.uk'],
  east: ['ru', 'net.ua', 'com.tr', 'co.za', 'ro', 'gr'],
  apac: ['ne.jp', 'net.in', 'net.au', 'co.kr', 'net.cn', 'co.id'],
  amer: ['com.br', 'com.ar', 'com.mx', 'ca', 'cl'],
  generic: ['net', 'com'],
}

export const CATEGORIES = ['rand', 'rand3', 'rand6', 'role', 'web', 'cust'] as const
export type Category = (typeof CATEGORIES)[number]

export const ROLE_WORDS = [
  'core', 'edge', 'border', 'gw', 'agg', 'cr', 'br', 'bb', 'pe', 'ce', 'lo0', 'mgmt', 'cust', 'dsl', 'dial', 'static',
  'pool', 'dyn', 'cpe', 'vlan', 'bundle', 'tengig', 'rtr', 'router', 'sw', 'switch', 'fw', 'lb', 'peer', 'transit',
  'access', 'dist', 'aggr', 'bras', 'bng', 'olt', 'lns', 'nas', 'asbr', 'pop', 'dc', 'node', 'spine', 'leaf', 'tor',
  'uplink', 'backbone', 'metro', 'ring', 'hub', 'link', 'ix', 'pni', 'ipt', 'mpls', 'ptp', 'wan', 'lan', 'oob', 'noc',
  'ar', 'er', 'cs', 'ds', 'as', 'ms', 'csw', 'asw', 'dsw', 'msw', 'isr', 'asr', 'mx', 'ptx', 'crs', 'ncs', 'srx',
  'vpn', 'nat', 'cgn', 'bgp', 'rr', 'sbc', 'ims', 'msc', 'ggsn', 'pgw', 'sgw', 'epc', 'radius', 'dhcp', 'resi', 'biz',
  'ent', 'wholesale', 'voice', 'iptv', 'mobile', 'fixed', 'ftth', 'gpon', 'cable', 'cmts', 'ubr', 'wifi', 'hotspot',
  'ipv4', 'ipv6', 'v4', 'v6', 'int', 'ext', 'pub', 'priv', 'prod', 'stage', 'lab', 'test',
]

export const WEB_WORDS = [
  'www', 'mail', 'smtp', 'blog', 'shop', 'api', 'cdn', 'static', 'img', 'dev', 'test', 'vpn', 'ns1', 'ns2', 'mx1',
  'imap', 'pop3', 'webmail', 'ftp', 'sftp', 'git', 'wiki', 'docs', 'portal', 'login', 'auth', 'sso', 'admin', 'app',
  'apps', 'm', 'mobile', 'news', 'forum', 'support', 'help', 'status', 'media', 'images', 'video', 'assets', 'files',
  'download', 'update', 'cloud', 'remote', 'owa', 'exchange', 'autodiscover', 'cpanel', 'whm', 'host', 'server',
  'web', 'web1', 'www2', 'secure', 'store', 'pay', 'billing', 'crm', 'erp', 'intranet', 'extranet', 'backup',
  'monitor', 'grafana', 'jira', 'jenkins', 'mirror', 'repo', 'time', 'ntp', 'proxy', 'relay', 'gateway', 'live',
  'stream', 'radio', 'tv', 'go', 'my', 'account', 'beta', 'staging', 'demo', 'edu', 'learn', 'jobs', 'careers',
]

/** Words a customer or company name is made of (English and a few other languages); no place list. */
export const CUSTOMER_WORDS = [
  'acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'vandelay', 'contoso', 'fabrikam', 'northwind',
  'tailspin', 'litware', 'proseware', 'woodgrove', 'alpine', 'apex', 'summit', 'pinnacle', 'vertex', 'nexus',
  'fusion', 'quantum', 'stellar', 'orbit', 'solar', 'lunar', 'blue', 'green', 'red', 'silver', 'gold', 'iron',
  'stone', 'rock', 'river', 'lake', 'ocean', 'sky', 'star', 'sun', 'bright', 'smart', 'fast', 'prime', 'first',
  'united', 'global', 'national', 'royal', 'grand', 'pacific', 'atlantic', 'urban', 'farm', 'garden', 'forest',
  'valley', 'hill', 'bay', 'harbor', 'bridge', 'tower', 'castle', 'crown', 'eagle', 'falcon', 'hawk', 'lion',
  'tiger', 'bear', 'wolf', 'fox', 'oak', 'pine', 'maple', 'cedar', 'birch', 'willow', 'rose', 'data', 'info',
  'tech', 'soft', 'media', 'print', 'design', 'build', 'consult', 'capital', 'finance', 'bank', 'trust', 'invest',
  'energy', 'power', 'health', 'care', 'med', 'pharma', 'bio', 'food', 'fresh', 'auto', 'motor', 'logistics',
  'transport', 'travel', 'hotel', 'school', 'college', 'academy', 'church', 'clinic', 'dental', 'law', 'legal',
  'estate', 'house', 'office', 'store', 'market', 'trade', 'haus', 'bau', 'technik', 'werk', 'maison', 'groupe',
  'grupo', 'casa', 'bella', 'nord', 'sud', 'kraft', 'stahl', 'holz', 'mobel', 'agro', 'inter', 'trans', 'euro',
  'mega', 'super', 'total', 'alpha', 'beta', 'gamma', 'delta', 'sigma', 'omega', 'nova', 'terra', 'aqua', 'vita',
  'sol', 'luna', 'max', 'pro', 'plus', 'one', 'zen', 'lux', 'nexa', 'orion', 'atlas', 'titan', 'phoenix', 'mercury',
  'jupiter', 'saturn', 'neptune', 'diamond', 'crystal', 'pearl', 'ruby', 'emerald', 'jade', 'amber', 'coral',
]
const LEGAL = ['llc', 'inc', 'ltd', 'gmbh', 'ag', 'sa', 'srl', 'spa', 'bv', 'ab', 'oy', 'kft', 'sro', 'doo', 'plc', 'corp', 'co', 'group']
const CUSTOMER_SHAPES: ReadonlyArray<(c: string, n: () => number) => string> = [
  (c) => `${c}-gw`,
  (c) => `${c}.cust`,
  (c, n) => `ge-0-0-${n()}-${c}`,
  (c) => `${c}-10g`,
  (c) => `static-${c}`,
  (c, n) => `${c}-${n()}.customer`,
  (c) => `${c}`,
  (c, n) => `${c}${n()}`,
]

/** Router-name shapes: the token stands where a site or device label would. */
const SHAPES: ReadonlyArray<(t: string, n: () => number) => string> = [
  (t, n) => `xe-0-${n()}-0.${t}${n()}`,
  (t, n) => `${t}-gw${n()}`,
  (t, n) => `ae${n()}.${t}0${n()}.core`,
  (t, n) => `et-0-0-${n()}.cr${n()}.${t}`,
  (t, n) => `${t}0${n()}-rtr`,
  (t, n) => `lo0.${t}-bb${n()}`,
  (t) => `${t}`,
  (t, n) => `be${n()}.${t}-pe${n()}`,
  (t, n) => `ge-${n()}-0-0.${t}.ip`,
  (t, n) => `${t}${n()}`,
]

export interface NegativeName {
  name: string
  category: Category
  group: string
  /** the token the name was built around (what a misreading is blamed on) */
  token: string
}

const CONS = 'bcdfghjklmnprstvwz'
const VOW = 'aeiou'
const LETTERS = 'abcdefghijklmnopqrstuvwxyz'

/** The names of one category, `count` of them, from `seed`. */
export function negativeNames(category: Category, count: number, seed = 1): NegativeName[] {
  const rand = rng(seed * 7919 + CATEGORIES.indexOf(category) + 1)
  const n = (max: number) => Math.floor(rand() * max)
  const pick = <T,>(a: ArrayLike<T>): T => a[n(a.length)]!
  const num = () => 1 + n(9)
  const groups = Object.keys(TLD_GROUPS)
  const letters = (len: number): string => {
    let s = ''
    if (rand() < 0.5) {
      for (let i = 0; i < len; i++) s += pick(LETTERS)
      return s
    }
    // syllables (consonant then vowel, at times vowel first): pronounceable strings meet town names more often
    const first = rand() < 0.3 ? 1 : 0
    for (let i = 0; i < len; i++) s += i % 2 === first ? pick(CONS) : pick(VOW)
    return s
  }
  // a random token: letter runs of 2 or 4-8 letters, at times two runs joined by a digit or a hyphen
  const randomToken = (): string => {
    const runLen = () => pick([2, 4, 4, 5, 5, 6, 6, 7, 8])
    const first = letters(runLen())
    const r = rand()
    if (r < 0.7) return first
    if (r < 0.85) return `${first}${n(10)}${letters(runLen())}`.slice(0, 12)
    return `${first}-${letters(runLen())}`
  }
  const operator = (): string => letters(5 + n(5))
  const out: NegativeName[] = []
  for (let k = 0; k < count; k++) {
    const group = groups[k % groups.length]!
    const suffix = pick(TLD_GROUPS[group]!)
    const op = operator()
    let token: string
    let host: string
    if (category === 'cust') {
      const r = rand()
      token = r < 0.4 ? pick(CUSTOMER_WORDS) : r < 0.8 ? pick(CUSTOMER_WORDS) + pick(CUSTOMER_WORDS) : `${pick(CUSTOMER_WORDS)}-${pick(LEGAL)}`
      host = pick(CUSTOMER_SHAPES)(token, num)
    } else {
      if (category === 'rand') token = randomToken()
      else if (category === 'rand3') token = letters(3)
      else if (category === 'rand6') token = letters(6)
      else if (category === 'role') token = rand() < 0.75 ? pick(ROLE_WORDS) : `${pick(ROLE_WORDS)}-${pick(ROLE_WORDS)}`
      else token = pick(WEB_WORDS)
      host = pick(SHAPES)(token, num)
    }
    out.push({name: `${host}.${op}.${suffix}`, category, group, token})
  }
  return out
}

/** What the reader made of a name: nothing, a site code without a place, a hint, or a confident city; and by which rule. */
export interface Judged {
  kind: 'none' | 'code' | 'hint' | 'confident'
  rule: string
  reading: string
}

/** The rule a reading came from, from its type and its note (the note says which table or rule). */
export function ruleOf(codeType: string, note: string): string {
  if (note.startsWith('IATA metro')) return 'iata-metro'
  if (note.startsWith('IATA')) return 'iata'
  if (note.startsWith('ICAO')) return 'icao'
  if (note.startsWith('UN/LOCODE')) return 'locode'
  if (note.includes('full 11-character CLLI')) return 'clli-full'
  if (/^CLLI-style \w+ \+ building/.test(note)) return 'clli-8'
  if (note.startsWith('CLLI-style') && note.includes('(table)')) return 'clli-table'
  if (note.startsWith('CLLI-style')) return 'clli-6'
  if (note.includes(' abbreviates ')) return 'country-abbr'
  if (note.startsWith('city name')) return 'city'
  if (note.startsWith('common carrier abbreviation')) return 'carrier-abbr'
  if (note.includes('convention')) return 'operator-known'
  return codeType
}

export function judge(name: string): Judged {
  const h = hostnameHint(name)
  if (h === null) return {kind: 'none', rule: '-', reading: 'null'}
  const c = hostnameCandidates(name)[0]!
  const rule = ruleOf(c.codeType, c.note)
  const reading = `${c.token}:${rule} ${h.city ?? '-'}/${h.country ?? '-'} @${h.confidence}`
  if (h.city === null) return {kind: 'code', rule, reading}
  return {kind: h.confidence >= CONFIDENT ? 'confident' : 'hint', rule, reading}
}

export interface CategoryStats {
  total: number
  confident: number
  hint: number
  byGroup: Record<string, {total: number; confident: number}>
  byRule: Record<string, number>
  /** confident readings: the name's token -> its reading and how often */
  offenders: Map<string, {count: number; example: string; reading: string}>
}

export function runCategory(names: readonly NegativeName[]): CategoryStats {
  const s: CategoryStats = {total: 0, confident: 0, hint: 0, byGroup: {}, byRule: {}, offenders: new Map()}
  for (const x of names) {
    const j = judge(x.name)
    s.total++
    const g = (s.byGroup[x.group] ??= {total: 0, confident: 0})
    g.total++
    if (j.kind === 'hint') s.hint++
    if (j.kind !== 'confident') continue
    s.confident++
    g.confident++
    s.byRule[j.rule] = (s.byRule[j.rule] ?? 0) + 1
    const o = s.offenders.get(x.token)
    if (o) o.count++
    else s.offenders.set(x.token, {count: 1, example: x.name, reading: j.reading})
  }
  return s
}

const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((100 * a) / b).toFixed(2)}%`)

function positives(): void {
  const heldout = fileURLToPath(new URL('../test/fixtures/heldout/', import.meta.url))
  const heldout2 = fileURLToPath(new URL('../test/fixtures/heldout2/', import.meta.url))
  // the shared corpus sits beside the main checkout (../../shared/corpus); a worktree elsewhere finds it at /work/shared/corpus
  const corpus = existsSync(DEFAULT_CORPUS_DIR) ? DEFAULT_CORPUS_DIR : '/work/shared/corpus/'
  const sets: Array<[string, string]> = [['corpus', corpus], ['heldout2', heldout2], ['heldout', heldout]]
  console.log('\npositive sets (known right, no confident city where none is stated)')
  for (const [label, dir] of sets) {
    const parts: string[] = []
    for (const evaluate of [evaluateRouters, evaluateIdentities, evaluateHeaders]) {
      let r
      try {
        r = evaluate(dir)
      } catch {
        parts.push(`${evaluate.name}: not found`)
        continue
      }
      const f = figures(r)
      parts.push(`${r.file.replace('.json', '')} ${f.knownRight}/${f.known}, ${f.unknownOk}/${f.unknown}${f.country ? `, country ${f.countryOk}/${f.country}` : ''}`)
    }
    console.log(`  ${label.padEnd(9)} ${parts.join(' | ')}`)
  }
}

function main(): void {
  const arg = (flag: string, def: number): number => {
    const i = process.argv.indexOf(flag)
    return i >= 0 ? Number(process.argv[i + 1]) : def
  }
  const seed = arg('--seed', 1)
  const scale = arg('--scale', 1)
  const top = arg('--top', 12)
  const counts: Record<Category, number> = {rand: 40_000, rand3: 20_000, rand6: 20_000, role: 20_000, web: 20_000, cust: 20_000}
  const groups = Object.keys(TLD_GROUPS)
  const stats = new Map<Category, CategoryStats>()
  for (const c of CATEGORIES) stats.set(c, runCategory(negativeNames(c, Math.round(counts[c] * scale), seed)))

  console.log(`negative bench (seed ${seed}): share of names read as a confident city (>= ${CONFIDENT})`)
  console.log(`${'category'.padEnd(9)}${[...groups, 'all', 'hints'].map((g) => g.padStart(10)).join('')}`)
  for (const [c, s] of stats) {
    const cells = groups.map((g) => pct(s.byGroup[g]?.confident ?? 0, s.byGroup[g]?.total ?? 0))
    console.log(`${c.padEnd(9)}${[...cells, pct(s.confident, s.total), pct(s.hint, s.total)].map((x) => x.padStart(10)).join('')}`)
  }
  for (const [c, s] of stats) {
    const rules = Object.entries(s.byRule).sort((a, b) => b[1] - a[1])
    console.log(`\n${c}: ${s.confident}/${s.total} confident; by rule: ${rules.map(([r, k]) => `${r} ${k} (${pct(k, s.total)})`).join(', ') || 'none'}`)
    const worst = [...s.offenders].sort((a, b) => b[1].count - a[1].count).slice(0, top)
    for (const [tok, o] of worst) console.log(`  ${String(o.count).padStart(4)}  ${tok.padEnd(16)} ${o.reading.padEnd(48)} e.g. ${o.example}`)
  }
  if (!process.argv.includes('--no-positives')) positives()
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
