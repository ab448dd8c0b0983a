// anyprobe dns and http --cf-trace from ap-vp-ecmp, whose route to the anycast address is split per flow (UDP/TCP
// source port) over two uplinks, one landing on FRA and one on IAD. The identity queries of one
// probe must take one flow, so one result never names two sites (before, each query had a socket
// of its own: hostname.bind could come from FRA and NSID from IAD), and http --cf-trace must ask
// /cdn-cgi/trace on the response's own connection (before, its colo= could name the other site).
// Needs root and the built CLI (npm run build); run via test/lab/run-lab-tests.sh.
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {before, describe, it} from 'node:test'

import type {DnsResult} from '../../src/model/dns.js'
import type {HttpResult} from '../../src/model/http.js'
import {ANYPROBE, E, isRoot, lab, REPO, run} from './lib.js'

const skip = isRoot ? false : 'needs root (network namespaces)'

describe('anyprobe dns from a vantage point with per-flow ECMP across two sites', {skip}, () => {
  before(async () => {
    assert.ok(existsSync(`${REPO}dist/commands/dns.js`), 'build the CLI first: npm run build')
    const ns = await run('ip', ['netns', 'list'])
    if (!/\bap-vp-ecmp\b/.test(ns.stdout)) assert.equal((await lab('up')).code, 0, 'lab.sh up')
    const w = await lab('wait-converged', '30')
    assert.equal(w.code, 0, `lab did not converge: ${w.stdout}${w.stderr}`)
  })

  for (const transport of ['udp', 'tcp'] as const) {
    it(`over ${transport} every probe names one site in all its answers, and both sites are seen over the runs`, async () => {
      const seen = new Set<string>()
      for (let i = 0; i < 12; i++) {
        const args = ['dns', E.AP_ANYCAST4 ?? '198.51.100.10', '--json', ...(transport === 'tcp' ? ['--tcp'] : [])]
        const r = await run('ip', ['netns', 'exec', E.AP_ECMP_NS ?? 'ap-vp-ecmp', process.execPath, ANYPROBE, ...args])
        assert.equal(r.code, 0, r.stderr)
        const doc = JSON.parse(r.stdout) as DnsResult
        const sites = new Set([doc.identity.hostnameBind, doc.identity.idServer, doc.identity.nsid?.text].map((s) => /(fra|iad|sin)/.exec(s ?? '')?.[1] ?? 'none'))
        assert.equal(sites.size, 1, `run ${i}: one probe, answers from ${[...sites].join(' and ')}: ${JSON.stringify(doc.identity)}`)
        assert.equal(doc.pop?.conflicts.length ?? 0, 0, JSON.stringify(doc.pop))
        seen.add([...sites][0]!)
      }
      // the flows do spread (else this test shows nothing): 12 source ports, two paths
      assert.equal(seen.size, 2, `sites seen: ${[...seen].join(', ')}`)
    })
  }

  it('http --cf-trace: the trace colo= and the response headers name one site in every probe', async () => {
    const seen = new Set<string>()
    for (let i = 0; i < 10; i++) {
      const r = await run('ip', ['netns', 'exec', E.AP_ECMP_NS ?? 'ap-vp-ecmp', process.execPath, ANYPROBE, 'http', `http://${E.AP_ANYCAST4 ?? '198.51.100.10'}/`, '--cf-trace', '--json'])
      assert.equal(r.code, 0, r.stderr)
      const doc = JSON.parse(r.stdout) as HttpResult
      const ray = /-([A-Z]{3})$/.exec(doc.headers['cf-ray'] ?? '')?.[1]
      assert.equal(doc.cfTrace?.colo, ray, `run ${i}: CF-RAY ${doc.headers['cf-ray']}, trace colo ${doc.cfTrace?.colo}`)
      assert.equal(doc.pop?.conflicts.length ?? 0, 0, JSON.stringify(doc.pop))
      seen.add(ray!)
    }
    assert.equal(seen.size, 2, `sites seen: ${[...seen].join(', ')}`)
  })
})
