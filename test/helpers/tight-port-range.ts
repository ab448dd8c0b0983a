// Run a script in a network namespace of its own whose ephemeral port range is two ports
// (net.ipv4.ip_local_port_range is per network namespace): a source port drawn again that in the
// host's ~28,000-port range comes once in thousands of draws comes every other draw there, so a
// test can see it. Needs unshare -n and sysctl in the new namespace: root (CI runs the unit tests
// as root, scripts/test.sh), else a user namespace where the kernel allows it; where neither
// works the tests using it are skipped, saying why.
import {spawn, spawnSync} from 'node:child_process'

import {ROOT} from './cli.js'

export const TIGHT_RANGE: readonly [number, number] = [40000, 40001]

const PREAMBLE = `ip link set lo up && sysctl -qw net.ipv4.ip_local_port_range="${TIGHT_RANGE[0]} ${TIGHT_RANGE[1]}"`
const UNSHARE = process.getuid?.() === 0 ? ['-n'] : ['-r', '-n']

/** false when a namespace with the tight range can be made here, else why not (a test's skip). */
export function tightRangeSkip(): string | false {
  const r = spawnSync('unshare', [...UNSHARE, 'sh', '-c', PREAMBLE], {encoding: 'utf8'})
  if (r.error) return `unshare not available: ${r.error.message}`
  return r.status === 0 ? false : `cannot make a network namespace with a two-port range (root needed): ${r.stderr.trim()}`
}

/** Run `script` (TypeScript, from the sources) with `args` in such a namespace; its exit status and output. */
export function runInTightRange(script: string, args: string[] = []): Promise<{status: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn('unshare', [...UNSHARE, 'sh', '-c', `${PREAMBLE} && exec "$@"`, 'sh', process.execPath, '--import', 'tsx', script, ...args], {cwd: ROOT})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (status) => resolve({status, stdout, stderr}))
  })
}
