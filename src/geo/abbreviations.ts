// City abbreviations that carriers write as if they were airport codes but that no airport has:
// "ldn" (London: Tata LDN-London, PCCW ldn01), "tok" (Tokyo: PCCW tok01), "tor" (Toronto: Zayo
// tor3, Hurricane Electric), "spb" (Saint Petersburg: RETN SPB.RU), "msk" (Moscow), "hki"
// (Helsinki), both RETN's (below). Only strings that are NOT the
// IATA code of an airport in the table belong here, so no airport reading is ever shadowed.
// "tor" is also the top-of-rack switch: the hostname rules take it only beside a "ca" label.
import type {Place} from './airports.js'

const ABBREVIATIONS: Record<string, Place> = {
  ldn: {city: 'London', country: 'GB', region: null, lat: 51.5074, lon: -0.1278},
  tok: {city: 'Tokyo', country: 'JP', region: null, lat: 35.6895, lon: 139.6917},
  tor: {city: 'Toronto', country: 'CA', region: '08', lat: 43.6532, lon: -79.3832},
  spb: {city: 'Saint Petersburg', country: 'RU', region: null, lat: 59.9311, lon: 30.3609},
  // RETN "ae14-229.RT.DL.MSK.RU.retn.net" (the first hop of a public traceroute from a Moscow host,
  // 1 ms before Google), as MSK-IX (the Moscow exchange) writes it
  msk: {city: 'Moscow', country: 'RU', region: null, lat: 55.7558, lon: 37.6173},
  // RETN "et002-3.RT.EQ6.HKI.FI.retn.net", "ae14-218.rt.rad.hki.fi.retn.net" (public traceroutes
  // from Helsinki hosts, 3 ms to Stockholm); HKI is Helsinki's own abbreviation
  hki: {city: 'Helsinki', country: 'FI', region: null, lat: 60.1699, lon: 24.9384},
}

/** The city a common non-IATA 3-letter abbreviation stands for, or null. */
export function cityAbbreviation(code: string): Place | null {
  return ABBREVIATIONS[code.toLowerCase()] ?? null
}
