// Targets: parse, classify and resolve. ipaddr.js does the parsing; the classes say what a user
// should know before reading a trace (a private or documentation address only exists in some
// networks; a well-known anycast prefix means several sites may answer).
import {lookup} from 'node:dns/promises'

import ipaddr from 'ipaddr.js'

import {AnyprobeError, EXIT} from '../model/errors.js'

export type AddressClass =
  | 'public'
  | 'private'
  | 'documentation'
  | 'benchmarking'
  | 'loopback'
  | 'link-local'
  | 'multicast'
  | 'carrier-grade-nat'
  | 'unique-local'
  | 'reserved'
  | 'unspecified'

export interface TargetInfo {
  /** what the user typed */
  input: string
  /** the address to probe (IPv4-mapped IPv6 is unwrapped to IPv4) */
  addr: string
  family: 4 | 6
  class: AddressClass
  /** true when the input was a name that we resolved */
  resolved: boolean
  /** a well-known anycast service this address belongs to, when we know one */
  knownAnycast: string | null
  /** notes worth showing, e.g. "IPv4-mapped IPv6 address: probing 192.0.2.1 over IPv4" */
  notes: string[]
}

type Range = [string, AddressClass]
const CLASS_RANGES: Range[] = [
  ['192.0.2.0/24', 'documentation'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['2001:db8::/32', 'documentation'],
  ['198.18.0.0/15', 'benchmarking'],
  ['100.64.0.0/10', 'carrier-grade-nat'],
]

// Well-known anycast prefixes: a hint, not a verdict (any prefix can be anycast).
const KNOWN_ANYCAST: Array<[string, string]> = [
  ['1.1.1.0/24', 'Cloudflare DNS'],
  ['1.0.0.0/24', 'Cloudflare DNS'],
  ['2606:4700:4700::/48', 'Cloudflare DNS'],
  ['8.8.8.0/24', 'Google Public DNS'],
  ['8.8.4.0/24', 'Google Public DNS'],
  ['2001:4860:4860::/48', 'Google Public DNS'],
  ['9.9.9.0/24', 'Quad9'],
  ['149.112.112.0/24', 'Quad9'],
  ['2620:fe::/48', 'Quad9'],
  ['208.67.222.0/24', 'OpenDNS'],
  ['208.67.220.0/24', 'OpenDNS'],
  ['198.41.0.4/32', 'a.root-servers.net'],
  ['170.247.170.2/32', 'b.root-servers.net'],
  ['192.33.4.12/32', 'c.root-servers.net'],
  ['199.7.91.13/32', 'd.root-servers.net'],
  ['192.203.230.10/32', 'e.root-servers.net'],
  ['192.5.5.241/32', 'f.root-servers.net'],
  ['192.112.36.4/32', 'g.root-servers.net'],
  ['198.97.190.53/32', 'h.root-servers.net'],
  ['192.36.148.17/32', 'i.root-servers.net'],
  ['192.58.128.30/32', 'j.root-servers.net'],
  ['193.0.14.129/32', 'k.root-servers.net'],
  ['199.7.83.42/32', 'l.root-servers.net'],
  ['202.12.27.33/32', 'm.root-servers.net'],
  ['192.88.99.0/24', '6to4 relay anycast (deprecated, RFC 7526)'],
]

// Parsed by family (ipaddr.parseCIDR tries IPv6 first and throws for every IPv4 range) and on
// first use, so loading this module costs nothing at start-up.
const parseCidr = (cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] => (cidr.includes(':') ? ipaddr.IPv6.parseCIDR(cidr) : ipaddr.IPv4.parseCIDR(cidr))
let rangesMemo: Array<readonly [[ipaddr.IPv4 | ipaddr.IPv6, number], AddressClass]> | undefined
let anycastMemo: Array<readonly [[ipaddr.IPv4 | ipaddr.IPv6, number], string]> | undefined
const parsedRanges = () => (rangesMemo ??= CLASS_RANGES.map(([cidr, cls]) => [parseCidr(cidr), cls] as const))
const parsedAnycast = () => (anycastMemo ??= KNOWN_ANYCAST.map(([cidr, name]) => [parseCidr(cidr), name] as const))

function inRange(addr: ipaddr.IPv4 | ipaddr.IPv6, range: [ipaddr.IPv4 | ipaddr.IPv6, number]): boolean {
  return addr.kind() === range[0].kind() && addr.match(range)
}

/**
 * An IPv4-mapped IPv6 address (::ffff:192.0.2.1: what a dual-stack socket reports for an IPv4
 * peer, and what a Globalping or RIPE Atlas result or a saved file may carry) as the IPv4 address
 * it is; any other address as it is. The one reading of "which address is this" for everything that
 * keys on an address: its class, its ASN (enrich/asn.ts, whose databases are picked by family), the
 * target a result measured (analysis/one-target.ts targetKey).
 */
export function unmapped(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr
}

/**
 * unmapped() of an address's text: the IPv4 dotted quad of a mapped address, any other text as
 * given. Cheap for every other address (a lookup per hop of a 1 GB Atlas file comes here): only a
 * text with ':' and "ffff" (the mapped prefix, in any spelling) is parsed.
 */
export function unmappedText(text: string): string {
  if (!text.includes(':') || !/ffff/i.test(text)) return text
  const a = parseAddress(text)
  return a !== null && a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? unmapped(a).toString() : text
}

export function classify(parsed: ipaddr.IPv4 | ipaddr.IPv6): AddressClass {
  // ipaddr.js calls every mapped address "ipv4Mapped" (here 'reserved'): ::ffff:8.8.8.8 is 8.8.8.8
  const addr = unmapped(parsed)
  for (const [range, cls] of parsedRanges()) if (inRange(addr, range)) return cls
  const r = addr.range()
  switch (r) {
    case 'unicast':
      return 'public'
    case 'private':
      return 'private'
    case 'loopback':
      return 'loopback'
    case 'linkLocal':
      return 'link-local'
    case 'multicast':
      return 'multicast'
    case 'uniqueLocal':
      return 'unique-local'
    case 'unspecified':
      return 'unspecified'
    case 'carrierGradeNat':
      return 'carrier-grade-nat'
    default:
      return 'reserved'
  }
}

export function knownAnycast(addr: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  for (const [range, name] of parsedAnycast()) if (inRange(addr, range)) return name
  return null
}

/** True for globally routed unicast space (where public ASN databases have answers). */
export function isPublicAddress(text: string): boolean {
  const a = parseAddress(text)
  return a !== null && classify(a) === 'public'
}

/** Parse an address literal; null when the text is not one. */
export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const t = text.trim().replace(/^\[(.*)\]$/, '$1')
  if (!ipaddr.isValid(t)) return null
  // ipaddr accepts "1" or "0x1" as IPv4; a user who typed that most likely meant something else
  if (!t.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(t)) return null
  return ipaddr.parse(t)
}

