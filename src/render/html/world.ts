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

export function world(): World {
  if (cached) return cached
  const require = createRequire(import.meta.url)
  const topo = require('world-atlas/land-110m.json') as Topology
  const land = feature(topo, topo.objects.land!)
  const projection = geoNaturalEarth1().fitExtent(
    [
      [4, 4],
      [MAP_WIDTH - 4, MAP_HEIGHT - 4],
    ],
    {type: 'Sphere'},
  )
  const path = geoPath(projection).digits(1)
  cached = {
    projection,
    land: path(land) ?? '',
    sphere: path({type: 'Sphere'}) ?? '',
    // every 20 degrees: a 10-degree graticule was 34 kB of the page
    graticule: path(geoGraticule().step([20, 20])()) ?? '',
    project(lat, lon) {
      if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null
      const p = projection([lon, lat])
      return p ? [p[0], p[1]] : null
    },
  }
  return cached
}

/** The map's background: sphere, graticule, land. */
export function worldSvg(): string {
  const w = world()
  return `<path class="sphere" d="${w.sphere}"/><path class="graticule" d="${w.graticule}"/><path class="land" d="${w.land}"/>`
}
