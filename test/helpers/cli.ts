// Run a command class from the TypeScript sources (no build needed), in a child process so stdout
// and the exit code are real. Asynchronous: test servers living in the calling process keep answering.
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** names the place data a test wrote for its children in an unbuilt tree (./src-geo-data.ts) */
export const TEST_GEO_DATA = 'ANYPROBE_TEST_GEO_DATA'

/**
 * What to hand Command.run as its config: the package's own package.json, with the command list
 * read from test/helpers/commands.ts (the sources) instead of the built bundle, so a fresh clone runs its tests without a build.
 * `commands`: another list module exporting COMMANDS (a vantage child's own command: ./src-command.ts).
 */
export function srcConfig(root = ROOT, commands = './test/helpers/commands.ts'): {root: string; pjson: unknown} {
  const pjson = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {oclif: Record<string, unknown>}
  pjson.oclif = {...pjson.oclif, commands: {strategy: 'explicit', target: commands, identifier: 'COMMANDS'}}
  return {root, pjson}
}

/**
 * The code a child runs to run `command` with `argv` from the sources (see srcConfig), reading the
 * place data its test wrote for an unbuilt tree when there is some (./src-geo-data.ts).
 */
export function commandScript(command: string, argv: string[], tail = ''): string {
  return (
    `const {handle, flush} = await import('@oclif/core');` +
    `if (process.env.${TEST_GEO_DATA}) (await import(${JSON.stringify(`${ROOT}test/helpers/src-geo-data.ts`)})).useTestGeoData();` +
    `const {default: C} = await import(${JSON.stringify(`${ROOT}src/commands/${command}.ts`)});` +
    `await C.run(${JSON.stringify(argv)}, ${JSON.stringify(srcConfig())}).then(() => flush(), (e) => handle(e))${tail}`
  )
}

export interface ScriptRun {
  status: number | null
  stdout: string
  stderr: string
  /** stopped by the timeout (SIGTERM): a command that handles it may still exit 0, from a run cut short */
  timedOut: boolean
}

/** how long a child may run before it is stopped, unless a test says otherwise */
export const SCRIPT_TIMEOUT_MS = 30_000

export function runCommand(command: string, argv: string[], opts: {timeoutMs?: number} = {}): Promise<ScriptRun> {
  return runScript(commandScript(command, argv), opts)
}

/** Run a module script (oclif from the sources) in a child: its exit status and output. */
export function runScript(code: string, {timeoutMs = SCRIPT_TIMEOUT_MS}: {timeoutMs?: number} = {}): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {cwd: ROOT})
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGTERM')
    }, timeoutMs)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({status, stdout, stderr, timedOut})
    })
  })
}
