// DNS identities (CHAOS hostname.bind / id.server, EDNS NSID, resolver debug TXT): a table of
// known formats (root-server letters, Cloudflare, Quad9/PCH, OpenDNS, ...), then the hostname rules.
import type {GeoHint} from '../model/pop.js'
import {toHint, type Candidate} from './candidate.js'
import {operatorFor, splitDomain} from './domains.js'
import {homeCountry, hostnameCandidates, nameCandidates} from './hostname.js'
import {localName} from './local.js'
import {randomParts} from './random.js'
import {resolveStated, type StatedType} from './resolve.js'
import {readableCore} from './untrusted.js'
import {STOP} from './vocab.js'

export interface IdentityFormat {
  name: string
  /** matched against the trimmed, unquoted answer; named groups: `code`, or `cc` + `loc`, or `rest` */
  pattern: RegExp
  type: StatedType
  /** the shape alone is too common: accept only when the code resolves to a known place */
  strict?: boolean
  /** a code that is an infrastructure or server word (vocab.ts, SERVER_WORDS) is not read by this format */
  notWords?: boolean
}

/** Known identity formats, first match wins. Sources: the services' documentation and public parsers. */
export const IDENTITY_FORMATS: readonly IdentityFormat[] = [
  // Cloudflare 1.1.1.1: id.server the colo in capitals ("LHR"), NSID the colo and a 2-digit
  // node ("waw03", "yul01"; dig +nsid captures in public write-ups). A bare lower-case word
  // ("sun"), a server's name and number ("res1", "rec1": resolver, recursor) and a code of no
  // scheduled airport or metro ("nbg1": Hetzner's Nuremberg, not New Orleans NAS) are not that
  // shape: they go to the hostname rules.
  {name: 'Cloudflare colo', pattern: /^(?:(?<code>[A-Z]{3})\d{0,3}|(?<lc>[a-z]{3})\d{2})$/, type: 'iata-or-operator', strict: true, notWords: true},
  // Google Public DNS NSID: gpdns-{IATA} ("gpdns-ams", "gpdns-bud", "gpdns-sfo": dig +nsid /
  // dnsping captures in public docs and code)
  {name: 'Google Public DNS', pattern: /^gpdns-(?<code>[a-z]{3})$/i, type: 'iata'},
  // Quad9: resNNN.{iata}.rrdns.pch.net, resNNN.q{iata}{n}.rrdns.pch.net, resNNN.q{iata}{n}.on.quad9.net;
  // its NSID drops the domain: "res710.qbre1" (dig +nsid 9.9.9.9, in a public write-up)
  {name: 'Quad9/PCH', pattern: /^res\d+\.q?(?<code>[a-z]{3})\d*\.(?:rrdns\.pch\.net|on\.quad9\.net)$/i, type: 'iata'},
  {name: 'Quad9 NSID', pattern: /^res\d+\.q(?<code>[a-z]{3})\d+$/i, type: 'iata'},
  // C-root {iata}{n}{x}.c.root-servers.org; F-root {site}{n}{x}.f.root-servers.org or {IATA}.cf.f.root-servers.org
  {name: 'C/F-root', pattern: /^(?<code>[a-z]{3})\d*[a-z]?\.(?:cf\.)?[cf]\.root-servers\.org$/i, type: 'iata'},
  // H-root 001.hkg.h.root-servers.org
  {name: 'H-root', pattern: /^\d+\.(?<code>[a-z]{3})\.h\.root-servers\.org$/i, type: 'iata'},
  // E-root c01.MCI.eroot, and with an instance character after the site (w01.sjcb.eroot):
  // ripe-atlas-soi-checker reads [a-z]\d+\.([a-z]{3})[a-z0-9]?\.eroot
  {name: 'E-root', pattern: /^[a-z]\d+\.(?<code>[a-z]{3})[a-z0-9]?\.eroot$/i, type: 'iata'},
  // B-root b3-sin
  {name: 'B-root', pattern: /^b\d+-(?<code>[a-z]{3})\d*$/i, type: 'iata'},
  // Verisign A/J-root: rootns-elpek3 (2-letter prefix + IATA), rootns-lax3, nnn1-oak3, and a
  // UN/LOCODE with an instance (nnn1-jptyo-1a); either prefix takes every form (the regexes of
  // ripe-atlas-soi-checker: (?:rootns-|nnn1-) then [a-z]{3}\d+, el[a-z]{3}\d+, [a-z]{2}[a-z]{3}-\d+[a-z]?)
  {name: 'A/J-root LOCODE', pattern: /^(?:nnn\d+|rootns)-(?<cc>[a-z]{2})(?<loc>[a-z]{3})-\w+$/i, type: 'locode'},
  {name: 'A/J-root', pattern: /^(?:nnn\d+|rootns)-(?:[a-z]{2})?(?<code>[a-z]{3})\d*$/i, type: 'iata'},
  // K-root ns1.{cc}-{iata}.k.ripe.net (UN/LOCODE), older k3.ams-ix.k.ripe.net
  {name: 'K-root', pattern: /^ns\d+\.(?<cc>[a-z]{2})-(?<loc>[a-z]{3})\.k\.ripe\.net$/i, type: 'locode'},
  {name: 'K-root (old)', pattern: /^k\d+\.(?<code>[a-z]{3})-ix\.k\.ripe\.net$/i, type: 'iata'},
  // L-root aa.{cc}-{iata}.l.root and {cc}-{iata}-aa
  {name: 'L-root', pattern: /^[a-z]{2}\.(?<cc>[a-z]{2})-(?<loc>[a-z]{3})\.l\.root$/i, type: 'locode'},
  {name: 'L-root', pattern: /^(?<cc>[a-z]{2})-(?<loc>[a-z]{3})-[a-z]{2}$/i, type: 'locode'},
  // M-root M-CDG-1, and with the exchange: M-NRT-JPIX-1 (m-([a-z]{3})(-[a-z]+)?-\d in ripe-atlas-soi-checker)
  {name: 'M-root', pattern: /^m-(?<code>[a-z]{3})(?:-[a-z]+)?-\d+$/i, type: 'iata'},
  // G-root groot-{site}{n}-{n}, g.root-servers-{site}{n}-{n}.net: DISA site ids, not IATA
  {name: 'G-root', pattern: /^(?:groot-|g\.root-servers-)(?<code>[a-z]+\d*)-\d+(?:\.net)?$/i, type: 'operator'},
  // I-root s1.bei: Netnod's own site ids, not IATA
  {name: 'I-root (Netnod)', pattern: /^s\d+\.(?<code>[a-z]{3})$/i, type: 'operator'},
  // OpenDNS debug.opendns.com: "server r2005.syd" among other strings
  {name: 'OpenDNS', pattern: /(?:^|[\s"])server\s+[a-z0-9-]+\.(?<code>[a-z]{3})\b/i, type: 'iata'},
  // CleanBrowsing "CleanBrowsing v1.6a - dns-edge-newyork1": the rest is a spelled site
  {name: 'CleanBrowsing', pattern: /^cleanbrowsing\b.*?\bdns-edge-(?<rest>[a-z0-9-]+)$/i, type: 'generic'},
]

/**
 * Identities are short (a hostname, "res700.fra.rrdns.pch.net"); a longer answer (NSID allows
 * 64 KB) is not read, nor run through the patterns.
 */
export const MAX_IDENTITY = 1024

/** Why an identity answer is not read at all (control characters inside, too long), or null. */
export function identityProblem(text: string): string | null {
  return readableCore(text, MAX_IDENTITY, 'identity').problem
}

/**
 * Words DNS servers are named by that are also airport codes: "res01", "rec01" (resolver,
 * recursor; Quad9's "res710") are not Resistencia and Recife colos. Not in vocab.ts: in router
 * names "RES" is a real site (Verizon's Reston).
 */
const SERVER_WORDS: ReadonlySet<string> = new Set(['res', 'rec'])

/** Every reading of an identity answer (internal form), most confident first. */
export function identityCandidates(text: string): Candidate[] {
  const readable = readableCore(text, MAX_IDENTITY)
  if (readable.core === null) return []
  const s = unquote(readable.core)
  if (s === '') return []
  for (const f of IDENTITY_FORMATS) {
    const m = f.pattern.exec(s)
    if (m === null) continue
    const g = m.groups ?? {}
    if (f.type === 'locode' && g.cc && g.loc) return resolveStated('locode', g.cc + g.loc, m[0], f.name)
    if (f.type === 'generic' && g.rest) return resolveStated('generic', g.rest, g.rest, f.name)
    const code = g.code ?? g.lc
    if (code && f.notWords && (STOP.has(code.toLowerCase()) || SERVER_WORDS.has(code.toLowerCase()))) continue
    if (code) {
      const list = resolveStated(f.type, code, m[0], f.name)
      if (f.strict && (list[0] === undefined || list[0].lat === null)) continue
      return list
    }
  }
  // a server under a local network's suffix ("nas.fritz.box", "pi.home.arpa": a home resolver
  // answering hostname.bind with its own name) is read as any such name is (hostname.ts); a
  // server's name of one label keeps the identity rules: servers name themselves so ("fra08", "b3-sin")
  if (localName(s)?.kind === 'local-suffix') return hostnameCandidates(s)
  const list = nameCandidates(s)
  const lone = loneServerName(s)
  if (lone === undefined) return list
  return list.map((c) => (c.country !== null && c.country === lone ? c : {...c, confidence: c.confidence * LONE_NAME_FACTOR, ...(c.untied === undefined ? {} : {untied: c.untied * LONE_NAME_FACTOR}), note: `${c.note}; a lone word and number with no operator or country beside it, likely a server's name`}))
}

/**
 * An identity that fell through the formats and is one word, maybe with a number ("nas", "sun",
 * "nas1", "rec-1", "nbg1", "sun1.example.net") is how servers are named everywhere (the NAS box,
 * resolver 1), and names a place only by chance: the NAS box is not in Nassau, nbg1 is Hetzner's
 * Nuremberg and not New Orleans. With no other evidence (a known operator's domain, a label
 * beside it, a structure like "dns-dal04") its readings are kept as hints below the 0.5 of a
 * confident place, so "fra1" alone is a hint too: a safe unknown rather than a guess.
 * Site-coded identities of a known shape (Cloudflare's "fra08", the root letters) are read by
 * IDENTITY_FORMATS before this. Returns undefined when the rule does not apply, else the country
 * the name's own country-code TLD states (a reading there keeps its confidence), or null.
 */
function loneServerName(s: string): string | null | undefined {
  const {host, domain} = splitDomain(s.split('.'))
  if (host.length !== 1 || !LONE_LABEL.test(host[0]!)) return undefined
  const op = operatorFor(domain)
  if (op !== null) return undefined
  return homeCountry(null, domain)
}
const LONE_LABEL = /^[a-z]+(?:[-_]?[0-9]+)?$/i
const LONE_NAME_FACTOR = 0.5

/**
 * Why an identity that gave no reading names no site: a name a machine picked (random.ts: a
 * Windows computer's or a pod's random suffix, a device's owner and model) says so, else the
 * general words. Only called when identityCandidates found nothing.
 */
export function identityNoSite(text: string): string {
  const core = readableCore(text, MAX_IDENTITY).core
  const s = core === null ? '' : unquote(core)
  for (const label of s.split('.')) {
    const r = label === '' ? null : randomParts(label)
    if (r !== null) return `identity names no site: ${r.reason}`
  }
  return 'identity names no site'
}

/** Readings of a DNS identity answer as GeoHints, most confident first. */
export function parseDnsIdentity(text: string): GeoHint[] {
  return identityCandidates(text).map(toHint)
}

/** The best reading of a DNS identity answer, or null. */
export function dnsIdentityHint(text: string): GeoHint | null {
  return parseDnsIdentity(text)[0] ?? null
}

function unquote(text: string): string {
  let s = text.trim()
  // TXT answers arrive quoted, sometimes several strings: "a" "b"
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) s = s.slice(1, -1).replace(/"\s+"/g, ' ')
  return s.trim().replace(/\.$/, '')
}

/**
 * Google Public DNS names no site in its answers: match the resolver's egress address
 * (TXT o-o.myaddr.l.google.com) against the published "prefix iata" list (TXT locations.publicdns.goog).
 * Returns the IATA code of the longest matching prefix, or null.
 */
export function googleDnsSite(myaddr: string[], locations: string[]): string | null {
  let best: {len: number; code: string} | null = null
  for (const line of locations) {
    const m = /^\s*([0-9a-f.:]+)\/(\d+)\s+([a-z]{3})\b/i.exec(line)
    if (m === null) continue
    const [, net, lenText, code] = m
    const len = Number(lenText)
    for (const addr of myaddr) {
      if (inPrefix(addr.trim(), net!, len) && (best === null || len > best.len)) best = {len, code: code!.toLowerCase()}
    }
  }
  return best?.code ?? null
}

function inPrefix(addr: string, net: string, len: number): boolean {
  const a = ipBits(addr)
  const n = ipBits(net)
  if (a === null || n === null || a.length !== n.length || len > a.length) return false
  for (let i = 0; i < len; i++) if (a[i] !== n[i]) return false
  return true
}

function ipBits(ip: string): number[] | null {
  if (ip.includes('.') && !ip.includes(':')) {
    const parts = ip.split('.').map(Number)
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return null
    return parts.flatMap((p) => [...Array(8)].map((_, i) => (p >> (7 - i)) & 1))
  }
  if (!ip.includes(':')) return null
  const [head, tail] = ip.split('::')
  const h = head ? head.split(':') : []
  const t = tail !== undefined && tail !== '' ? tail.split(':') : []
  const fill = ip.includes('::') ? 8 - h.length - t.length : 0
  const groups = [...h, ...Array(fill).fill('0'), ...t]
  if (groups.length !== 8) return null
  const bits: number[] = []
  for (const g of groups) {
    const v = parseInt(g, 16)
    if (!/^[0-9a-f]{1,4}$/i.test(g) || Number.isNaN(v)) return null
    for (let i = 15; i >= 0; i--) bits.push((v >> i) & 1)
  }
  return bits
}
