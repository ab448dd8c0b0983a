// The real path of a CDN header, from bytes on a socket to the PoP verdict: a raw server on
// loopback writes what stacked or broken CDNs write, the HTTP engine reads it (escaping control
// bytes), and the one verdict function reads the engine's headers.
import assert from 'node:assert/strict'
import {createServer, type AddressInfo} from 'node:net'
import {after, before, describe, it} from 'node:test'

import {normalizeHttpTarget, probeHttp} from '../../src/engines/http/probe.js'
import {httpHeaderSignals, popVerdictExplained} from '../../src/infer/verdict.js'

describe('CDN headers through the HTTP engine to the verdict', () => {
  let head = ''
  let port = 0
  const server = createServer((sock) => {
    sock.on('error', () => {})
    sock.once('data', () => sock.end(`HTTP/1.1 200 OK\r\n${head}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`, 'latin1'))
  })
  before(() => new Promise<void>((res) => server.listen(0, '127.0.0.1', () => ((port = (server.address() as AddressInfo).port), res()))))
  after(() => new Promise<void>((res) => server.close(() => res())))

  const verdictOf = async (lines: string[]) => {
    head = lines.join('\r\n')
    const out = await probeHttp({url: normalizeHttpTarget(`http://127.0.0.1:${port}/`), method: 'GET', host: null, headers: {}, insecure: false, timeoutMs: 2000, follow: false, cfTrace: false})
    return popVerdictExplained({method: 'http', headers: httpHeaderSignals(out.final.headers, [], null), destinationAnswered: true, rttMs: null, vpLocation: null})
  }

  it('Bunny in front of Cloudflare: the Server Bunny wrote outranks the cf-ray colo', async () => {
    const ex = await verdictOf(['Server: BunnyCDN-DE1-1085', 'CF-RAY: 8a1b2c3d4e5f6789-SIN', 'CDN-RequestCountryCode: US'])
    assert.equal(ex.verdict?.code, 'de1')
    assert.equal(ex.verdict?.city, null)
  })
  it('a NUL after the colo (escaped by the engine): the colo is read', async () => {
    const ex = await verdictOf(['Server: cloudflare', 'CF-RAY: 8a1b2c3d4e5f6789-FRA\u0000'])
    assert.equal(ex.verdict?.code, 'fra')
  })
  it('an escape sequence inside the value: no PoP, and why', async () => {
    const ex = await verdictOf(['Server: cloudflare', 'CF-RAY: 8a1b2c3d4e5f6789-\u001b[31mFRA'])
    assert.equal(ex.verdict, null)
    assert.match(ex.reason ?? '', /cf-ray not read: control characters inside the value/)
  })
  it('CloudFront in front of Fastly, told by the order of Via', async () => {
    const ex = await verdictOf(['Via: 1.1 varnish, 1.1 7b72973d4641bd6bda77655d7cf0cc30.cloudfront.net (CloudFront)', 'X-Served-By: cache-iad-kiad7000126-IAD', 'X-Amz-Cf-Pop: CDG50-C1'])
    assert.equal(ex.verdict?.code, 'cdg')
  })
})
