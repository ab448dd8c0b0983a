// --expect rules (pure: src/analysis/expect.ts), the hold-down, --learn, the expect schema, and
// --exec (bounded, timed out, failures reported, never blocking).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {ExpectTracker, expectAlert, judgeSample, learnExpect, MAX_LISTED_BREACHES, parseExpectFile, rulesFor, type VantageFacts} from '../../src/analysis/expect.js'
import type {ExpectFile} from '../../src/model/expect.js'
import {renderExpectSummary} from '../../src/render/expect.js'
import {EventExec} from '../../src/watch/exec.js'
import {schemaErrors} from '../helpers/schema.js'

const file: ExpectFile = {
  schemaVersion: 1,
  kind: 'expect',
  rules: [
    {name: 'germany stays in FRA', match: {country: 'DE'}, pops: ['FRA']},
    {name: 'never Sydney', notPops: ['SYD']},
    {name: 'home probes fast', match: {tag: 'home'}, maxRttMs: 50},
    {match: {vantage: 'netns:ap-vp-*'}, pops: ['FRA', 'AMS']},
  ],
}
const de: VantageFacts = {id: 'atlas:1001', vantage: {kind: 'atlas', id: 'atlas:1001', name: null, asn: 3320, country: 'DE', lat: null, lon: null}, tags: ['home']}
const sample = (round: number, pop: string | null, rttMs: number | null = 10, answered = true) => ({vantageId: de.id, round, at: 1_765_000_000_000 + round * 240_000, answered, pop, rttMs})

