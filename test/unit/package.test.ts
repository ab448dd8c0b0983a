// The published package must install offline from the npm registry alone (`npm pack`, then
// `npm install -g anyprobe-*.tgz`): no runtime dependency may run an install script that needs
// the network. geolite2's postinstall downloads databases with a MaxMind licence key and failed
// without one, leaving a dangling `anyprobe` link; its ASN database now ships in data/.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
  dependencies: Record<string, string>
  files: string[]
  scripts: Record<string, string>
}

/** Install scripts known to work offline, with why. */
const OFFLINE_INSTALL_SCRIPTS: Record<string, string> = {
  // node-gyp-build only checks for the prebuilt binary the package ships; it builds nothing
  '@neuralegion/raw-socket': 'node-gyp-build',
}

test('no runtime dependency, direct or transitive, runs an install script that needs the network', () => {
  // package-lock.json marks every package with an install script (hasInstallScript) and every
  // development-only package (dev): the rest is what `npm install -g` of our tarball installs
  const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, 'utf8')) as {
    packages: Record<string, {dev?: boolean; devOptional?: boolean; hasInstallScript?: boolean}>
  }
  const withScripts = Object.entries(lock.packages).filter(([path, p]) => path !== '' && p.hasInstallScript && !p.dev)
  assert.ok(Object.keys(lock.packages).length > 10, 'package-lock.json lists the tree')
  for (const [path] of withScripts) {
    const name = path.replace(/^.*node_modules\//, '')
    const dep = JSON.parse(readFileSync(`${ROOT}${path}/package.json`, 'utf8')) as {scripts?: Record<string, string>}
    for (const hook of ['preinstall', 'install', 'postinstall']) {
      const script = dep.scripts?.[hook]
      if (script === undefined) continue
      assert.equal(script, OFFLINE_INSTALL_SCRIPTS[name], `${name} has a ${hook} script "${script}" that may need the network`)
    }
  }
})

test('the package carries the ASN database the build copies into data/', () => {
  assert.ok(pkg.files.includes('data'), 'package.json files must include data/')
  assert.match(pkg.scripts.build!, /copy-asn-db\.mjs/)
  assert.equal(pkg.dependencies.geolite2, undefined, 'geolite2 must stay a development dependency')
})

test('the package carries the address-density table sites weighs places with (geodata/)', () => {
  assert.ok(pkg.files.includes('geodata'), 'package.json files must include geodata/')
  assert.match(readFileSync(`${ROOT}geodata/address-density.tsv`, 'utf8'), /^# IPv4 addresses per place: GeoLite2 City/)
})
