// catchment --no-rdns / --no-asn (issue 12): the trace children are asked for no reverse DNS and no
// ASN (trace --no-dns --no-asn), RIPE Atlas results get no reverse-DNS lookup, and the names and
// ASNs Globalping resolved for hops are dropped; a method other than trace refuses them (exit 2).
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import type {TraceResult} from '../../src/model/trace.js'
import {AtlasBackend} from '../../src/vantage/atlas/index.js'
import {parseContextOf} from '../../src/vantage/globalping/index.js'
import {buildRequest} from '../../src/vantage/globalping/request.js'
import {parseGlobalpingSelector} from '../../src/vantage/globalping/locations.js'
import {parseMeasurement} from '../../src/vantage/globalping/parse.js'
import type {ProbePlan, VantageOutcome} from '../../src/vantage/types.js'
import {fixture, type ReplayServer, standardRoutes, startAtlasReplay} from '../helpers/atlas-replay.js'
import {ROOT, runCommand} from '../helpers/cli.js'
import {REMOTE_COMMAND, withFakeSsh} from '../helpers/loopback-vantage.js'

const gp = (name: string): Parameters<typeof parseMeasurement>[0] => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/globalping', name), 'utf8'))
const plan = (options: ProbePlan['options']): ProbePlan => ({method: 'trace', target: 'cdn.example.com', cliArgs: [], options})

describe('catchment --no-rdns / --no-asn', () => {
  it('Globalping: the hop names and ASNs it resolved are dropped (and so the hints they gave)', () => {
    const m = gp('trace-finished.json')
    const ctxOf = (options: ProbePlan['options']) => parseContextOf(plan(options), buildRequest(plan(options), parseGlobalpingSelector('world')))
    const hops = (options: ProbePlan['options']) =>
      parseMeasurement(m, ctxOf(options)).flatMap((o: VantageOutcome) => (o.result as TraceResult | null)?.hops ?? [])
    const named = hops({})
    assert.ok(named.some((h) => h.hostname !== null), 'the fixture names hops')
    assert.ok(named.some((h) => h.hint !== null))
    const bare = hops({rdns: false, asn: false})
    assert.equal(bare.length, named.length)
    assert.ok(bare.every((h) => h.hostname === null && h.hint === null && h.asn === null))
    assert.ok(bare.some((h) => h.addr !== null), 'addresses stay')
  })

  describe('RIPE Atlas (replay server on 127.0.0.1)', () => {
    let srv: ReplayServer
    before(async () => {
      srv = await startAtlasReplay({stream: {results: {3606560: fixture<unknown[]>('results-3606560.json')}}})
    })
    after(async () => {
      await srv.close()
    })
    it('no reverse-DNS lookup at all with rdns: false; lookups without it', async () => {
      const ongoing = {path: 'measurements/3606560/', body: {...fixture<object>('measurement-3606560.json'), status: {id: 2, name: 'Ongoing'}, stop_time: null}}
      const probes = {path: 'measurements/3606560/', query: {optional_fields: 'probes'}, fixture: 'measurement-3606560-probes.json'}
      const run = async (options: ProbePlan['options']): Promise<{lookups: number; hops: TraceResult['hops']}> => {
        srv.routes.length = 0
        srv.routes.push({path: 'measurements/3606560/results/', body: []}, probes, ongoing, ...standardRoutes())
        let lookups = 0
        const b = new AtlasBackend('probes=12185,22880', {
          env: {ANYPROBE_ATLAS_KEY: '5ca1ab1e-0000-4000-8000-00000000beef', ANYPROBE_ATLAS_URL: srv.url, ANYPROBE_ATLAS_STREAM_URL: srv.streamUrl, XDG_CONFIG_HOME: '/nonexistent'},
          rdns: {reverse: async () => (lookups++, 'ae1.cr1.sjc2.transit.example')},
          wait: 'stream',
          pollIntervalMs: 60_000,
          clientOptions: {baseDelayMs: 5},
        })
        const out: VantageOutcome[] = []
        for await (const o of b.run({...plan(options), target: '194.0.25.10', options: {protocol: 'icmp', ...options}}, {concurrency: 4})) out.push(o)
        return {lookups, hops: out.flatMap((o) => (o.result as TraceResult | null)?.hops ?? [])}
      }
      const named = await run({})
      assert.ok(named.lookups > 0)
      assert.ok(named.hops.some((h) => h.hostname !== null))
      const bare = await run({rdns: false})
      assert.equal(bare.lookups, 0)
      assert.ok(bare.hops.length > 0 && bare.hops.every((h) => h.hostname === null))
    })
  })

  describe('the command', () => {
    let undo: () => void
    let dir: string
    before(() => {
      undo = withFakeSsh()
      dir = mkdtempSync(join(tmpdir(), 'anyprobe-nordns-'))
    })
    after(() => {
      undo()
      rmSync(dir, {recursive: true, force: true})
    })
    it('each vantage point runs trace --no-dns --no-asn; without the flags, neither', async () => {
      const log = join(dir, 'ssh-argv')
      process.env.FAKE_SSH_LOG = log
      try {
        const base = ['127.0.0.1', '--method', 'trace', '--protocol', 'udp', '--timeout', '300ms', '--from', 'ssh:vp-ber', '--remote-command', REMOTE_COMMAND, '--json']
        const off = await runCommand('catchment', [...base, '--no-rdns', '--no-asn'])
        assert.equal(off.status, 0, off.stderr)
        const sent = readFileSync(log, 'utf8')
        assert.match(sent, / trace 127\.0\.0\.1 .*--no-dns/)
        assert.match(sent, /--no-asn/)
        const on = await runCommand('catchment', base)
        assert.equal(on.status, 0, on.stderr)
        assert.doesNotMatch(readFileSync(log, 'utf8'), /--no-dns|--no-asn/)
      } finally {
        delete process.env.FAKE_SSH_LOG
      }
      const dns = await runCommand('catchment', ['127.0.0.1', '--method', 'dns', '--no-asn', '--from', 'ssh:vp-ber'])
      assert.equal(dns.status, 2)
      assert.match(dns.stderr, /--no-asn does not apply to --method dns/)
    })
  })
})
