// Is a name one a local network gave itself, not an operator's public name? Reverse DNS of a hop on
// the Internet is a fully qualified name in a public zone ("ae-1.r01.ldn01.gb.bb.gin.ntt.net");
// a name of one label, or one under a suffix that is never delegated, comes from the machine's own
// tables or the home router (/etc/hosts, nss-myhostname's "_gateway", a FRITZ!Box's "nas.fritz.box"),
// where whoever named the box chose any word ("london", "runsc", "DESKTOP-MADRID"). Such a name
// names no operator's site: hostname.ts keeps its readings below a confident place.

/**
 * Suffixes of names that only a local network resolves, matched label-wise at the end of a name:
 * - "local": Multicast DNS (RFC 6762, section 3) and the link-local names of Bonjour / Avahi;
 * - "intranet", "internal", "private", "corp", "home", "lan": RFC 6762 Appendix G lists them as
 *   top-level names "used on private internal networks"; systemd-resolved keeps the same list
 *   (and "test") as negative trust anchors for private zones (dnssec-trust-anchors.d(5)); ICANN
 *   reserved ".internal" for private use in 2024; OpenWrt's dnsmasq hands out ".lan" by default;
 * - "home.arpa": the special-use domain for residential home networks (RFC 8375);
 * - "localhost": RFC 6761 section 6.3; "localdomain": the "localhost.localdomain" of /etc/hosts,
 *   which nss-myhostname(8) resolves to the loopback as it does "localhost";
 * - "fritz.box": AVM's FRITZ!Box routers answer to "fritz.box" and name the devices of their home
 *   network "NAME.fritz.box" (AVM's help pages; it only resolves inside that home network);
 * - "easy.box": the address of a Vodafone EasyBox's own interface in its home network (Vodafone's
 *   and its users' set-up guides: "easy.box" or 192.168.2.1);
 * - "pi.hole": the name a Pi-hole's own DNS answers for its dashboard (Pi-hole's documentation,
 *   "http://pi.hole/admin"); as a reverse-DNS name it is the Pi-hole box on the local network.
 * "test", "example" and "invalid" (RFC 6761) are not here: documentation and the lab use them for
 * router names in the public shape ("ae1.cr1.fra03.example.net"), read as such.
 */
const LOCAL_SUFFIXES: readonly string[][] = [
  ['home', 'arpa'],
  ['fritz', 'box'],
  ['easy', 'box'],
  ['pi', 'hole'],
  ['local'],
  ['localhost'],
  ['localdomain'],
  ['lan'],
  ['home'],
  ['internal'],
  ['intranet'],
  ['private'],
  ['corp'],
]

export interface LocalName {
  /** 'single-label': no dot at all ("london", "_gateway", "runsc"); 'local-suffix': under one of LOCAL_SUFFIXES */
  kind: 'single-label' | 'local-suffix'
  /** the labels left of the local suffixes ("berlin" of "berlin.fritz.box"; "rtr1", "fra" of "rtr1.fra.corp.internal") */
  host: string[]
  /** the local suffix as written, lower case ("fritz.box", "corp.internal"), or null for a single label */
  suffix: string | null
}

/**
 * The local-network reading of a name, or null when it has the shape of a public name. Every
 * trailing local suffix is taken off ("nas.home.lan": host "nas", suffix "home.lan"), so what is
 * left is the local network's own naming, with no registrable domain in it. A trailing dot and
 * surrounding quotes are ignored, as the hostname reader ignores them.
 */
export function localName(name: string): LocalName | null {
  let s = name.trim()
  if (s.length > 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1)
  const labels = s.split('.').filter((l) => l.length > 0)
  if (labels.length === 0) return null
  if (labels.length === 1) return {kind: 'single-label', host: labels, suffix: null}
  let end = labels.length
  for (;;) {
    const suffix = LOCAL_SUFFIXES.find((sfx) => sfx.length <= end && sfx.every((l, i) => labels[end - sfx.length + i]!.toLowerCase() === l))
    if (suffix === undefined) break
    end -= suffix.length
  }
  if (end === labels.length) return null
  return {kind: 'local-suffix', host: labels.slice(0, end), suffix: labels.slice(end).join('.').toLowerCase()}
}
