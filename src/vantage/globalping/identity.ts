// Which watched vantage point a Globalping result belongs to, by the probe's identity, never by
// its position in the measurement. Globalping gives probes no id ("Probes don't expose unique
// IDs", GET /v1/probes); what a result says of its probe is where it is: country, state, city,
// asn, network (plus coordinates and tags). A measurement made with `locations: <id>` lists the
// earlier one's probes in its order, and a probe that went away as `status: "offline"` with the
// earlier result's probe fields copied (jsdelivr/globalping src/probe/router.ts
// findWithMeasurementId, testToOfflineProbe), so today positions hold; but a result list that is
// one shorter (a probe dropped, an API that changed) would shift every later probe's result onto
// its neighbour's vantage point, a confident wrong PoP. Matching by identity cannot.
//
//  1. exact: country, state, city, asn, network equal. Probes that share all five (two probes in
//     one data centre) cannot be told apart by anything the API gives: within such a group the
//     k-th result (in measurement order) is the k-th vantage point of the group.
//  2. then, for what is left, country and ASN when that pair is unique among the leftovers on both
//     sides (Globalping re-geolocates probes: a city or a network name can change, the ASN rarely).
//  3. anything else is unmatched: a result not attributed, a vantage point with no result (gone).
// Tags and coordinates are left out: tags get renamed (datacenter -> datacenter-network) and
// coordinates move with the city.
import type {VantagePoint} from '../../model/vantage.js'

/** The exact identity of a probe (the fields Globalping gives of it that do not move). */
export function probeKey(v: Pick<VantagePoint, 'country' | 'state' | 'city' | 'asn' | 'network'>): string {
  return JSON.stringify([v.country ?? null, v.state ?? null, v.city ?? null, v.asn ?? null, v.network ?? null])
}

/** The loose identity (country and ASN); null when either is unknown (nothing to match on). */
export function looseKey(v: Pick<VantagePoint, 'country' | 'asn'>): string | null {
  return v.country === null || v.country === undefined || v.asn === null || v.asn === undefined ? null : `${v.country}|AS${v.asn}`
}

export interface KnownProbe {
  /** the vantage id */
  id: string
  vantage: VantagePoint
}

export interface ArrivedProbe {
  /** position in this measurement's results (0-based) */
  index: number
  vantage: VantagePoint
}

/**
 * Pairs each result of a measurement with the watched vantage point it is from. `known` in the
 * order the vantage points were first measured; returns result index -> vantage id (absent:
 * unmatched). Pure.
 */
export function matchProbes(known: readonly KnownProbe[], arrived: readonly ArrivedProbe[]): Map<number, string> {
  const out = new Map<number, string>()
  const claimed = new Set<string>()
  const byKey = new Map<string, KnownProbe[]>()
  for (const k of known) {
    const key = probeKey(k.vantage)
    byKey.set(key, [...(byKey.get(key) ?? []), k])
  }
  const sorted = [...arrived].sort((a, b) => a.index - b.index)
  // 1. exact, the k-th of a group to the k-th
  const taken = new Map<string, number>()
  for (const a of sorted) {
    const key = probeKey(a.vantage)
    const group = byKey.get(key)
    const k = taken.get(key) ?? 0
    if (group === undefined || k >= group.length) continue
    taken.set(key, k + 1)
    out.set(a.index, group[k]!.id)
    claimed.add(group[k]!.id)
  }
  // 2. country + ASN, unique on both sides among the leftovers
  const count = <T>(xs: readonly T[], key: (x: T) => string | null): Map<string, T[]> => {
    const m = new Map<string, T[]>()
    for (const x of xs) {
      const k = key(x)
      if (k !== null) m.set(k, [...(m.get(k) ?? []), x])
    }
    return m
  }
  const leftKnown = count(
    known.filter((k) => !claimed.has(k.id)),
    (k) => looseKey(k.vantage),
  )
  const leftArrived = count(
    sorted.filter((a) => !out.has(a.index)),
    (a) => looseKey(a.vantage),
  )
  for (const [key, as] of leftArrived) {
    const ks = leftKnown.get(key)
    if (as.length === 1 && ks !== undefined && ks.length === 1) out.set(as[0]!.index, ks[0]!.id)
  }
  return out
}