describe('expect rules', () => {
  it('parses a valid file (and the schema agrees), refuses bad ones with the reason', () => {
    assert.deepEqual(parseExpectFile(JSON.stringify(file)), file)
    assert.deepEqual(schemaErrors('expect.schema.json', file), [])
    assert.throws(() => parseExpectFile('{"kind":"expect","schemaVersion":1,"rules":[{"match":{"city":"x"},"pops":["A"]}]}'), /unknown field "city"/)
    assert.throws(() => parseExpectFile('{"kind":"expect","schemaVersion":1,"rules":[{"match":{}}]}'), /says nothing/)
    assert.throws(() => parseExpectFile('nope'), /not JSON/)
    assert.notDeepEqual(schemaErrors('expect.schema.json', {schemaVersion: 1, kind: 'expect', rules: [{match: {}}]}), [])
  })

  it('matches by country, tag, vantage glob; judges PoP, forbidden PoP and RTT', () => {
    assert.deepEqual(rulesFor(file, de).map((r) => r.index), [0, 1, 2])
    assert.deepEqual(rulesFor(file, {id: 'netns:ap-vp-ber', vantage: null, tags: []}).map((r) => r.index), [1, 3])
    const rules = rulesFor(file, de)
    assert.deepEqual(judgeSample(rules, {answered: true, pop: 'fra', rttMs: 10}), [])
    assert.deepEqual(judgeSample(rules, {answered: true, pop: 'SYD', rttMs: 80})!.map((b) => b.why), ['pop-not-allowed', 'pop-forbidden', 'rtt-over-bound'])
    // no verdict without an answer
    assert.equal(judgeSample(rules, {answered: false, pop: null, rttMs: null}), null)
  })

  it('hold-down: fires unexpected only after --for rounds, expected after as many back', () => {
    const t = new ExpectTracker(file, 2)
    assert.deepEqual(t.observe(de, sample(0, 'FRA')), [])
    assert.deepEqual(t.observe(de, sample(1, 'AMS')), []) // one odd answer pages nobody
    assert.deepEqual(t.observe(de, sample(2, 'FRA')), [])
    assert.deepEqual(t.observe(de, sample(3, 'AMS')), [])
    const [u] = t.observe(de, sample(4, 'AMS'))
    assert.equal(u?.type, 'unexpected')
    assert.equal(u?.round, 4)
    assert.equal(u?.type === 'unexpected' && u.broken[0]!.name, 'germany stays in FRA')
    assert.equal(u?.since, new Date(sample(3, 'AMS').at).toISOString())
    assert.deepEqual(schemaErrors('watch-event.schema.json', u), [])
    assert.deepEqual(t.observe(de, sample(5, 'AMS')), [])
    assert.deepEqual(t.observe(de, sample(6, null, null, false)), []) // no answer: no verdict
    assert.deepEqual(t.observe(de, sample(7, 'FRA')), [])
    const [e] = t.observe(de, sample(8, 'FRA'))
    assert.equal(e?.type, 'expected')
    assert.deepEqual(schemaErrors('watch-event.schema.json', e), [])
    assert.deepEqual(t.unexpected(), [])
  })

  it('a breach that ended before the watch did is kept (the alert does not vanish): who, which rules, since, until, how long', () => {
    const t = new ExpectTracker(file, 2)
    const iso = (r: number): string => new Date(sample(r, null).at).toISOString()
    t.observe(de, sample(0, 'FRA'))
    assert.equal(expectAlert(t.summary()), false, 'kept the rules so far: no alert')
    t.observe(de, sample(1, 'AMS'))
    t.observe(de, sample(2, 'SYD', 80)) // fires (two rounds broken); SYD breaks three rules
    t.observe(de, sample(3, 'AMS'))
    t.observe(de, sample(4, 'FRA'))
    t.observe(de, sample(5, 'FRA')) // back (two rounds within): expected, since round 4
    t.observe(de, sample(6, 'FRA'))
    assert.deepEqual(t.unexpected(), [], 'nobody breaks a rule at the end ...')
    const x = t.summary()
    assert.equal(expectAlert(x), true, '... but the watch saw one: alert (exit 8)')
    assert.deepEqual([x.holdRounds, x.judged, x.brokeRules, x.stillBroken, x.breachesOmitted], [2, 1, 1, 0, 0])
    assert.equal(x.breaches.length, 1)
    const b = x.breaches[0]!
    assert.deepEqual([b.vantageId, b.since, b.reportedAt, b.until, b.durationMs], [de.id, iso(1), iso(2), iso(4), 3 * 240_000])
    // every rule broken during the stretch, each once
    assert.deepEqual(b.broken.map((r) => `${r.rule} ${r.why}`), ['0 pop-not-allowed', '1 pop-forbidden', '2 rtt-over-bound'])
    // a second breach, still open at the end: until null, at least as long as its last answer
    t.observe(de, sample(7, 'AMS'))
    t.observe(de, sample(8, 'AMS'))
    t.observe(de, sample(9, null, null, false)) // no answer: no verdict, not counted in the length
    const y = t.summary()
    assert.deepEqual([y.brokeRules, y.stillBroken, y.breaches.length], [1, 1, 2])
    assert.deepEqual([y.breaches[1]!.since, y.breaches[1]!.until, y.breaches[1]!.durationMs], [iso(7), null, 240_000])
    const text = renderExpectSummary(y)!
    assert.match(text, /^anyprobe: 1 vantage point\(s\) broke the --expect rules during the watch \(1 still at the end\):\n/)
    assert.match(text, /\n {2}atlas:1001: germany stays in FRA: landed on AMS; allowed: FRA; never Sydney: .*; from \S+T\S+Z to \S+Z \(12 min 0 s\)\n/)
    assert.match(text, /\n {2}atlas:1001: germany stays in FRA: landed on AMS; allowed: FRA; since \S+Z, still breaking them at the end \(at least 4 min 0 s\)\n/)
    // only atlas:1001 was watched: the netns rule checked nothing, and the end says so
    assert.match(text, /\nanyprobe: a rule of the --expect file matched no vantage point, so it checked nothing: "rule 3"/)
  })

  it('a stretch shorter than --for is no breach and no alert; the listed breaches are bounded, the rest counted', () => {
    const t = new ExpectTracker(file, 3)
    t.observe(de, sample(0, 'AMS'))
    t.observe(de, sample(1, 'AMS'))
    t.observe(de, sample(2, 'FRA'))
    assert.equal(expectAlert(t.summary()), false)
    // no breach to list; what is left is the netns rule no vantage point of this watch matched
    assert.doesNotMatch(renderExpectSummary(t.summary()) ?? '', /broke the --expect rules/)
    const t3 = new ExpectTracker({...file, rules: file.rules.slice(0, 3)}, 3)
    for (const [r, pop] of [[0, 'AMS'], [1, 'AMS'], [2, 'FRA']] as const) t3.observe(de, sample(r, pop))
    assert.equal(renderExpectSummary(t3.summary()), null)
    const u = new ExpectTracker(file, 1)
    const n = MAX_LISTED_BREACHES + 5
    for (let r = 0; r < 2 * n; r++) u.observe(de, sample(r, r % 2 === 0 ? 'AMS' : 'FRA'))
    const x = u.summary()
    assert.deepEqual([x.breaches.length, x.breachesOmitted, x.brokeRules], [MAX_LISTED_BREACHES, 5, 1])
    assert.equal(expectAlert(x), true)
  })

  it('rules are chosen again when a vantage point\'s facts arrive after its first answer', () => {
    const t = new ExpectTracker(file, 1)
    const unknown: VantageFacts = {id: de.id, vantage: null, tags: []}
    assert.deepEqual(t.observe(unknown, sample(0, 'AMS')), []) // no country yet: the DE rule does not apply
    const [u] = t.observe(de, sample(1, 'AMS'))
    assert.equal(u?.type, 'unexpected')
  })

  it('--learn writes the current catchment as rules the parser reads back', () => {
    const f = learnExpect([{vantageId: 'atlas:2', pop: 'AMS+FRA'}, {vantageId: 'atlas:1', pop: 'FRA'}, {vantageId: 'atlas:3', pop: null}], 'test')
    assert.deepEqual(f.rules, [{match: {vantage: 'atlas:1'}, pops: ['FRA']}, {match: {vantage: 'atlas:2'}, pops: ['AMS', 'FRA']}])
    assert.deepEqual(parseExpectFile(JSON.stringify(f)), f)
  })
})

