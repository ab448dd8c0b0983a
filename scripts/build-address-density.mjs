#!/usr/bin/env node
// Write geodata/address-density.tsv: where the Internet's IPv4 addresses are, per place, from the
// GeoLite2 City database the geolite2 package bundles (a development dependency). `sites` weighs a
// candidate city by the addresses placed around it (src/geo/address-density.ts says why). The
// output is committed, so runs from source, the build and tests read the same table; rerun this
// when geolite2 changes:   node scripts/build-address-density.mjs [out-file]
//
// Walks the database's IPv4 search tree once (each leaf is a network with a data record), adds the
// network's size to the record's city, and keeps the cities with at least MIN_ADDRESSES (a /20).
// Counts are stored as quarter powers of two (round(4 * log2 n): within 9 %), places to 0.01 degree.
import {readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const require = createRequire(import.meta.url)
// maxmind (a dependency) re-exports mmdb-lib's Reader, whose search tree walker this needs
const {Reader} = require('maxmind')
const MIN_ADDRESSES = 4096

const pkgDir = dirname(require.resolve('geolite2'))
const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version
const reader = new Reader(readFileSync(join(pkgDir, 'dbs', 'GeoLite2-City.mmdb')))
const {nodeCount, nodeByteSize, buildEpoch} = reader.metadata

// leaf record (a data pointer) -> IPv4 addresses under it
const perRecord = new Map()
const stack = [[reader.ipv4StartNodeNumber, 0]]
while (stack.length > 0) {
  const [node, depth] = stack.pop()
  const offset = node * nodeByteSize
  for (const child of [reader.walker.left(offset), reader.walker.right(offset)]) {
    if (child < nodeCount) stack.push([child, depth + 1])
    else if (child > nodeCount) perRecord.set(child, (perRecord.get(child) ?? 0) + 2 ** (31 - depth))
  }
}
// city (GeoNames id) -> place and addresses
const perCity = new Map()
for (const [pointer, n] of perRecord) {
  const rec = reader.resolveDataPointer(pointer)
  const id = rec.city?.geoname_id
  const lat = rec.location?.latitude
  const lon = rec.location?.longitude
  if (id === undefined || lat === undefined || lon === undefined) continue
  const c = perCity.get(id) ?? {lat, lon, n: 0}
  c.n += n
  perCity.set(id, c)
}
const rows = [...perCity.values()]
  .filter((c) => c.n >= MIN_ADDRESSES)
  .map((c) => [c.lat.toFixed(2), c.lon.toFixed(2), Math.round(4 * Math.log2(c.n))])
  .sort((a, b) => Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1]) || a[2] - b[2])
const out = process.argv[2] ?? fileURLToPath(new URL('../geodata/address-density.tsv', import.meta.url))
const built = new Date(buildEpoch).toISOString().slice(0, 10)
writeFileSync(
  out,
  `# IPv4 addresses per place: GeoLite2 City (geolite2@${version}, database built ${built}), cities with >= ${MIN_ADDRESSES} addresses.\n` +
    '# Written by scripts/build-address-density.mjs. Columns: latitude, longitude, round(4 * log2(addresses)).\n' +
    '# This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com (CC BY-SA 4.0).\n' +
    rows.map((r) => r.join('\t')).join('\n') +
    '\n',
)
process.stdout.write(`address density: ${rows.length} places of ${perCity.size} cities -> ${out}\n`)
