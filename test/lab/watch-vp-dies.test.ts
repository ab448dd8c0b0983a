// A vantage point whose child dies in the middle of a watch (kill -9 of the anyprobe running in
// ap-vp-nyc): its outage names the vantage point's failure (vantageError E_VP_*), live and in
// `report` of the --out file, while ap-vp-ber goes on with no outage; the watch exits 9 (partial).
// Before, the JSON showed a plain outage, as if the target had stopped answering ap-vp-nyc.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import {setTimeout as sleep} from 'node:timers/promises'

import type {OutageEvent, WatchEvent} from '../../src/model/watch.js'
import {schemaErrors} from '../helpers/schema.js'
import {ANYPROBE, E, isRoot, run} from './lib.js'

const skip = isRoot ? false : 'needs root (network namespaces)'
const ANYCAST = E.AP_ANYCAST4 ?? '198.51.100.10'
const tmp = mkdtempSync(join(tmpdir(), 'anyprobe-vp-dies-'))
after(() => rmSync(tmp, {recursive: true, force: true}))

/** The direct children of pid whose command line holds `needle`. */
function childrenWith(pid: number, needle: string): number[] {
  const out: number[] = []
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const ppid = Number(/^\d+ \(.*\) \S (\d+)/s.exec(readFileSync(`/proc/${d}/stat`, 'utf8'))?.[1])
      if (ppid === pid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) out.push(Number(d))
    } catch {
      // gone meanwhile
    }
  }
  return out
}

describe('watch in the lab: a vantage point that dies', {skip, timeout: 90_000}, () => {
  it('its outage says the vantage point failed (E_VP_*), live and in report; the other goes on; exit 9', async () => {
    const out = join(tmp, 'w.ndjson')
    const child = spawn(process.execPath, [ANYPROBE, 'watch', ANYCAST, '--from', 'netns:ap-vp-ber,ap-vp-nyc', '--interval', '100ms', '--json', '--out', out], {stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    try {
      // both started
      for (let i = 0; i < 150 && (stdout.match(/"type":"state"/g) ?? []).length < 2; i++) await sleep(100)
      assert.equal((stdout.match(/"type":"state"/g) ?? []).length, 2, stderr)
      const nyc = childrenWith(child.pid!, '--vantage-id=ap-vp-nyc')
      assert.equal(nyc.length, 1, `the ap-vp-nyc child of ${child.pid}`)
      process.kill(nyc[0]!, 'SIGKILL')
      for (let i = 0; i < 50 && !stdout.includes('"type":"outage"'); i++) await sleep(100)
      await sleep(500)
    } finally {
      child.kill('SIGTERM')
    }
    const code = await closed
    const events = stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as WatchEvent)
    for (const e of events) assert.deepEqual(schemaErrors('watch-event.schema.json', e), [], JSON.stringify(e))
    const outages = events.filter((e): e is OutageEvent => e.type === 'outage')
    assert.deepEqual(outages.map((e) => e.vantageId), ['ap-vp-nyc'], `only ap-vp-nyc is out: ${stdout}`)
    assert.match(outages[0]!.vantageError ?? '', /^E_VP_/, JSON.stringify(outages[0]))
    assert.equal(code, 9, stderr)
    // report of the --out file judges the same observations the same way
    const r = await run(process.execPath, [ANYPROBE, 'report', out, '--json'])
    const replayed = r.stdout.split('\n').filter((l) => l.includes('"type":"outage"')).map((l) => JSON.parse(l) as OutageEvent)
    assert.deepEqual(replayed.map((e) => [e.vantageId, e.vantageError]), [['ap-vp-nyc', outages[0]!.vantageError]], r.stderr)
  })
})