export function describeAddress(input: string, addr: ipaddr.IPv4 | ipaddr.IPv6, resolved: boolean): TargetInfo {
  const notes: string[] = []
  const a = unmapped(addr)
  if (a !== addr) notes.push(`IPv4-mapped IPv6 address: probing ${a.toString()} over IPv4`)
  const cls = classify(a)
  if (cls === 'documentation') notes.push('documentation address: it only exists in labs and examples')
  if (cls === 'private' || cls === 'unique-local' || cls === 'carrier-grade-nat')
    notes.push(`${cls} address: the path depends on which network you are in`)
  const anycast = knownAnycast(a)
  if (anycast) notes.push(`well-known anycast service: ${anycast}`)
  return {
    input,
    addr: a.toString(),
    family: a.kind() === 'ipv4' ? 4 : 6,
    class: cls,
    resolved,
    knownAnycast: anycast,
    notes,
  }
}

/**
 * An address nothing can be measured at, with why: the unspecified address (0.0.0.0, ::) means "no
 * address" (Linux delivers a packet sent to it to this host itself, so a probe would measure the
 * loopback), a multicast one is a group, not a host. `name` is the host name that resolved to it:
 * DNS filters answer a blocked name so (Pi-hole's default blocking mode answers 0.0.0.0 and ::,
 * https://docs.pi-hole.net/ftldns/blockingmode/). Null when the address can be probed.
 */
export function unprobeable(info: Pick<TargetInfo, 'addr' | 'class'>, name: string | null): AnyprobeError | null {
  if (info.class !== 'unspecified' && info.class !== 'multicast') return null
  const what = info.class === 'unspecified' ? 'the unspecified address ("no address": a probe would reach this host itself)' : 'a multicast address (a group, not one host)'
  if (name === null) {
    return new AnyprobeError('E_BAD_TARGET', `${info.addr} is ${what} and cannot be probed`, {hint: 'give a unicast or anycast address', exitCode: EXIT.usage})
  }
  return new AnyprobeError('E_RESOLVE', `${name} resolved to ${info.addr}, ${what}, and cannot be probed`, {
    hint: info.class === 'unspecified'
      ? 'a DNS filter (Pi-hole, AdGuard, a blocklist) answers a blocked name so: ask another resolver, or give the address'
      : 'give the unicast or anycast address of the service',
    exitCode: EXIT.resolve,
  })
}

