// watch --method http names each probe's PoP with the same edge-trust input as `anyprobe http`
// (src/infer/edge-trust.ts): the headers AND the network of the address that answered. Before, the
// watch probers read the headers alone: a cf-ray that Fastly (AS54113) passed on named Cloudflare's
// FRA in the watch where `anyprobe http` named Fastly's AMS, so an --expect file --learn'ed from one
// broke in the other. A prober that names its PoPs (local) looks the address up itself; a netns/ssh
// child names nothing, sends the address on its line, and the parent looks it up.
//
// The response is Fastly in front of a Cloudflare origin (Wikia/app PR #2681, edge-trust.ts): the
// origin's server/cf-ray passed on beside Fastly's x-served-by, x-cache, via, x-timer. The server is
// on loopback and the ASN database is the test's own (loopback is never looked up in the real one:
// enrich/answer-asn.ts), so nothing leaves this machine.
import assert from 'node:assert/strict'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {describe, it} from 'node:test'

import {answeringAsn} from '../../src/enrich/answer-asn.js'
import type {AsnInfo} from '../../src/enrich/asn.js'
import {httpHeaderSignals} from '../../src/infer/signals.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import type {Observation} from '../../src/model/watch.js'
import {parseChildLine, startChild} from '../../src/vantage/live/children.js'
import {makeHttpProber, popNamer} from '../../src/vantage/live/probe.js'
import {runCommand} from '../helpers/cli.js'

const FASTLY: AsnInfo = {asn: 54113, org: 'Fastly, Inc.'}
const STACKED: Record<string, string> = {
  server: 'cloudflare',
  'cf-ray': '8ed7a0c41b2e9f03-FRA',
  via: '1.1 varnish',
  'x-served-by': 'cache-ams21082-AMS',
  'x-cache': 'MISS',
  'x-timer': 'S1765125603.512118,VS0,VE22',
}

async function stackedServer(): Promise<{server: Server; url: URL}> {
  const server = createServer((_req, res) => res.writeHead(200, STACKED).end('ok'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {server, url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)}
}

const close = (s: Server): Promise<void> => {
  s.closeAllConnections()
  return new Promise((resolve) => s.close(() => resolve()))
}

describe('watch --method http: the answering network goes to the verdict', () => {
  it('the local prober weighs the network of the address that answered: AMS, not the passed-on FRA', async () => {
    const {server, url} = await stackedServer()
    const asked: Array<string | null> = []
    try {
      const prober = makeHttpProber({url, host: null, timeoutMs: 2000, insecure: false, name: popNamer(), answerAsn: (a) => (asked.push(a), a === '127.0.0.1' ? FASTLY : null)})
      try {
        const a = await prober(0)
        assert.equal(a.answered, true)
        assert.equal(a.pop, 'AMS')
        assert.equal(a.answerAddr, '127.0.0.1')
        assert.deepEqual(asked, ['127.0.0.1'])
      } finally {
        prober.close()
      }
      // without a network (the lab: private addresses are not looked up) it reads as before
      const plain = makeHttpProber({url, host: null, timeoutMs: 2000, insecure: false, name: popNamer()})
      try {
        assert.equal((await plain(0)).pop, 'FRA')
      } finally {
        plain.close()
      }
    } finally {
      await close(server)
    }
  })

  const signals = httpHeaderSignals(STACKED, [], null)
  const line = (answerAddr: unknown): string => JSON.stringify({vantageId: 'x', round: 0, flow: 0, sentAt: 1_765_125_603_000, receivedAt: 1_765_125_603_012, rttMs: 12, pop: null, answered: true, signals, answerAddr})
  const vantage: VantagePoint = {kind: 'netns', id: 'ap-vp-ams', name: 'ap-vp-ams', asn: null, country: null, lat: null, lon: null}

  it('a child line carries the answering address; anything but an address literal is dropped', () => {
    assert.equal(parseChildLine(line('151.101.65.10'))!.answerAddr, '151.101.65.10')
    assert.equal(parseChildLine(line('2a04:4e42::485'))!.answerAddr, '2a04:4e42::485')
    assert.equal(parseChildLine(line('cdn.example.com'))!.answerAddr, null)
    assert.equal(parseChildLine(line(7))!.answerAddr, null)
    assert.equal(parseChildLine(line('1'.repeat(100)))!.answerAddr, null)
  })

  it("a netns/ssh child's answer is named with its network, looked up here", async () => {
    const asked: string[] = []
    const db = {lookup: (a: string) => (asked.push(a), a === '151.101.65.10' ? FASTLY : null)}
    const lines = [line('151.101.65.10'), line('198.51.100.80')].join('\n')
    const seen: Observation[] = []
    const child = startChild(
      {vantage, via: 'netns', file: 'sh', args: ['-c', `printf '%s\\n' '${lines}'`], command: 'anyprobe', name: popNamer(), answerAsn: (a) => answeringAsn(a, db), stopGraceMs: 1000},
      (o) => seen.push(o),
      () => {},
    )
    assert.equal((await child.done).failure, null)
    // Fastly's network: its AMS; a documentation address is not looked up: the cf-ray's FRA, as before
    assert.deepEqual(seen.map((o) => o.pop), ['AMS', 'FRA'])
    assert.deepEqual(asked, ['151.101.65.10'])
  })

  it('the child mode (watch --observations --signals) sends the address that answered', async () => {
    const {server, url} = await stackedServer()
    try {
      const r = await runCommand('watch', [url.toString(), '--from', 'local', '--observations', '--signals', '--method=http', '--interval=100ms', '--timeout=2000ms', '--count=1'])
      assert.equal(r.status, 0, r.stderr)
      const sent = parseChildLine(r.stdout.trim().split('\n')[0]!)!
      assert.equal(sent.obs.answered, true)
      assert.equal(sent.answerAddr, '127.0.0.1')
      assert.ok(sent.signals?.some((s) => s.header === 'cf-ray'))
    } finally {
      await close(server)
    }
  })
})