describe('--metrics server', () => {
  it('a slow client (a request never finished) does not hold the end of the watch', async () => {
    const {serveMetrics, closeMetrics, WatchMetrics} = await import('../../src/watch/metrics.js')
    const {connect} = await import('node:net')
    const srv = await serveMetrics(new WatchMetrics(), '127.0.0.1', 0)
    const sock = connect(srv.port, '127.0.0.1')
    await new Promise((r) => sock.once('connect', r))
    sock.write('GET /metrics HTTP/1.1\r\nHost: x\r\n') // and never the end of the headers
    sock.on('error', () => {})
    const t0 = Date.now()
    await closeMetrics(srv)
    // held, it would wait for the server's headers timeout (60 s); 5 s leaves a loaded machine room
    assert.ok(Date.now() - t0 < 5000, `closed in ${Date.now() - t0} ms`)
    sock.destroy()
  })
})

describe('--exec', () => {
  it('runs per event with the JSON on stdin, bounded, reports failures and timeouts, never blocks the caller', async () => {
    const lines: string[] = []
    // the timeout is far above what sh and sed take on a loaded machine (at 300 ms the quick
    // command was once killed too), and far below the slow one's sleep
    const ex = new EventExec({command: 'read line; case "$line" in *fail*) echo bad >&2; exit 3;; *slow*) sleep 30;; esac; test "$ANYPROBE_EVENT_TYPE" = "$(echo "$line" | sed -e \'s/.*"type":"\\([a-z]*\\)".*/\\1/\')"', concurrency: 2, timeoutMs: 3000, report: (l) => lines.push(l)})
    ex.push({type: 'shift', vantageId: 'a'})
    ex.push({type: 'fail', vantageId: 'b'})
    ex.push({type: 'slow', vantageId: 'c'})
    // push returns at once: when it has returned, no command has ended yet (a push that waited
    // for its command would have counted it), two run (the bound), the third is queued. Counted,
    // not timed: a wall-clock bound on spawning two processes failed on a loaded machine.
    assert.deepEqual(ex.stats, {started: 2, succeeded: 0, failed: 0, timedOut: 0, dropped: 0}, 'push returns at once')
    assert.deepEqual(lines, [])
    // drain's own bound (one --exec-timeout) is tested in watch-exec-drain.test.ts; here every
    // command must end by itself, however slowly the machine starts them
    await ex.drain(60_000)
    assert.deepEqual(ex.stats, {started: 3, succeeded: 1, failed: 1, timedOut: 1, dropped: 0})
    assert.ok(lines.some((l) => /--exec for fail at b: exited with 3: bad/.test(l)), lines.join('\n'))
    assert.ok(lines.some((l) => /--exec for slow at c: killed after 3000 ms/.test(l)), lines.join('\n'))
  })
})
