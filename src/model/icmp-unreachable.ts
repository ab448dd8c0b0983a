// What an ICMP / ICMPv6 destination unreachable says, in traceroute's marks and in words.
// A trace that ends on one names it (render/trace.ts); the marks are those of Linux traceroute
// (traceroute(8), "!H, !N, or !P (host, network or protocol unreachable), !S (source route
// failed), !F (fragmentation needed), !X (communication administratively prohibited), !V (host
// precedence violation), !C (precedence cutoff in effect), or !<num> (ICMP unreachable code <num>)").
// Codes: ICMP type 3 (RFC 792, RFC 1812 section 5.2.7.1), ICMPv6 type 1 (RFC 4443 section 3.1).

export interface UnreachableMeaning {
  /** traceroute's mark (!H ...); '' for a port unreachable from the target (the normal UDP ending) */
  mark: string
  /** what it says, in words */
  words: string
}

const V4: Record<number, UnreachableMeaning> = {
  0: {mark: '!N', words: 'network unreachable'},
  1: {mark: '!H', words: 'host unreachable'},
  2: {mark: '!P', words: 'protocol unreachable'},
  3: {mark: '', words: 'port unreachable'},
  4: {mark: '!F', words: 'fragmentation needed'},
  5: {mark: '!S', words: 'source route failed'},
  6: {mark: '!N', words: 'destination network unknown'},
  7: {mark: '!H', words: 'destination host unknown'},
  9: {mark: '!X', words: 'network administratively prohibited'},
  10: {mark: '!X', words: 'host administratively prohibited'},
  11: {mark: '!N', words: 'network unreachable for the type of service'},
  12: {mark: '!H', words: 'host unreachable for the type of service'},
  13: {mark: '!X', words: 'communication administratively prohibited'},
  14: {mark: '!V', words: 'host precedence violation'},
  15: {mark: '!C', words: 'precedence cutoff in effect'},
}

const V6: Record<number, UnreachableMeaning> = {
  0: {mark: '!N', words: 'no route to destination'},
  1: {mark: '!X', words: 'communication administratively prohibited'},
  2: {mark: '!S', words: 'beyond scope of source address'},
  3: {mark: '!H', words: 'address unreachable'},
  4: {mark: '', words: 'port unreachable'},
  5: {mark: '!X', words: 'source address failed ingress/egress policy'},
  6: {mark: '!X', words: 'reject route to destination'},
  7: {mark: '!S', words: 'error in source routing header'},
}

/** ICMP's destination-unreachable type in each family. */
export const UNREACHABLE_TYPE = {4: 3, 6: 1} as const

/**
 * The meaning of a reply's ICMP type/code when it is a destination unreachable of `family`, else
 * null (time exceeded, echo reply, a TCP answer: no ICMP type at all).
 */
export function unreachableMeaning(family: 4 | 6, icmpType: number | null, icmpCode: number | null): UnreachableMeaning | null {
  if (icmpType !== UNREACHABLE_TYPE[family] || icmpCode === null) return null
  return (family === 4 ? V4 : V6)[icmpCode] ?? {mark: `!${icmpCode}`, words: `unreachable, code ${icmpCode}`}
}
