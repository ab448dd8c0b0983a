// A watch whose reader goes away (`anyprobe watch ... | head -1`) stops as Ctrl-C stops it: the RIPE
// Atlas measurement it created is still stopped (it spends credits while it runs), --learn is still
// written and the exit code is still the watch's own. Before, the closed pipe ended the process on
// the spot and the measurement kept running. And a slow reader is waited for with one listener,
// not one per line.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {startAtlasReplay} from '../helpers/atlas-replay.js'
import {MSM, probeObjects, rounds} from '../helpers/atlas-watch-scenario.js'
import {commandScript, ROOT} from '../helpers/cli.js'
import {dnsIdentityServer} from '../helpers/loopback-vantage.js'

/** Run a command from the sources, read its stdout up to the first newline, then close it. */
function runReadingOneLine(command: string, argv: string[], env: Record<string, string>): Promise<{status: number | null; got: string; stderr: string; ms: number}> {
  const t0 = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', commandScript(command, argv)], {cwd: ROOT, timeout: 60_000, env: {...process.env, ...env}})
    let got = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      got += d.toString()
      if (got.includes('\n')) child.stdout.destroy()
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (status) => resolve({status, got, stderr, ms: Date.now() - t0}))
  })
}

describe('watch with a reader that goes away', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anyprobe-closed-'))
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('--from atlas:SELECTOR: the measurement it created is stopped, and the watch ends well before --duration', async () => {
    const KEY = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'
    const srv = await startAtlasReplay({
      routes: [
        {method: 'POST', path: 'measurements/', status: 201, body: {measurements: [MSM]}},
        {method: 'DELETE', path: `measurements/${MSM}/`, status: 204},
        {path: `measurements/${MSM}/results/`, body: []},
        {path: 'probes/', body: probeObjects()},
      ],
      stream: {results: {[MSM]: rounds(0, 3)}, delayMs: 5},
    })
    try {
      const r = await runReadingOneLine('watch', ['193.0.14.129', '--from', 'atlas:country=NL,n=40', '--method', 'dns', '--json', '--duration', '20s'], {
        ANYPROBE_ATLAS_URL: srv.url,
        ANYPROBE_ATLAS_STREAM_URL: srv.streamUrl,
        ANYPROBE_ATLAS_KEY: KEY,
        XDG_CONFIG_HOME: '/nonexistent-anyprobe-test',
      })
      assert.match(r.got, /^\{"schemaVersion":1/)
      assert.deepEqual(srv.requests.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.path}`), ['POST measurements/', `DELETE measurements/${MSM}/`], r.stderr)
      assert.match(r.stderr, /measurement 7101001 stopped/)
      assert.ok(r.ms < 15_000, `ended after ${r.ms} ms, not at --duration`)
      assert.notEqual(r.status, null)
    } finally {
      await srv.close()
    }
  })

  it('a local watch whose later output meets the closed pipe still writes --learn and exits with its own code', async () => {
    const dns = await dnsIdentityServer('fra')
    try {
      const learn = join(dir, 'learn.json')
      const r = await runReadingOneLine('watch', ['127.0.0.1', '--port', String(dns.port), '--from', 'local', '--method', 'dns', '--interval', '100ms', '--timeout', '200ms', '--duration', '2s', '--json', '--learn', learn], {})
      // a steady watch prints nothing after its first lines, so it learns of the closed pipe only when the summary is printed
      assert.ok(existsSync(learn), `--learn written: ${r.stderr}`)
      assert.equal((JSON.parse(readFileSync(learn, 'utf8')) as {kind?: string}).kind, 'expect')
      assert.equal(r.status, 0, r.stderr)
    } finally {
      await dns.close()
    }
  })
})
