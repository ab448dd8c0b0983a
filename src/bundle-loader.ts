// Loads the built CLI: the single CommonJS bundle scripts/bundle.mjs writes (dist/anyprobe.bundle.cjs),
// compiled with V8's code cache written next to it at build time.
//
// Why: a short trace spends more time starting Node and loading code than tracing. One bundle
// instead of ~300 ES modules saves ~100 ms of resolving and reading; the code cache saves most of
// the remaining ~25 ms of parsing and compiling (Node 20 has no module compile cache of its own;
// this is what v8-compile-cache does for CommonJS). A cache made by another Node or V8 version is
// rejected by V8 and the bundle is compiled from source, only slower.
//
// The module is registered in require.cache under its real path, so oclif's own require() of the
// command target (package.json oclif.commands) gets this instance, not a second copy.
import {isAscii} from 'node:buffer'
import {readFileSync, realpathSync, writeFileSync} from 'node:fs'
import {createRequire, Module} from 'node:module'
import {dirname} from 'node:path'
import vm from 'node:vm'

export interface LoadedBundle {
  exports: Record<string, unknown>
  /** true when the code cache was there and V8 accepted it */
  cached: boolean
  /**
   * Write the code cache for the bundle (next to it). Call it after running the work whose
   * compiled functions should be cached: V8 puts in the functions compiled so far.
   */
  saveCache(): void
}

/** `fresh`: compile from source, ignoring a cache on disk (the build, which then calls saveCache). */
export function loadBundle(file: string, opts: {fresh?: boolean} = {}): LoadedBundle {
  const filename = realpathSync(file)
  const require = createRequire(filename)
  const cacheFile = `${filename}.cache`
  const existing = require.cache[filename]
  if (existing?.loaded) return {exports: existing.exports as Record<string, unknown>, cached: false, saveCache: () => {}}

  let cachedData: Buffer | undefined
  if (!opts.fresh) {
    try {
      cachedData = readFileSync(cacheFile)
    } catch {
      // no cache: compile from source
    }
  }
  // the build writes the bundle in ASCII (scripts/bundle.mjs): Latin-1 reads it ~15x faster than UTF-8
  const bytes = readFileSync(filename)
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8')
  const script = new vm.Script(Module.wrap(source), {
    filename,
    cachedData,
    // A vm script cannot import() without this. The bundle avoids import() (esbuild turns the
    // bundled ones into require, and src/enrich/asn.ts finds geolite2's database without loading
    // it) because Node 20 prints an ExperimentalWarning the first time this loader is used.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  })
  const mod = new Module(filename)
  mod.filename = filename
  require.cache[filename] = mod
  ;(script.runInThisContext() as (...a: unknown[]) => void)(mod.exports, require, mod, filename, dirname(filename))
  mod.loaded = true
  return {
    exports: mod.exports as Record<string, unknown>,
    cached: cachedData !== undefined && !script.cachedDataRejected,
    saveCache: () => writeFileSync(cacheFile, script.createCachedData()),
  }
}
