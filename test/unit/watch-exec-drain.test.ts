// The end of a watch waits for its --exec commands, but not for ever: a hook that hangs, with
// events queued behind it, held Ctrl-C / SIGTERM for the whole queue (up to 1000 events x
// --exec-timeout / concurrency; in the lab a `sleep 30` hook kept a stopped watch alive for
// minutes). Now drain() waits about one --exec-timeout in all, then kills what runs, drops the
// queue and says so; a quick hook still sees every event.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {EventExec} from '../../src/watch/exec.js'

describe('--exec at the end of a watch', () => {
  it('a hanging hook with events queued behind it: drain returns within its bound, says what was not run and killed', async () => {
    const lines: string[] = []
    const ex = new EventExec({command: 'sleep 30', concurrency: 1, timeoutMs: 20_000, report: (l) => lines.push(l)})
    for (let i = 0; i < 5; i++) ex.push({type: 'shift', vantageId: `v${i}`})
    const t0 = Date.now()
    await ex.drain(400)
    const took = Date.now() - t0
    // not bounded, it would wait 20 s for the hook (and more for the queue)
    assert.ok(took < 8000, `drain took ${took} ms`)
    assert.ok(lines.some((l) => /--exec at the end of the watch: 4 queued events not run, 1 command still running killed after 400 ms/.test(l)), lines.join('\n'))
    assert.equal(ex.stats.dropped, 4)
    assert.equal(ex.stats.started, 1)
  })

  it('quick hooks: every queued event still runs, nothing dropped, no warning', async () => {
    const lines: string[] = []
    // drain's default bound is one --exec-timeout: ample, so 8 quick hooks started on a loaded machine all run
    const ex = new EventExec({command: 'cat > /dev/null', concurrency: 2, timeoutMs: 30_000, report: (l) => lines.push(l)})
    for (let i = 0; i < 8; i++) ex.push({type: 'shift', vantageId: `v${i}`})
    await ex.drain()
    assert.deepEqual(ex.stats, {started: 8, succeeded: 8, failed: 0, timedOut: 0, dropped: 0})
    assert.deepEqual(lines, [])
  })
})

describe('--exec: a hook that leaves something running', () => {
  it('a process started in a session of its own (setsid) keeps stderr open: the hook still ends when it exits, and drain returns', async () => {
    const lines: string[] = []
    const ex = new EventExec({command: 'setsid sleep 8 & exit 0', concurrency: 1, timeoutMs: 20_000, report: (l) => lines.push(l)})
    ex.push({type: 'shift', vantageId: 'v1'})
    const t0 = Date.now()
    await ex.drain(15_000)
    const took = Date.now() - t0
    // held, it would take the sleep's 8 s
    assert.ok(took < 6000, `drain took ${took} ms (the left-behind sleep held stderr)`)
    assert.deepEqual(ex.stats, {started: 1, succeeded: 1, failed: 0, timedOut: 0, dropped: 0})
    assert.deepEqual(lines, [])
  })
})

describe('--exec at the end: a second Ctrl-C stops the wait', () => {
  it('drain says it waits and that Ctrl-C again stops it; the hurry signal kills the hook at once', async () => {
    const lines: string[] = []
    const ex = new EventExec({command: 'sleep 30', concurrency: 1, timeoutMs: 10_000, report: (l) => lines.push(l)})
    for (let i = 0; i < 3; i++) ex.push({type: 'outage', vantageId: `v${i}`})
    const hurry = new AbortController()
    const t0 = Date.now()
    setTimeout(() => hurry.abort(), 300)
    await ex.drain(undefined, hurry.signal)
    const took = Date.now() - t0
    // not hurried, it would wait 11 s
    assert.ok(took < 6000, `drain took ${took} ms after the second signal at 300 ms`)
    assert.match(lines[0]!, /^anyprobe: waiting up to 11 s for 3 --exec commands; Ctrl-C stops them now$/)
    assert.ok(lines.some((l) => /2 queued events not run, 1 command still running killed at Ctrl-C \/ SIGTERM/.test(l)), lines.join('\n'))
  })
})
