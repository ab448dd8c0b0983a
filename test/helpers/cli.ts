// Run a command class from the TypeScript sources (no build needed), in a child process so stdout
// and the exit code are real. Asynchronous: test servers living in the calling process keep answering.
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export function runCommand(command: string, argv: string[]): Promise<{status: number | null; stdout: string; stderr: string}> {
  const code =
    `const {handle, flush} = await import('@oclif/core');` +
    `const {default: C} = await import(${JSON.stringify(`${ROOT}src/commands/${command}.ts`)});` +
    `await C.run(${JSON.stringify(argv)}, ${JSON.stringify(ROOT)}).then(() => flush(), (e) => handle(e))`
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {cwd: ROOT, timeout: 30_000})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (status) => resolve({status, stdout, stderr}))
  })
}
