// UN/LOCODE: a country code plus a 3-letter location ("nlams", "jp-tyo", "usqas"). No package ships
// the table, so: a modest hand table for locations whose LOCODE is not an airport code, then the
// rule that many LOCODEs equal cc + the IATA code of an airport (or metro code) in that country.
import {airportByIata, airportPlace, metroByCode, type Place} from './airports.js'
import {countryCode} from './countries.js'

/** Major LOCODEs, especially those that differ from the IATA code of the city's airport. */
const LOCODES: Record<string, Place> = {
  usqas: {city: 'Ashburn', country: 'US', region: 'VA', lat: 39.0438, lon: -77.4874},
  usnyc: {city: 'New York', country: 'US', region: 'NY', lat: 40.7128, lon: -74.006},
  uslax: {city: 'Los Angeles', country: 'US', region: 'CA', lat: 34.0522, lon: -118.2437},
  uschi: {city: 'Chicago', country: 'US', region: 'IL', lat: 41.8781, lon: -87.6298},
  ussjc: {city: 'San Jose', country: 'US', region: 'CA', lat: 37.3382, lon: -121.8863},
  ussfo: {city: 'San Francisco', country: 'US', region: 'CA', lat: 37.7749, lon: -122.4194},
  usmia: {city: 'Miami', country: 'US', region: 'FL', lat: 25.7617, lon: -80.1918},
  usdal: {city: 'Dallas', country: 'US', region: 'TX', lat: 32.7767, lon: -96.797},
  nlams: {city: 'Amsterdam', country: 'NL', region: null, lat: 52.3676, lon: 4.9041},
  nlrtm: {city: 'Rotterdam', country: 'NL', region: null, lat: 51.9244, lon: 4.4777},
  deber: {city: 'Berlin', country: 'DE', region: null, lat: 52.52, lon: 13.405},
  defra: {city: 'Frankfurt am Main', country: 'DE', region: null, lat: 50.1109, lon: 8.6821},
  deham: {city: 'Hamburg', country: 'DE', region: null, lat: 53.5511, lon: 9.9937},
  demuc: {city: 'Munich', country: 'DE', region: null, lat: 48.1351, lon: 11.582},
  dedus: {city: 'Düsseldorf', country: 'DE', region: null, lat: 51.2277, lon: 6.7735},
  gblon: {city: 'London', country: 'GB', region: null, lat: 51.5074, lon: -0.1278},
  frpar: {city: 'Paris', country: 'FR', region: null, lat: 48.8566, lon: 2.3522},
  frmrs: {city: 'Marseille', country: 'FR', region: null, lat: 43.2965, lon: 5.3698},
  jptyo: {city: 'Tokyo', country: 'JP', region: null, lat: 35.6895, lon: 139.6917},
  jposa: {city: 'Osaka', country: 'JP', region: null, lat: 34.6937, lon: 135.5023},
  brsao: {city: 'São Paulo', country: 'BR', region: null, lat: -23.5505, lon: -46.6333},
  brrio: {city: 'Rio de Janeiro', country: 'BR', region: null, lat: -22.9068, lon: -43.1729},
  cator: {city: 'Toronto', country: 'CA', region: '08', lat: 43.6532, lon: -79.3832},
  camtr: {city: 'Montreal', country: 'CA', region: '10', lat: 45.5017, lon: -73.5673},
  cavan: {city: 'Vancouver', country: 'CA', region: '02', lat: 49.2827, lon: -123.1207},
  sgsin: {city: 'Singapore', country: 'SG', region: null, lat: 1.3521, lon: 103.8198},
  hkhkg: {city: 'Hong Kong', country: 'HK', region: null, lat: 22.3193, lon: 114.1694},
  cnbjs: {city: 'Beijing', country: 'CN', region: null, lat: 39.9042, lon: 116.4074},
  cnsha: {city: 'Shanghai', country: 'CN', region: null, lat: 31.2304, lon: 121.4737},
  // Guangzhou's airport is CAN; GGZ is the LOCODE RIPE NCC uses for its K-root instance there
  cnggz: {city: 'Guangzhou', country: 'CN', region: null, lat: 23.1291, lon: 113.2644},
  krsel: {city: 'Seoul', country: 'KR', region: null, lat: 37.5665, lon: 126.978},
  ausyd: {city: 'Sydney', country: 'AU', region: null, lat: -33.8688, lon: 151.2093},
  sesto: {city: 'Stockholm', country: 'SE', region: null, lat: 59.3293, lon: 18.0686},
  itmil: {city: 'Milan', country: 'IT', region: null, lat: 45.4642, lon: 9.19},
  itrom: {city: 'Rome', country: 'IT', region: null, lat: 41.9028, lon: 12.4964},
  esmad: {city: 'Madrid', country: 'ES', region: null, lat: 40.4168, lon: -3.7038},
  chzrh: {city: 'Zürich', country: 'CH', region: null, lat: 47.3769, lon: 8.5417},
  atvie: {city: 'Vienna', country: 'AT', region: null, lat: 48.2082, lon: 16.3738},
  plwaw: {city: 'Warsaw', country: 'PL', region: null, lat: 52.2297, lon: 21.0122},
  rumow: {city: 'Moscow', country: 'RU', region: null, lat: 55.7558, lon: 37.6173},
  zajnb: {city: 'Johannesburg', country: 'ZA', region: null, lat: -26.2041, lon: 28.0473},
  inbom: {city: 'Mumbai', country: 'IN', region: null, lat: 19.076, lon: 72.8777},
  aedxb: {city: 'Dubai', country: 'AE', region: null, lat: 25.2048, lon: 55.2708},
}

export type LocodeSource = 'table' | 'metro' | 'airport'

export interface LocodeHit {
  place: Place
  source: LocodeSource
}

/** Resolve a LOCODE given as country + location ("nl", "ams"), or null when neither table nor rule knows it. */
export function locodePlace(cc: string, loc: string): LocodeHit | null {
  const key = (cc + loc).toLowerCase()
  const hand = LOCODES[key]
  if (hand) return {place: hand, source: 'table'}
  const country = countryCode(cc)
  if (country === null) return null
  const metro = metroByCode(loc)
  if (metro && metro.country === country) return {place: metro, source: 'metro'}
  const a = airportByIata(loc)
  if (a && a.country === country) return {place: airportPlace(a), source: 'airport'}
  return null
}

/** Is this 5-letter string shaped like a LOCODE (valid country code first)? */
export function isLocodeShape(s: string): boolean {
  return s.length === 5 && countryCode(s.slice(0, 2)) !== null
}
