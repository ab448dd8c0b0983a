// `watch --out` on a full disk or a file-size limit: the watch keeps measuring, says the write
// error once with its code, prints its summary, exits 10, and never leaves a torn last line.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import * as fs from 'node:fs'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'

import {NdjsonOutFile, type OutFs} from '../../src/watch/out-file.js'
import {srcConfig} from '../helpers/cli.js'
import {startDnsServer, txtReply} from '../helpers/dns-server.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** fs whose writes stop fitting after `room` bytes: the write that crosses it is partial, then ENOSPC. */
function fullAfter(room: number): OutFs {
  let left = room
  return {
    ...fs,
    writeSync: ((fd: number, buf: Buffer, off: number, len: number) => {
      if (left <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'})
      const n = Math.min(len, left)
      left -= n
      return fs.writeSync(fd, buf, off, n)
    }) as OutFs['writeSync'],
  }
}

test('a line that does not fit is cut off again; the first failure is kept; nothing more is written', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'anyprobe-out-')), 'w.ndjson')
  const out = new NdjsonOutFile(path, fullAfter(25))
  assert.equal(out.writeLine('{"a":1,"pad":"xxxxx"}\n'), true) // 22 bytes
  assert.equal(out.writeLine('{"b":2,"pad":"yyyyy"}\n'), false) // 3 bytes fit, then ENOSPC
  assert.equal(out.writeLine('{"c":3}\n'), false)
  out.close()
  assert.equal(readFileSync(path, 'utf8'), '{"a":1,"pad":"xxxxx"}\n', 'only whole lines remain')
  assert.deepEqual(out.failure && {code: out.failure.code, lines: out.failure.lines}, {code: 'ENOSPC', lines: 1})
  const err = out.error()!
  assert.equal(err.code, 'E_WRITE')
  assert.equal(err.exitCode, 10)
  assert.match(err.message, /ENOSPC after 1 lines/)
})

test('watch --out /dev/full: measures on, says ENOSPC once, prints the summary, exits 10', async () => {
  const udp = await startDnsServer({answer: ({query}) => txtReply(query, 's1.fra.anycast.example')})
  try {
    const args = ['127.0.0.1', '--port', String(udp.port), '--interval', '30ms', '--count', '10', '--out', '/dev/full']
    const script = `const m = await import(${JSON.stringify(ROOT + 'src/commands/watch.ts')}); await m.default.run(${JSON.stringify(args)}, ${JSON.stringify(srcConfig())})`
    const r = await new Promise<{code: number | null; stdout: string; stderr: string}>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.on('close', (code) => resolve({code, stdout, stderr}))
    })
    assert.equal(r.code, 10, r.stderr)
    assert.equal(r.stderr.match(/E_WRITE/g)?.length, 1, `said once: ${r.stderr}`)
    assert.match(r.stderr, /--out \/dev\/full: ENOSPC after 0 lines/)
    // 10 rounds sent (--count); a loaded machine may have skipped some, said in the summary
    assert.match(r.stdout, /summary: (10 rounds,|\d+ rounds \(\d+ skipped: not sent on time\),) 10 probes/)
    assert.match(r.stdout, /10 answered, 0 lost/)
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace')
  } finally {
    await udp.close()
  }
})
