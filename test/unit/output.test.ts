// One way to print JSON and NDJSON (src/console/output.ts): records are batched into ~64 KiB
// writes, the writer waits while the reader is behind (back-pressure), and a reader that goes away
// (`anyprobe geohint --json | head -1`) ends the command quietly with its exit code.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {EventEmitter} from 'node:events'
import {describe, it} from 'node:test'

import {CHUNK, jsonText, ndjsonLine, OutputWriter} from '../../src/console/output.js'
import {commandScript, ROOT} from '../helpers/cli.js'

/** A stream that records its writes and reports "full" when told to. */
class Sink extends EventEmitter {
  writes: string[] = []
  full = false
  write(s: string): boolean {
    this.writes.push(s)
    return !this.full
  }
}

describe('OutputWriter', () => {
  it('batches records into chunks and loses none, in order', async () => {
    const sink = new Sink()
    const w = new OutputWriter(sink as never)
    const recs = Array.from({length: 20_000}, (_, i) => ({schemaVersion: 1, input: `ae${i}.cr1.fra03.example.net`, pop: null}))
    for (const r of recs) {
      w.record(r)
      if (w.pending()) await w.flush()
    }
    await w.flush()
    const all = sink.writes.join('')
    assert.equal(all, recs.map(ndjsonLine).join(''))
    assert.ok(sink.writes.length <= Math.ceil(all.length / CHUNK) + 1, `${sink.writes.length} writes for ${all.length} characters`)
    assert.ok(sink.writes.length >= 2)
  })

  it('waits for drain while the reader is behind', async () => {
    const sink = new Sink()
    const w = new OutputWriter(sink as never)
    sink.full = true
    w.record({a: 1})
    let done = false
    const p = w.flush().then(() => (done = true))
    await new Promise((r) => setImmediate(r))
    assert.equal(done, false, 'flush resolved before drain')
    sink.emit('drain')
    await p
    assert.equal(done, true)
  })

  it('callers that do not wait share one drain wait (no listener per line), and close releases it', async () => {
    const sink = new Sink()
    const w = new OutputWriter(sink as never)
    sink.full = true
    const waits: Array<Promise<void>> = []
    for (let i = 0; i < 50; i++) {
      w.record({i})
      waits.push(w.flush())
    }
    assert.equal(sink.listenerCount('drain'), 1)
    let done = 0
    for (const p of waits) void p.then(() => done++)
    sink.emit('drain')
    await new Promise((r) => setImmediate(r))
    assert.equal(done, 50)
    // blocked again, then the reader goes away: nobody waits forever for a drain that will not come
    w.record({last: true})
    const blocked = w.flush()
    w.close()
    await blocked
    assert.equal(sink.writes.length, 51)
  })

  it('after close nothing is written', async () => {
    const sink = new Sink()
    const w = new OutputWriter(sink as never)
    w.record({a: 1})
    w.close()
    w.record({b: 2})
    await w.flush()
    assert.deepEqual(sink.writes, [])
  })

  it('a JSON document is pretty JSON and a newline; a record compact JSON and a newline', () => {
    assert.equal(jsonText({a: [1]}), '{\n  "a": [\n    1\n  ]\n}\n')
    assert.equal(ndjsonLine({a: [1]}), '{"a":[1]}\n')
  })
})

/** Run a command from the sources with stdin given, reading only the first `keep` bytes of stdout, then closing it. */
function runClosingEarly(command: string, argv: string[], stdin: string, keep: number): Promise<{status: number | null; got: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', commandScript(command, argv)], {cwd: ROOT, timeout: 60_000})
    let got = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      got += d.toString()
      if (got.length >= keep) child.stdout.destroy()
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (status) => resolve({status, got, stderr}))
    child.stdin.on('error', () => {})
    child.stdin.end(stdin)
  })
}

describe('a reader that goes away (EPIPE)', () => {
  it('geohint --json on 200 000 names: the command ends quietly, exit 0, after the first chunk', async () => {
    const names = Array.from({length: 200_000}, (_, i) => `ae${i % 64}.cr${i % 9}.fra03.transit.example`).join('\n')
    const r = await runClosingEarly('geohint', ['--json'], names, 1)
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stderr, '')
    assert.match(r.got.split('\n')[0]!, /^\{"schemaVersion":1,"input":"ae0\.cr0\.fra03\.transit\.example"/)
    assert.ok(r.got.length < 10_000_000, 'it stopped writing')
  })
})
