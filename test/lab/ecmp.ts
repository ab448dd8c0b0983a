// ap-vp-ecmp's own ground truth, for tests that need flows on both of its uplinks.
// Which uplink a source port hashes to depends on the kernel's multipath hash seed. Unless lab.sh
// can fix it (net.ipv4.fib_multipath_hash_seed, Linux >= 6.11) it is drawn once per boot, so a
// fixed list of ports covers both uplinks on most boots and lands all on one on some (8 ports:
// 2 x 2^-8, one boot in 128, and then the test fails on every run of that boot). Tests take their
// ports from the kernel's own route lookup instead: both uplinks by construction, on any kernel.
import {execFileSync} from 'node:child_process'

import {E} from './lib.js'

export interface EcmpRoute {
  sport: number
  /** the uplink the kernel sends the flow out of (eth0, eth1) */
  dev: string
  /** the source address it gives the flow (that uplink's address) */
  src: string
}

/** The kernel's route in ap-vp-ecmp to the anycast address for each source port, as `ip route get
 * ... ipproto PROTO sport P dport DPORT` (the lookup of a socket connected without a source). */
export function ecmpRoutes(proto: 'udp' | 'tcp', dport: number, sports: number[]): EcmpRoute[] {
  const input = sports.map((p) => `route get ${E.AP_ANYCAST4!} ipproto ${proto} sport ${p} dport ${dport}\n`).join('')
  const out = execFileSync('ip', ['-4', '-n', E.AP_ECMP_NS!, '-batch', '-'], {input, encoding: 'utf8'})
  // "198.51.100.10 via 198.19.9.1 dev eth1 src 198.19.9.2 uid 0", then "    cache"
  const routes = out.split('\n').filter((l) => / dev \S+/.test(l))
  if (routes.length !== sports.length) throw new Error(`ip route get: ${sports.length} lookups, ${routes.length} routes:\n${out}`)
  return routes.map((l, i) => ({sport: sports[i]!, dev: / dev (\S+)/.exec(l)![1]!, src: / src (\S+)/.exec(l)?.[1] ?? '-'}))
}

/**
 * Up to PER source ports for each uplink, the first of CANDIDATES (in order) that the kernel sends
 * out of it: uplink -> ports. With 64 candidates both uplinks are found unless the multipath route
 * does not split flows at all (2^-63 otherwise): callers assert that, it is the lab's to get right.
 */
export function ecmpPortsByUplink(proto: 'udp' | 'tcp', dport: number, per: number, candidates: number[]): Map<string, number[]> {
  const byDev = new Map<string, number[]>()
  for (const r of ecmpRoutes(proto, dport, candidates)) {
    const ports = byDev.get(r.dev) ?? []
    if (ports.length < per) ports.push(r.sport)
    byDev.set(r.dev, ports)
  }
  return byDev
}

/** ports FIRST, FIRST + STEP, ... (N of them) */
export const portRange = (first: number, n: number, step = 1): number[] => Array.from({length: n}, (_, i) => first + i * step)
