// watch --port is the DNS server port: a --port the user typed with --method http or icmp, which
// cannot use it, is refused (E_USAGE, exit 2, with a hint) as it is with --method trace, where it
// was dropped without a word (review finding). The default (53) is no port given and never refused.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {parse} from '@oclif/core/parser'

import Watch, {watchAsk} from '../../src/commands/watch.js'
import {AnyprobeError} from '../../src/model/errors.js'

async function ask(argv: string[], target = '198.51.100.10'): Promise<ReturnType<typeof watchAsk>> {
  const p = (await parse([target, ...argv], {flags: Watch.flags as never, args: Watch.args as never, strict: true})) as never as {
    flags: Record<string, unknown>
    metadata: {flags: Record<string, {setFromDefault?: boolean} | undefined>}
  }
  return watchAsk(p.flags as never, target, p.metadata)
}

async function refused(argv: string[], target?: string): Promise<AnyprobeError> {
  try {
    await ask(argv, target)
  } catch (e) {
    assert.ok(e instanceof AnyprobeError, `not an AnyprobeError: ${String(e)}`)
    assert.equal(e.code, 'E_USAGE')
    assert.equal(e.exitCode, 2)
    return e
  }
  assert.fail(`${argv.join(' ')}: not refused`)
}

describe('watch --port with a method that has no use for it', () => {
  it('--method http --port: refused, the hint says the port belongs in the URL', async () => {
    const e = await refused(['--method', 'http', '--port', '8443'])
    assert.match(e.message, /--port 8443 does nothing with --method http/)
    assert.match(e.hint ?? '', /write the port in the URL: http:\/\/198\.51\.100\.10:8443\//)
    // a remote engine is no different: refused before any backend is built
    await refused(['--method', 'http', '--port', '8443', '--from', 'globalping:world'])
    // a URL target: the hint is that URL with the port
    const u = await refused(['--method', 'http', '--port', '8443'], 'https://www.example.net/health')
    assert.match(u.hint ?? '', /write the port in the URL: https:\/\/www\.example\.net:8443\/health$/)
    // the scheme's own port: the URL says it already
    const d = await refused(['--method', 'http', '--port', '443'], 'https://www.example.net/health')
    assert.match(d.hint ?? '', /leave --port out: the URL's port is 443 already, https's own \(https:\/\/www\.example\.net\/health\)/)
    assert.doesNotMatch(d.hint ?? '', /write the port in the URL/)
  })

  it('--method http --port with the port the URL names already: the hint says so, not to write it there (review finding)', async () => {
    for (const [target, port, shown] of [
      ['https://h.example.net:8443/', '8443', 'https://h.example.net:8443/'],
      ['http://198.51.100.10:8080/x', '8080', 'http://198.51.100.10:8080/x'],
      ['198.51.100.10:8080', '8080', 'http://198.51.100.10:8080/'],
      ['https://[2001:db8::1]:8443/', '8443', 'https://[2001:db8::1]:8443/'],
    ] as const) {
      const e = await refused(['--method', 'http', '--port', port], target)
      assert.match(e.message, new RegExp(`--port ${port} does nothing with --method http`))
      assert.equal(e.hint, `leave --port out: the URL names port ${port} already (${shown})`, target)
    }
    // the scheme's own port and another in the URL: drop the URL's, leave --port out (review finding:
    // it said "write the port in the URL: https://h.example.net/", a URL without any port)
    for (const [target, port, named, shown] of [
      ['https://h.example.net:8443/', '443', '8443', 'https://h.example.net/'],
      ['http://198.51.100.10:8080/x', '80', '8080', 'http://198.51.100.10/x'],
      ['198.51.100.10:8080', '80', '8080', 'http://198.51.100.10/'],
      ['https://[2001:db8::1]:8443/', '443', '8443', 'https://[2001:db8::1]/'],
    ] as const) {
      const e = await refused(['--method', 'http', '--port', port], target)
      const scheme = shown.slice(0, shown.indexOf(':'))
      assert.equal(e.hint, `${port} is ${scheme}'s own port: drop :${named} from the URL (${shown}) and leave --port out`, target)
    }
    // another port than the URL's: that URL with this port is where it goes
    const other = await refused(['--method', 'http', '--port', '9443'], 'https://h.example.net:8443/')
    assert.match(other.hint ?? '', /write the port in the URL: https:\/\/h\.example\.net:9443\/$/)
  })

  it('--method icmp --port: refused, an echo request has no port', async () => {
    const e = await refused(['--method', 'icmp', '--port', '53'])
    assert.match(e.message, /--port 53 does nothing with --method icmp/)
    assert.match(e.message, /an echo request has no port/)
    assert.match(e.hint ?? '', /leave --port out/)
  })

  it('--port 53 typed out is a port given too', async () => {
    await refused(['--method', 'icmp', '--port', '53'])
    await refused(['--method', 'http', '--port=53'])
  })

  it('the default port is no port given: http and icmp watches run as before; dns keeps its port', async () => {
    for (const method of ['http', 'icmp', 'trace']) assert.equal((await ask(['--method', method])).port, undefined)
    assert.equal((await ask(['--method', 'dns', '--port', '5353'])).port, 5353)
    assert.equal((await ask(['--port', '5353'])).port, 5353)
  })
})
