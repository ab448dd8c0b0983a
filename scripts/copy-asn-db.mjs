// Copy the GeoLite2 ASN database that the geolite2 package bundles into data/, so the published
// package carries it and has no dependency with an install script that needs the network:
// geolite2's postinstall downloads databases with a MaxMind licence key, and without one
// `npm install -g anyprobe-*.tgz` failed and left a dangling `anyprobe` link. geolite2 is a
// development dependency only; src/enrich/asn.ts looks in data/ first.
import {copyFileSync, existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

const require = createRequire(import.meta.url)
let src
try {
  src = join(dirname(require.resolve('geolite2')), 'dbs', 'GeoLite2-ASN.mmdb')
} catch {
  src = null
}
mkdirSync('data', {recursive: true})
if (src && existsSync(src)) {
  copyFileSync(src, 'data/GeoLite2-ASN.mmdb')
  writeFileSync(
    'data/README.md',
    'GeoLite2-ASN.mmdb: GeoLite2 data created by MaxMind, available from https://www.maxmind.com,\n' +
      'licensed under CC BY-SA 4.0 (copied at build time from the geolite2 npm package).\n' +
      'anyprobe reads it for AS numbers; `--asn-db FILE.mmdb` adds your own database before it.\n',
  )
} else {
  console.warn('copy-asn-db: geolite2 is not installed; the build carries no ASN database (ASNs will be null)')
}
