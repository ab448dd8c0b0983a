// Scoring as iGreedy2.0's own validation does (github.com/hugopascual/iGreedy2.0, code/groundtruth.py
// compare_cities_gt and calculate_performance_statistics_cities), next to the project's stricter
// one-to-one score (src/analysis/sites/score.ts), so the published-list campaigns can be compared
// with the figures iGreedy2.0 reports:
//  - the listed sites are first made distinct by town name (drop_duplicates on Town / city_name);
//  - found sites are taken in order: one whose city name is a listed town is a hit and removes
//    every listed site of that name; otherwise it is a hit when listed sites remain within 100 km,
//    and removes ALL of them (so one found site can account for several listed ones); else a miss;
//  - the listed sites left are the false negatives;
//  - then the area: a hit or a miss in a country outside the campaign's area is left out of the
//    figures (their OT / OF), and so is a listed site left over outside it. For the "North-Central"
//    campaigns the area is the 49 countries of datasets/countries_sets/North-Central_countries.json.
// precision = TP / (TP + FP), recall = TP / (TP + FN).
import {distanceKm} from '../src/analysis/sites/discs.js'

/** iGreedy2.0's datasets/countries_sets/North-Central_countries.json (commit b773311d), alpha-2 codes */
export const NORTH_CENTRAL = new Set('AX AL AD AT BY BE BA BG HR CZ DK EE FO FI FR DE GI GR GG VA HU IS IE IM IT JE LV LI LT LU MT MD MC NL MK NO PL PT RO RU SM RS SK SI ES SJ SE CH GB'.split(' '))

export const NEAR_CITY_TP_KM = 100

export interface Listed {
  lat: number
  lon: number
  town: string | null
  country: string | null
}

export interface Found {
  lat: number
  lon: number
  city: string | null
  country: string | null
}

export interface IGreedy2Score {
  tp: number
  fp: number
  fn: number
  precision: number | null
  recall: number | null
}

export function scoreLikeIGreedy2(found: readonly Found[], listed: readonly Listed[], area: ReadonlySet<string> | null): IGreedy2Score {
  const seenTowns = new Set<string>()
  let gt = listed.filter((l) => {
    if (l.town === null) return true
    if (seenTowns.has(l.town)) return false
    seenTowns.add(l.town)
    return true
  })
  const inArea = (country: string | null): boolean => area === null || (country !== null && area.has(country.toUpperCase()))
  let tp = 0
  let fp = 0
  for (const f of found) {
    let hit = false
    if (f.city !== null && gt.some((l) => l.town === f.city)) {
      gt = gt.filter((l) => l.town !== f.city)
      hit = true
    } else {
      const near = gt.filter((l) => distanceKm(f, l) < NEAR_CITY_TP_KM)
      if (near.length > 0) {
        gt = gt.filter((l) => !near.includes(l))
        hit = true
      }
    }
    if (!inArea(f.country)) continue // OT / OF
    if (hit) tp++
    else fp++
  }
  const fn = gt.filter((l) => inArea(l.country)).length
  return {tp, fp, fn, precision: tp + fp === 0 ? null : tp / (tp + fp), recall: tp + fn === 0 ? null : tp / (tp + fn)}
}
