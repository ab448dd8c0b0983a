import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {AnyprobeError, EXIT} from '../../src/model/errors.js'
import {toAnyprobeError} from '../../src/base-command.js'
import {parseDuration} from '../../src/util/duration.js'
import {sanitize} from '../../src/util/sanitize.js'
import {describeAddress, isPublicAddress, parseAddress, resolveTarget} from '../../src/util/target.js'

describe('parseDuration', () => {
  it('reads ms, s, m, h and bare seconds', () => {
    assert.equal(parseDuration('50ms'), 50)
    assert.equal(parseDuration('2s'), 2000)
    assert.equal(parseDuration('1.5s'), 1500)
    assert.equal(parseDuration('1m'), 60_000)
    assert.equal(parseDuration('1h'), 3_600_000)
    assert.equal(parseDuration('3'), 3000)
  })
  it('rejects nonsense and zero with E_BAD_DURATION, exit 2', () => {
    for (const bad of ['', 'fast', '1d', '-1s', '0s']) {
      assert.throws(
        () => parseDuration(bad),
        (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_DURATION' && e.exitCode === EXIT.usage && e.hint !== null,
        bad,
      )
    }
  })
})

describe('sanitize', () => {
  it('escapes terminal control sequences and bidi overrides', () => {
    assert.equal(sanitize('evil\u001b[2J.example'), 'evil\\x1b[2J.example')
    assert.equal(sanitize('a\r\nb'), 'a\\x0d\\x0ab')
    assert.equal(sanitize('x\u202ey'), 'x\\x202ey')
    assert.equal(sanitize('fra03.example.net'), 'fra03.example.net')
  })
  it('truncates very long text', () => {
    assert.equal(sanitize('a'.repeat(600), 10), 'aaaaaaaaaa…')
  })
})

describe('targets', () => {
  it('classifies documentation, benchmarking, private, loopback and public addresses', () => {
    const cls = (a: string) => describeAddress(a, parseAddress(a)!, false).class
    assert.equal(cls('198.51.100.10'), 'documentation')
    assert.equal(cls('2001:db8:100::10'), 'documentation')
    assert.equal(cls('198.18.0.1'), 'benchmarking')
    assert.equal(cls('10.1.2.3'), 'private')
    assert.equal(cls('127.0.0.1'), 'loopback')
    assert.equal(cls('100.64.1.1'), 'carrier-grade-nat')
    assert.equal(cls('fd00::1'), 'unique-local')
    assert.equal(cls('193.0.14.129'), 'public')
  })
  it('isPublicAddress is true only for globally routed unicast space', () => {
    assert.equal(isPublicAddress('193.0.14.129'), true)
    assert.equal(isPublicAddress('2001:7fd::1'), true)
    for (const a of ['198.18.0.1', '198.51.100.10', '10.0.0.1', '127.0.0.1', 'fd00::1', 'not-an-ip']) assert.equal(isPublicAddress(a), false, a)
  })
  it('unwraps IPv4-mapped IPv6 and names well-known anycast prefixes', () => {
    const info = describeAddress('::ffff:1.1.1.1', parseAddress('::ffff:1.1.1.1')!, false)
    assert.equal(info.addr, '1.1.1.1')
    assert.equal(info.family, 4)
    assert.equal(info.knownAnycast, 'Cloudflare DNS')
    assert.match(info.notes.join(' '), /IPv4-mapped/)
    assert.equal(describeAddress('193.0.14.129', parseAddress('193.0.14.129')!, false).knownAnycast, 'k.root-servers.net')
  })
  it('refuses short-hand IPv4 like "1" or "0x1" as an address', () => {
    assert.equal(parseAddress('1'), null)
    assert.equal(parseAddress('0x7f.1'), null)
    assert.ok(parseAddress('[2001:db8::1]'))
  })
  it('gives stable errors for bad targets without touching the network', async () => {
    await assert.rejects(resolveTarget('not a host!'), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_TARGET' && e.exitCode === 2)
    await assert.rejects(resolveTarget('300.1.1.1'), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_TARGET' && /IPv4/.test(e.message))
    await assert.rejects(resolveTarget('224.0.0.1'), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_TARGET')
    // the flag as it is spelled (there is no -6 to give)
    await assert.rejects(resolveTarget('198.51.100.10', 6), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_TARGET' && /--ipv6 was given/.test(e.message) && /drop --ipv6/.test(e.hint ?? ''))
    const ok = await resolveTarget('198.51.100.10')
    assert.equal(ok.addr, '198.51.100.10')
    assert.equal(ok.resolved, false)
  })
  it('a name that resolves to nothing is E_RESOLVE, exit 3', async () => {
    // .invalid is reserved (RFC 6761): the resolver answers NXDOMAIN or fails locally
    await assert.rejects(resolveTarget('no-such-host.invalid'), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_RESOLVE' && e.exitCode === EXIT.resolve)
  })
  it('resolves localhost', async () => {
    const info = await resolveTarget('localhost', 4)
    assert.equal(info.addr, '127.0.0.1')
    assert.equal(info.resolved, true)
  })
})

describe('usage errors from oclif', () => {
  it('keep the detail oclif puts on later lines, on one line, without its "See more help"', () => {
    const e = Object.assign(new Error('Missing 1 required arg:\ntarget  server address or hostname\nSee more help with --help'), {oclif: {exit: 2}})
    const a = toAnyprobeError(e)!
    assert.equal(a.code, 'E_USAGE')
    assert.equal(a.exitCode, EXIT.usage)
    assert.equal(a.message, 'Missing 1 required arg: target server address or hostname')
    assert.equal(toAnyprobeError(new TypeError('a bug')), null, 'a real bug keeps its stack trace')
  })
})
