// `watch --method http` called every probe error an outage of the target: a self-signed
// certificate read "outage ... no probe was answered", exit 4, counted in anyprobe_outages_total,
// the certificate error never shown (--out said only E_NETWORK), where one-shot `http` says the
// certificate error and exits 6. Now the prober takes the engine's own split (targetsFailure): a
// refused, reset or silent target is the target's outage; a certificate we did not trust (the
// target answered, we refused to go on) is the vantage point's failure: vantageFault on the
// observation, vantageError on the outage, the engine's message and hint said once, exit 6 when no
// vantage point answered for that reason.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer as createHttpsServer, type Server} from 'node:https'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {analyze} from '../../src/analysis/watch/index.js'
import {countAnswers, measuredExit} from '../../src/model/exit.js'
import {answerOfOutcome} from '../../src/console/multi-run.js'
import type {Observation, OutageEvent} from '../../src/model/watch.js'
import {makeHttpProber} from '../../src/vantage/live/probe.js'
import {runCommand} from '../helpers/cli.js'
import {REMOTE_COMMAND, withFakeSsh} from '../helpers/loopback-vantage.js'
import {closedTcpPort, closeServer, listenLoopback} from '../helpers/loopback-server.js'
import {schemaErrors} from '../helpers/schema.js'
import {haveOpenssl, selfSignedCert} from '../helpers/self-signed-cert.js'

