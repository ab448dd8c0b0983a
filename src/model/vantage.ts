// Where a measurement was taken from. Every result carries one so results from many places can be merged.

export type VantageKind = 'local' | 'netns' | 'ssh' | 'atlas' | 'globalping' | 'replay'

export interface VantagePoint {
  kind: VantageKind
  /** e.g. "local", "vp-fra", "user@host", "atlas:1001" */
  id: string
  /** hostname or probe description, when known */
  name: string | null
  asn: number | null
  country: string | null
  lat: number | null
  lon: number | null
  /** what a probe network says of its probe beyond the above (Globalping): absent for other backends */
  city?: string | null
  state?: string | null
  continent?: string | null
  network?: string | null
  /** Globalping: the probe's tags; RIPE Atlas: system-auto-geoip-country / -city when Atlas placed the probe from its address */
  tags?: string[]
}

export function localVantage(name: string | null = null): VantagePoint {
  return {kind: 'local', id: 'local', name, asn: null, country: null, lat: null, lon: null}
}
