// oclif's command list for a vantage child run from the sources (./anyprobe-src.ts): only the
// command that child runs, its first argument. Without a build there is no oclif.manifest.json,
// and oclif then imports every command on its list to make one: the whole CLI compiled by tsx in
// each child (0.3-0.8 s of its start, more on a loaded host; sites runs 10 such children a run).
import {ROOT} from './cli.js'

export const COMMAND = process.argv[2] ?? ''

export const COMMANDS = {[COMMAND]: ((await import(`${ROOT}src/commands/${COMMAND}.ts`)) as {default: unknown}).default}