describe('watch http: a certificate we did not trust is the vantage point\'s failure, not an outage of the target', {skip: haveOpenssl ? false : 'openssl not installed'}, () => {
  let dir: string
  let server: Server
  let url: string
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anyprobe-wtls-'))
    // a CloudFront edge's headers (x-amz-cf-pop names the site), on a self-signed certificate
    server = createHttpsServer(selfSignedCert('edge.anycast.example'), (_req, res) => {
      res.setHeader('x-amz-cf-pop', 'FRA56-P3')
      res.end('ok')
    })
    url = `https://127.0.0.1:${await listenLoopback(server)}/`
  })
  after(async () => {
    await closeServer(server)
    rmSync(dir, {recursive: true, force: true})
  })

  it('the prober: the engine\'s code, vantageFault and the engine\'s words for the certificate; a refused port stays the target\'s', async () => {
    const prober = makeHttpProber({url: new URL(url), host: null, timeoutMs: 2000, insecure: false, name: null})
    try {
      const a = await prober(0)
      assert.equal(a.answered, false)
      assert.equal(a.error, 'E_NETWORK')
      assert.equal(a.vantageFault, true)
      assert.match(a.detail ?? '', /TLS certificate of 127\.0\.0\.1:\d+ did not verify \(DEPTH_ZERO_SELF_SIGNED_CERT\)/)
      assert.match(a.detail ?? '', /hint: --insecure/)
    } finally {
      prober.close()
    }
    const refused = makeHttpProber({url: new URL(`http://127.0.0.1:${await closedTcpPort()}/`), host: null, timeoutMs: 2000, insecure: false, name: null})
    try {
      const a = await refused(0)
      assert.equal(a.error, 'E_UNREACHABLE')
      assert.equal(a.vantageFault, undefined)
      assert.equal(a.detail, undefined)
    } finally {
      refused.close()
    }
  })

  it('the analysis: an outage of such probes carries vantageError; of the target\'s own errors, none', () => {
    const obs = (fault: boolean): Observation[] => [0, 1, 2].map((r) => ({
      vantageId: 'local', round: r, flow: 0, sentAt: 1_796_640_000_000 + r * 1000, receivedAt: null, rttMs: null, pop: null, answered: false,
      error: fault ? 'E_NETWORK' : 'E_UNREACHABLE', ...(fault ? {vantageFault: true as const} : {}),
    }))
    const opts = {intervalMs: 1000, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 2}
    const outage = (o: Observation[]) => analyze(o, opts).find((e): e is OutageEvent => e.type === 'outage')!
    assert.equal(outage(obs(true)).vantageError, 'E_NETWORK')
    assert.equal(outage(obs(false)).vantageError, undefined)
  })

  it('the command: the certificate error said once, the outage the vantage point\'s, --out marks it, exit 6 as one-shot http', async () => {
    const out = join(dir, 'w.ndjson')
    const r = await runCommand('watch', [url, '--method', 'http', '--count', '3', '--out', out])
    assert.equal(r.status, 6, r.stderr)
    assert.equal(r.stderr.match(/did not verify \(DEPTH_ZERO_SELF_SIGNED_CERT\)/g)?.length, 1, r.stderr)
    assert.match(r.stderr, /hint: --insecure/)
    assert.match(r.stderr, /not an outage of the target \(exit 6\)/)
    assert.doesNotMatch(r.stderr, /no probe was answered \(exit 4\)/)
    assert.match(r.stdout, /outage since .*: the vantage point failed \(E_NETWORK\), not the target/)
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    const observations = lines.filter((l) => l.kind === undefined)
    assert.equal(observations.length, 3)
    for (const o of observations) {
      assert.equal(o.error, 'E_NETWORK')
      assert.equal(o.vantageFault, true)
    }
    assert.deepEqual(schemaErrors('watch-out.schema.json', lines[0]), [])
    for (const o of observations) assert.deepEqual(schemaErrors('watch-out.schema.json', o), [])
    // report of the file judges it as the watch did: the vantage point's outage, exit 6
    const rep = await runCommand('report', [out])
    assert.equal(rep.status, 6, rep.stderr)
    assert.match(rep.stdout, /the vantage point failed \(E_NETWORK\), not the target/)
    assert.match(rep.stderr, /not an outage of the target \(exit 6\)/)
  })

  it('catchment: the same failure at every vantage point is exit 6 as one-shot http says it (it was 4, "the target did not answer"); a refused port stays 4', async () => {
    // local and an ssh vantage point (fake ssh running the real anyprobe here), as exit-codes.test.ts runs them
    const undo = withFakeSsh()
    try {
      const from = ['--from', 'local', '--from', 'ssh:vp-ber', '--remote-command', REMOTE_COMMAND]
      const c = await runCommand('catchment', [url, '--method', 'http', ...from])
      assert.equal(c.status, 6, c.stdout + c.stderr)
      assert.match(c.stdout, /local\s+E_NETWORK: TLS certificate of 127\.0\.0\.1:\d+ did not verify/)
      const refused = await runCommand('catchment', [`http://127.0.0.1:${await closedTcpPort()}/`, '--method', 'http', ...from])
      assert.equal(refused.status, 4, refused.stdout + refused.stderr)
    } finally {
      undo()
    }
    const one = await runCommand('http', [url])
    assert.equal(one.status, 6)
  })

  it('the exit rule: 6 only when every vantage point failed for its own reason; one the target did not answer, or one answered, keeps 4 / 9', () => {
    assert.equal(measuredExit({answered: 0, total: 2, ownFailures: 2}), 6)
    assert.equal(measuredExit({answered: 0, total: 2, ownFailures: 1}), 4)
    assert.equal(measuredExit({answered: 1, total: 2, ownFailures: 1}), 9)
    assert.equal(measuredExit({answered: 0, total: 2, ownFailures: 2, alert: true}), 8)
    const vp = (kind: 'local' | 'atlas') => ({kind, id: kind, name: null, asn: null, country: null, lat: null, lon: null})
    const failed = (kind: 'local' | 'atlas') => ({vantage: vp(kind), result: null, error: {code: 'E_NETWORK', message: 'x', hint: null}})
    // a RIPE Atlas probe's E_NETWORK is read from its words ("connect: Connection refused"): maybe the target's
    assert.equal(countAnswers([failed('local'), failed('atlas')].map(answerOfOutcome)).ownFailures, 1)
  })

  it('--insecure: the same edge answers and is named (the failure was ours, not the target\'s)', async () => {
    const r = await runCommand('watch', [url, '--method', 'http', '--count', '2', '--insecure'])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /local\s+now FRA/)
  })
})
