// Every command, for oclif's "explicit" command discovery (package.json oclif.commands), and the
// entry point bin/run.js calls. scripts/bundle.mjs bundles this file with everything it imports
// into dist/anyprobe.bundle.cjs: loading one file instead of some 300 modules halves start-up,
// which is most of the wall time of a short trace.
//
// The commands are getters that require() their module: esbuild then wraps each command's module
// graph in a lazy initialiser, so a run evaluates only the command it runs (oclif reads the
// command list from oclif.manifest.json and asks for one class). bin/run.js never loads this
// file's tsc output; only the bundle runs it.
import type {Command} from '@oclif/core/command'

type CommandClass = typeof Command
const load = (m: {default: CommandClass}): CommandClass => m.default

export const COMMANDS = {
  get catchment() {
    return load(require('./commands/catchment.js'))
  },
  get 'config:set'() {
    return load(require('./commands/config/set.js'))
  },
  get diff() {
    return load(require('./commands/diff.js'))
  },
  get dns() {
    return load(require('./commands/dns.js'))
  },
  get geohint() {
    return load(require('./commands/geohint.js'))
  },
  get help() {
    return load(require('./commands/help.js'))
  },
  get http() {
    return load(require('./commands/http.js'))
  },
  get report() {
    return load(require('./commands/report.js'))
  },
  get sites() {
    return load(require('./commands/sites.js'))
  },
  get trace() {
    return load(require('./commands/trace.js'))
  },
  get watch() {
    return load(require('./commands/watch.js'))
  },
}

/** For the build only: see src/warm-up.ts. Required here so the CLI never evaluates it. */
export async function warmUp(): Promise<void> {
  await (require('./warm-up.js') as typeof import('./warm-up.js')).warmUp()
}

export {execute} from '@oclif/core/execute'
// oclif's command_not_found hook (package.json oclif.hooks), and the reader-gone guard bin/run.js installs first
export {commandNotFound} from './base-command.js'
export {guardStdio} from './console/output.js'
