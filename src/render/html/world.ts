// The world outline, once per process: land-110m from `world-atlas` (TopoJSON), turned into GeoJSON
// by topojson-client and projected by d3-geo into one SVG path, here in Node, so the page carries
// only the path (about 30 kB at one decimal) and no map code and fetches nothing.
import {createRequire} from 'node:module'

import {geoGraticule, geoNaturalEarth1, geoPath, type GeoProjection} from 'd3-geo'
import {feature} from 'topojson-client'
import type {Topology} from 'topojson-specification'

export const MAP_WIDTH = 960
export const MAP_HEIGHT = 500

export interface World {
  projection: GeoProjection
  /** SVG path data of the land */
  land: string
  /** the outline of the globe in this projection (sphere) */
  sphere: string
  graticule: string
  /** [x, y] of a place, null when it cannot be projected */
  project(lat: number, lon: number): [number, number] | null
}

let cached: World | null = null
let landCache: ReturnType<typeof feature> | null = null

function landFeature(): ReturnType<typeof feature> {
  if (landCache) return landCache
  const require = createRequire(import.meta.url)
  const topo = require('world-atlas/land-110m.json') as Topology
  landCache = feature(topo, topo.objects.land!)
  return landCache
}

function worldOf(projection: GeoProjection, graticuleStep: number): World {
  const path = geoPath(projection).digits(1)
  return {
    projection,
    land: path(landFeature()) ?? '',
    sphere: path({type: 'Sphere'}) ?? '',
    graticule: path(geoGraticule().step([graticuleStep, graticuleStep])()) ?? '',
    project(lat, lon) {
      if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null
      const p = projection([lon, lat])
      return p ? [p[0], p[1]] : null
    },
  }
}

export function world(): World {
  if (cached) return cached
  const projection = geoNaturalEarth1().fitExtent(
    [
      [4, 4],
      [MAP_WIDTH - 4, MAP_HEIGHT - 4],
    ],
    {type: 'Sphere'},
  )
  // every 20 degrees: a 10-degree graticule was 34 kB of the page
  cached = worldOf(projection, 20)
  return cached
}

/** Points spanning at most this much (degrees of longitude, latitude) get a regional map. */
export const REGION_MAX_SPAN: [number, number] = [100, 60]

/** A regional map shows at least this much each way (the box fitted; the map's longer side shows more). */
export const MIN_EXTENT_KM = 2500
const KM_PER_DEGREE = 111.195

/**
 * The narrowest run of longitudes holding them all, west to east: [w, e], e past
 * 180 when the run crosses the antimeridian (probes in New Zealand, Fiji and Samoa span 17 degrees
 * over it, not 350 round the other way).
 */
export function lonSpan(lons: readonly number[]): [number, number] {
  const xs = [...lons].sort((a, b) => a - b)
  // the widest gap between neighbours (the last and the first, round the globe, included): the run is the rest
  let gapAfter = xs.length - 1
  let widest = xs[0]! + 360 - xs[xs.length - 1]!
  for (let i = 0; i + 1 < xs.length; i++) {
    if (xs[i + 1]! - xs[i]! > widest) {
      widest = xs[i + 1]! - xs[i]!
      gapAfter = i
    }
  }
  if (gapAfter === xs.length - 1) return [xs[0]!, xs[xs.length - 1]!]
  return [xs[gapAfter + 1]!, xs[gapAfter]! + 360]
}

/**
 * A map of the region that holds these points, when they lie in one (all of RIPE Atlas's European
 * probes and the sites they found: on the world map they are one smudge); else the world map. The
 * projection is centred on the points and fitted to them with a margin; land outside is clipped.
 */
export function regionWorld(points: ReadonlyArray<{lat: number; lon: number}>): World {
  const ok = points.filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon) && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180)
  if (ok.length === 0) return world()
  const lats = ok.map((p) => p.lat)
  const lons = ok.map((p) => p.lon)
  const [s, n] = [Math.min(...lats), Math.max(...lats)]
  const [w, e] = lonSpan(lons)
  if (e - w > REGION_MAX_SPAN[0] || n - s > REGION_MAX_SPAN[1]) return world()
  // at least MIN_EXTENT_KM each way, so a place a person recognises (Finland and the Baltic, the US
  // west coast) is around the points: one point fitted to 10 degrees was a few hundred km of a 110m
  // coastline, an unrecognisable blob
  const midLat = (n + s) / 2
  const minLat = MIN_EXTENT_KM / KM_PER_DEGREE
  const minLon = Math.min(180, MIN_EXTENT_KM / (KM_PER_DEGREE * Math.max(0.2, Math.cos((midLat * Math.PI) / 180))))
  const padLat = Math.max(minLat / 2 - (n - s) / 2, (n - s) * 0.08)
  const padLon = Math.max(minLon / 2 - (e - w) / 2, (e - w) * 0.08)
  const [bs, bn] = [Math.max(-89, s - padLat), Math.min(89, n + padLat)]
  const box = {type: 'MultiPoint' as const, coordinates: [[w - padLon, bs], [e + padLon, bn], [w - padLon, bn], [e + padLon, bs], [(w + e) / 2, bs], [(w + e) / 2, bn]]}
  const projection = geoNaturalEarth1()
    .rotate([-(w + e) / 2, 0])
    .fitExtent(
      [
        [4, 4],
        [MAP_WIDTH - 4, MAP_HEIGHT - 4],
      ],
      box,
    )
  projection.clipExtent([
    [0, 0],
    [MAP_WIDTH, MAP_HEIGHT],
  ])
  return worldOf(projection, 5)
}

/** The map's background: sphere, graticule, land (of the world map, or of the one given). */
export function worldSvg(w: World = world()): string {
  return `<path class="sphere" d="${w.sphere}"/><path class="graticule" d="${w.graticule}"/><path class="land" d="${w.land}"/>`
}