/**
 * The resolver's own failure, not an answer about the name: EAI_AGAIN (getaddrinfo's "temporary
 * failure": no resolver could be reached, or it gave no answer in time, SERVFAIL included) and
 * c-ares's ETIMEOUT / ECONNREFUSED. "Check the name" would send the user after a typo that is not there.
 */
const RESOLVER_FAILED = new Set(['EAI_AGAIN', 'ETIMEOUT', 'ECONNREFUSED'])

/**
 * A name that did not resolve: E_RESOLVE, exit 3 either way (README: a name did not resolve, nothing
 * was measured), worded by why: the resolver did not answer (a distinct hint: this host's network
 * or DNS), or it said the name has no address (`badNameHint`). `orElse`: what to give instead
 * (an address; for http, the address with --host). The one wording of every probe (http's too).
 */
export function resolveError(name: string, code: string, badNameHint: string, orElse: string, cause?: unknown): AnyprobeError {
  if (RESOLVER_FAILED.has(code)) {
    return new AnyprobeError('E_RESOLVE', `${name} could not be resolved: the resolver did not answer (${code})`, {
      hint: `this says nothing against the name: the resolver in /etc/resolv.conf could not be reached or gave no answer in time (no network here, the resolver down, or the name's own servers failing); check this host's network and DNS and retry, or ${orElse}`,
      exitCode: EXIT.resolve,
      ...(cause === undefined ? {} : {cause}),
    })
  }
  return new AnyprobeError('E_RESOLVE', `${name} did not resolve (${code})`, {hint: badNameHint, exitCode: EXIT.resolve, ...(cause === undefined ? {} : {cause})})
}

/** Resolve a target typed by a user. Throws E_BAD_TARGET / E_RESOLVE with a hint. `resolve` is for tests (default: the system resolver). */
export async function resolveTarget(input: string, family: 4 | 6 | null = null, resolve: typeof lookup = lookup): Promise<TargetInfo> {
  const text = input.trim()
  if (text === '') {
    throw new AnyprobeError('E_BAD_TARGET', 'no target given', {hint: 'give an IPv4 or IPv6 address or a hostname', exitCode: EXIT.usage})
  }
  const literal = parseAddress(text)
  if (literal) {
    const info = describeAddress(text, literal, false)
    if (family !== null && info.family !== family) {
      throw new AnyprobeError('E_BAD_TARGET', `${text} is an IPv${info.family} address but --ipv${family} was given`, {
        hint: `drop --ipv${family}, or give an IPv${family} address`,
        exitCode: EXIT.usage,
      })
    }
    const refused = unprobeable(info, null)
    if (refused) throw refused
    return info
  }
  if (/^[0-9.]+$/.test(text)) {
    throw new AnyprobeError('E_BAD_TARGET', `"${text}" is not a valid IPv4 address`, {
      hint: 'an IPv4 address is four numbers from 0 to 255, like 198.51.100.10',
      exitCode: EXIT.usage,
    })
  }
  // Hostname syntax check before asking the resolver: labels of letters, digits, hyphen, underscore.
  if (!/^(?=.{1,253}\.?$)([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/.test(text)) {
    throw new AnyprobeError('E_BAD_TARGET', `"${text}" is neither an IP address nor a hostname`, {
      hint: 'give an address like 198.51.100.10 or 2001:db8::1, or a hostname like ns1.example.net',
      exitCode: EXIT.usage,
    })
  }
  let addrs: Array<{address: string; family: number}>
  try {
    addrs = await resolve(text, {all: true, family: family ?? 0, verbatim: true})
  } catch (error) {
    throw resolveError(text, (error as NodeJS.ErrnoException).code ?? 'error', 'check the name, or give an address; the resolver in /etc/resolv.conf is used', 'give an address', error)
  }
  if (addrs.length === 0) {
    throw new AnyprobeError('E_RESOLVE', `${text} resolved to no ${family ? `IPv${family} ` : ''}address`, {
      hint: family ? `try without --ipv${family}` : 'check the name, or give an address',
      exitCode: EXIT.resolve,
    })
  }
  const first = parseAddress(addrs[0]!.address)!
  const info = describeAddress(text, first, true)
  const refused = unprobeable(info, text)
  if (refused) throw refused
  if (addrs.length > 1) info.notes.push(`${text} has ${addrs.length} addresses; probing ${info.addr}`)
  return info
}
