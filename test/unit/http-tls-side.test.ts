// Whose failure a broken TLS handshake is. Every TLS failure was E_NETWORK (exit 6, the vantage
// point's): plain HTTP on an https port ("wrong version number"), a server's alert (protocol
// version, handshake failure, certificate required) read as this host's network error, and `watch
// --method http` said "the vantage point failed (E_NETWORK), not the target", so a broken TLS edge
// never paged. Now the server answering with what is not TLS, or refusing the handshake with an
// alert of its own, is the target's (E_BAD_INPUT, exit 7, as http:// to a TLS port is; an outage in
// a watch); a certificate we did not trust, a handshake sent with no server name, and this client's
// own refusals stay the vantage point's (exit 6).
//
// The error shapes in the first block are those Node 20 (OpenSSL 3) gives, recorded from the real
// servers of the second block; the OpenSSL reason strings and the alert numbers are OpenSSL's
// (ssl/ssl_err.c, SSL_AD_REASON_OFFSET) and RFC 8446 section 6.
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer as createHttpServer} from 'node:http'
import {createServer as createNetServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {createServer as createTlsServer, type TlsOptions} from 'node:tls'

import {httpRequest, targetsFailure, tlsFailureSide, toHttpError} from '../../src/engines/http/request.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {makeHttpProber} from '../../src/vantage/live/probe.js'
import {runCommand} from '../helpers/cli.js'

const haveOpenssl = spawnSync('openssl', ['version']).status === 0

/** `write EPROTO` as Node gives a failure found while writing the ClientHello: OpenSSL's line in the message only. */
const writeEproto = (line: string) => ({errno: -71, code: 'EPROTO', syscall: 'write', message: `write EPROTO 80FCB0D7447F0000:error:${line}\n`})

describe('tlsFailureSide: who ended the handshake, from Node\'s error', () => {
  it('what is not TLS (plain HTTP, a banner), by the write EPROTO line or the read code', () => {
    assert.deepEqual(tlsFailureSide(writeEproto('0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:')), {side: 'not-tls'})
    assert.deepEqual(tlsFailureSide({code: 'ERR_SSL_WRONG_VERSION_NUMBER', reason: 'wrong version number', message: 'x'}), {side: 'not-tls'})
    assert.deepEqual(tlsFailureSide({code: 'ERR_SSL_PACKET_LENGTH_TOO_LONG', message: 'packet length too long'}), {side: 'not-tls'})
  })

  it('an alert the server sent, by "SSL alert number", the packed reason (1000 + alert) or the read code', () => {
    assert.deepEqual(tlsFailureSide(writeEproto('0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 70')), {side: 'alert', alert: 70, name: 'protocol_version'})
    // without the "SSL alert number" data: the packed code alone (0x410 = 1040)
    assert.deepEqual(tlsFailureSide(writeEproto('0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:')), {side: 'alert', alert: 40, name: 'handshake_failure'})
    assert.deepEqual(
      tlsFailureSide({code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', reason: 'tlsv13 alert certificate required', message: '80FC:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../rec_layer_s3.c:1601:SSL alert number 116\n'}),
      {side: 'alert', alert: 116, name: 'certificate_required'},
    )
    // a code alone (no line): still an alert the server sent
    assert.deepEqual(tlsFailureSide({code: 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME', message: ''}), {side: 'alert', alert: null, name: 'unrecognized_name'})
  })

  it('the server closing in the handshake; this client\'s own refusals and what cannot be placed stay the client\'s', () => {
    assert.deepEqual(tlsFailureSide({code: 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING', message: 'unexpected eof while reading'}), {side: 'eof'})
    for (const e of [
      {code: 'ERR_SSL_NO_CIPHERS_AVAILABLE', reason: 'no ciphers available', message: '80:error:0A0000B5:SSL routines:ssl_cipher_list_to_bytes:no ciphers available:'},
      {code: 'ERR_SSL_UNSUPPORTED_PROTOCOL', message: '80:error:0A000102:SSL routines:ssl_choose_client_version:unsupported protocol:'},
      {code: 'ERR_SSL_DH_KEY_TOO_SMALL', message: 'dh key too small'},
      {code: 'ERR_SSL_UNSAFE_LEGACY_RENEGOTIATION_DISABLED', message: 'unsafe legacy renegotiation disabled'},
      {code: 'EPROTO', message: 'write EPROTO something new'},
      null,
    ]) assert.deepEqual(tlsFailureSide(e), {side: 'client'}, JSON.stringify(e))
  })

  it('toHttpError: exit 7 and the target\'s for not-TLS and a server alert; exit 6 for no SNI\'s alert 40/112 and the client\'s own', () => {
    const ctx = (sni: string | null) => ({host: '192.0.2.10', port: 443, phase: 'tls' as const, url: new URL('https://192.0.2.10/'), timeoutMs: 1000, sni})
    const wrong = toHttpError(writeEproto('0A00010B:SSL routines:ssl3_get_record:wrong version number:'), ctx(null))
    assert.equal(wrong.code, 'E_BAD_INPUT')
    assert.equal(wrong.exitCode, 7)
    assert.ok(targetsFailure(wrong))
    assert.match(wrong.message, /answered the TLS handshake with something that is not TLS/)
    assert.match(wrong.hint ?? '', /try http:\/\//)

    const refused = toHttpError(writeEproto('0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:../rec_layer_s3.c:1601:SSL alert number 40'), ctx('www.example.net'))
    assert.equal(refused.exitCode, 7)
    assert.ok(targetsFailure(refused))
    assert.match(refused.message, /refused the TLS handshake \(alert 40: handshake_failure\)/)

    // the same alert to a handshake that named no site: the request's own lack, not the target's outage
    const noSni = toHttpError(writeEproto('0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:../rec_layer_s3.c:1601:SSL alert number 40'), ctx(null))
    assert.equal(noSni.code, 'E_NETWORK')
    assert.equal(noSni.exitCode, 6)
    assert.equal(targetsFailure(noSni), false)
    assert.match(noSni.hint ?? '', /no server name \(SNI\) was sent/)
    // alert 70 names no SNI problem: the target's even without one
    assert.equal(toHttpError(writeEproto('0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:SSL alert number 70'), ctx(null)).exitCode, 7)

    // OpenSSL's word for the server closing in the handshake: the target did not answer (exit 4), as Node's ECONNRESET there
    const eof = toHttpError({code: 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING', message: '80:error:0A000126:SSL routines::unexpected eof while reading'}, ctx('www.example.net'))
    assert.equal(eof.code, 'E_UNREACHABLE')
    assert.equal(eof.exitCode, 4)
    assert.match(eof.message, /closed the connection in the TLS handshake/)

    const own = toHttpError({code: 'ERR_SSL_UNSUPPORTED_PROTOCOL', message: 'unsupported protocol'}, ctx('www.example.net'))
    assert.equal(own.code, 'E_NETWORK')
    assert.equal(targetsFailure(own), false)
    const cert = toHttpError({code: 'CERT_HAS_EXPIRED', message: 'certificate has expired'}, ctx('www.example.net'))
    assert.equal(targetsFailure(cert), false)
    // real local errors stay E_NETWORK
    for (const code of ['EADDRNOTAVAIL', 'ENETUNREACH']) {
      const e = toHttpError({code, message: `connect ${code}`}, {...ctx(null), phase: 'connect'})
      assert.equal(e.code, 'E_NETWORK', code)
      assert.equal(targetsFailure(e), false, code)
    }
  })
})

async function listen(s: Server): Promise<number> {
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', () => res()))
  return (s.address() as {port: number}).port
}

async function close(s: Server): Promise<void> {
  ;(s as unknown as {closeAllConnections?: () => void}).closeAllConnections?.()
  await new Promise<void>((res) => s.close(() => res()))
}

async function failure(port: number, servername: string | null, insecure = true): Promise<AnyprobeError> {
  const err = await httpRequest({
    url: new URL(`https://127.0.0.1:${port}/`), connectHost: '127.0.0.1', hostHeader: null, servername,
    method: 'GET', headers: {}, insecure, timeoutMs: 3000, keepBodyBytes: 0,
  }).then(() => null, (e: unknown) => e)
  assert.ok(err instanceof AnyprobeError, String(err))
  return err
}

describe('real servers on 127.0.0.1: the handshake failures Node meets', {skip: haveOpenssl ? false : 'openssl not installed'}, () => {
  let dir: string
  let tlsOpts: TlsOptions
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'anyprobe-tlsside-'))
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=edge.anycast.example',
    ], {stdio: 'ignore'})
    tlsOpts = {key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem'))}
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('https:// to a plain HTTP server: the target\'s (exit 7), not a local network error', async () => {
    const s = createHttpServer((_q, r) => r.end('plain'))
    const port = await listen(s as unknown as Server)
    try {
      const e = await failure(port, null)
      assert.equal(e.code, 'E_BAD_INPUT', e.message)
      assert.equal(e.exitCode, 7)
      assert.ok(targetsFailure(e))
    } finally {
      await close(s as unknown as Server)
    }
  })

  it('a server that only speaks TLS 1.0 (alert 70) and one that wants a client certificate (alert 116): the target\'s', async () => {
    const old = createTlsServer({...tlsOpts, minVersion: 'TLSv1', maxVersion: 'TLSv1'})
    const mtls = createTlsServer({...tlsOpts, requestCert: true, rejectUnauthorized: true})
    try {
      const a = await failure(await listen(old), null)
      assert.equal(a.exitCode, 7, a.message)
      assert.match(a.message, /alert 70: protocol_version/)
      const b = await failure(await listen(mtls), 'edge.anycast.example')
      assert.equal(b.exitCode, 7, b.message)
      assert.match(b.message, /alert 116: certificate_required/)
      assert.match(b.hint ?? '', /client certificate/)
    } finally {
      await close(old)
      await close(mtls)
    }
  })

  it('a cipher the server will not share (alert 40): the target\'s with SNI, the vantage point\'s without; an untrusted certificate stays the vantage point\'s', async () => {
    const picky = createTlsServer({...tlsOpts, maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA'})
    const plain = createTlsServer(tlsOpts)
    try {
      const port = await listen(picky)
      const named = await failure(port, 'edge.anycast.example')
      assert.equal(named.exitCode, 7, named.message)
      const unnamed = await failure(port, null)
      assert.equal(unnamed.code, 'E_NETWORK', unnamed.message)
      assert.equal(targetsFailure(unnamed), false)
      const cert = await failure(await listen(plain), 'edge.anycast.example', false)
      assert.equal(cert.code, 'E_NETWORK', cert.message)
      assert.equal(targetsFailure(cert), false)
    } finally {
      await close(picky)
      await close(plain)
    }
  })

  it('watch\'s prober: plain HTTP on the https port is the target\'s failure (no vantageFault), so an outage', async () => {
    const s = createHttpServer((_q, r) => r.end('plain'))
    const port = await listen(s as unknown as Server)
    const prober = makeHttpProber({url: new URL(`https://127.0.0.1:${port}/`), host: null, timeoutMs: 2000, insecure: false, name: null})
    try {
      const a = await prober(0)
      assert.equal(a.answered, false)
      assert.equal(a.error, 'E_BAD_INPUT')
      assert.equal(a.vantageFault, undefined)
    } finally {
      prober.close()
      await close(s as unknown as Server)
    }
  })

  it('the commands: one-shot http exits 7; watch calls it an outage of the target, not the vantage point\'s failure', async () => {
    const s = createHttpServer((_q, r) => r.end('plain'))
    const port = await listen(s as unknown as Server)
    try {
      const one = await runCommand('http', [`https://127.0.0.1:${port}/`])
      assert.equal(one.status, 7, one.stderr)
      assert.match(one.stderr, /error E_BAD_INPUT: .*not TLS/)
      const w = await runCommand('watch', [`https://127.0.0.1:${port}/`, '--method', 'http', '--count', '3', '--interval', '200ms'])
      assert.equal(w.status, 4, w.stderr)
      assert.match(w.stdout, /outage since/)
      assert.doesNotMatch(w.stdout, /the vantage point failed/)
      assert.doesNotMatch(w.stderr, /not an outage of the target/)
    } finally {
      await close(s as unknown as Server)
    }
  })
})
