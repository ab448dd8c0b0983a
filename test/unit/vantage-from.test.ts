// --from spec parsing: every kind, @FILE with comments, duplicates, and bad specs with their stable
// error codes (E_USAGE exit 2 for a bad spec, E_BAD_INPUT exit 2 for an unreadable @FILE).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {AnyprobeError} from '../../src/model/errors.js'
import {isLocalOnly, parseFrom, specFileLines} from '../../src/vantage/from.js'
import {backendsFor} from '../../src/vantage/index.js'

function usageError(values: string[], code: string, message: RegExp, readFile?: (p: string) => string): void {
  assert.throws(
    () => parseFrom(values, {readFile}),
    (e: unknown) => {
      assert.ok(e instanceof AnyprobeError, `not an AnyprobeError: ${String(e)}`)
      assert.equal(e.code, code)
      assert.equal(e.exitCode, 2)
      assert.match(e.message, message)
      assert.ok(e.hint, 'a hint')
      return true
    },
  )
}

describe('--from specs', () => {
  it('defaults to this host', () => {
    assert.deepEqual(parseFrom(undefined), [{kind: 'local'}])
    assert.deepEqual(parseFrom([]), [{kind: 'local'}])
    assert.equal(isLocalOnly(parseFrom(['local'])), true)
    assert.equal(isLocalOnly(parseFrom(['local', 'netns:a'])), false)
  })

  it('netns lists', () => {
    assert.deepEqual(parseFrom(['netns:ap-vp-ber,ap-vp-nyc']), [
      {kind: 'netns', name: 'ap-vp-ber'},
      {kind: 'netns', name: 'ap-vp-nyc'},
    ])
  })

  it('ssh hosts: user, port, IPv6 in brackets; id is user@host[:port]', () => {
    assert.deepEqual(parseFrom(['ssh:root@198.19.2.2,probe.example.net:2222,alice@[2001:db8::2]:22,[2001:db8::3]']), [
      {kind: 'ssh', user: 'root', host: '198.19.2.2', port: null, id: 'root@198.19.2.2'},
      {kind: 'ssh', user: null, host: 'probe.example.net', port: 2222, id: 'probe.example.net:2222'},
      {kind: 'ssh', user: 'alice', host: '2001:db8::2', port: 22, id: 'alice@[2001:db8::2]:22'},
      {kind: 'ssh', user: null, host: '2001:db8::3', port: null, id: '[2001:db8::3]'},
    ])
  })

  it('atlas selectors are kept as written', () => {
    assert.deepEqual(parseFrom(['atlas:country=DE,n=10']), [{kind: 'atlas', selector: 'country=DE,n=10'}])
    // bare atlas / atlas: is the backend's default selection (area=WW,n=10)
    assert.deepEqual(parseFrom(['atlas:']), [{kind: 'atlas', selector: ''}])
  })

  it('a list that repeats its own prefix reads as the specs written apart (review finding: netns:a,netns:b was "not a namespace name")', () => {
    assert.deepEqual(parseFrom(['netns:ap-vp-ber,netns:ap-vp-nyc']), [
      {kind: 'netns', name: 'ap-vp-ber'},
      {kind: 'netns', name: 'ap-vp-nyc'},
    ])
    assert.deepEqual(parseFrom(['netns:netns:a']), [{kind: 'netns', name: 'a'}])
    assert.deepEqual(parseFrom(['ssh:a,ssh:alice@b:2222,ssh:[2001:db8::1]:22']).map((s) => ('id' in s ? s.id : '')), ['a', 'alice@b:2222', '[2001:db8::1]:22'])
    // each atlas: prefix starts its own selection (its own Atlas measurement), as --from X --from Y would
    assert.deepEqual(parseFrom(['atlas:country=DE,n=3,atlas:country=FR,n=5']), [
      {kind: 'atlas', selector: 'country=DE,n=3'},
      {kind: 'atlas', selector: 'country=FR,n=5'},
    ])
    assert.deepEqual(parseFrom(['atlas:country=DE,atlas:country=FR']), [
      {kind: 'atlas', selector: 'country=DE'},
      {kind: 'atlas', selector: 'country=FR'},
    ])
    // options written in every selection are each one's own, not ambiguous
    assert.deepEqual(parseFrom(['atlas:country=DE,n=2,tags=a,atlas:asn=3320,n=4,tags=b']), [
      {kind: 'atlas', selector: 'country=DE,n=2,tags=a'},
      {kind: 'atlas', selector: 'asn=3320,n=4,tags=b'},
    ])
    // a globalping: list is one measurement: the trailing limit is the whole list's (review finding:
    // it was Tokyo's alone, Berlin at the default 10); the request is checked in globalping-parse.test.ts
    assert.deepEqual(parseFrom(['globalping:Berlin,globalping:Tokyo,limit=3']), [{kind: 'globalping', selector: 'Berlin,Tokyo,limit=3'}])
    assert.deepEqual(parseFrom(['atlas:atlas:asn=3320']), [{kind: 'atlas', selector: 'asn=3320'}])
    // a host called "ssh" (or "netns") with its port stays a host: the port is digits, not a spec
    assert.deepEqual(parseFrom(['ssh:h1,ssh:22,netns:2222']).map((s) => ('id' in s ? s.id : '')), ['h1', 'ssh:22', 'netns:2222'])
  })

  it('an atlas: list whose last selection alone has n=, tags= or exclude= is E_USAGE (review finding: n=5 was FR\'s alone, DE at the default 10)', () => {
    // Atlas has no "in all": each selection is a measurement with its own requested count, so a trailing
    // n=5 may mean 5 each or (as a globalping: list's limit=5) 5 in all; credits are spent either way
    for (const [spec, key] of [
      ['atlas:country=DE,atlas:country=FR,n=5', 'n'],
      ['atlas:country=DE,atlas:country=FR,tags=system-ipv6-works', 'tags'],
      ['atlas:country=DE,n=3,atlas:asn=3320,atlas:country=FR,N=5', 'n'],
      ['atlas:probes=1,2,atlas:probes=3,exclude=x', 'exclude'],
    ] as const) {
      assert.throws(() => parseFrom([spec]), (e: unknown) => {
        assert.ok(e instanceof AnyprobeError, `not an AnyprobeError: ${String(e)}`)
        assert.equal(e.code, 'E_USAGE')
        assert.equal(e.exitCode, 2)
        assert.match(e.message, new RegExp(`${key}= after the last atlas: selection`))
        assert.match(e.hint ?? '', new RegExp(`${key}= in each selection`))
        return true
      })
    }
    assert.throws(() => parseFrom(['atlas:country=DE,atlas:country=FR,n=5']), (e: unknown) => {
      assert.ok(e instanceof AnyprobeError)
      assert.equal(e.hint, 'write n= in each selection, e.g. --from atlas:country=DE,n=5,atlas:country=FR,n=5 (or one --from per selection)')
      return true
    })
    // the same text from an @FILE line is refused the same way
    usageError(['@a.txt'], 'E_USAGE', /n= after the last atlas: selection/, () => 'atlas:country=DE,atlas:country=FR,n=5\n')
  })

  it('a globalping: list whose options follow more than one globalping: is E_USAGE (review finding: limit=5 after each was 5 in all, silently)', () => {
    // globalping:DE,limit=5,globalping:FR,limit=5 was 5 from each (two measurements); joined into one
    // measurement it was 5 in all without a word. Whose options they are cannot be told: refused, as atlas: does
    for (const [spec, each, once] of [
      ['globalping:DE,limit=5,globalping:FR,limit=5', '--from globalping:DE,limit=5 --from globalping:FR,limit=5', '--from globalping:DE,FR,limit=5'],
      ['globalping:DE,limit=3,globalping:FR,limit=5', '--from globalping:DE,limit=3 --from globalping:FR,limit=5', '--from globalping:DE,FR,limit=N'],
      ['globalping:DE,tool=mtr,globalping:FR,tool=mtr', '--from globalping:DE,tool=mtr --from globalping:FR,tool=mtr', '--from globalping:DE,FR,tool=mtr'],
      ['globalping:DE,limit=5,globalping:AS3320,globalping:FR,tool=mtr', '--from globalping:DE,limit=5 --from globalping:AS3320 --from globalping:FR,tool=mtr', '--from globalping:DE,AS3320,FR,limit=5,tool=mtr'],
    ] as const) {
      assert.throws(() => parseFrom([spec]), (e: unknown) => {
        assert.ok(e instanceof AnyprobeError, `not an AnyprobeError: ${String(e)}`)
        assert.equal(e.code, 'E_USAGE')
        assert.equal(e.exitCode, 2)
        assert.ok(e.message.startsWith(`--from "${spec}": `), e.message)
        assert.match(e.message, /after more than one globalping: .*one Globalping measurement/)
        assert.ok(e.hint?.includes(`one --from each: ${each}`), e.hint ?? undefined)
        assert.ok(e.hint?.includes(`the options once at the end: ${once}`), e.hint ?? undefined)
        return true
      }, spec)
    }
    // options after the last globalping: only are the list's, as before
    assert.deepEqual(parseFrom(['globalping:DE,globalping:FR,tool=mtr,limit=5']), [{kind: 'globalping', selector: 'DE,FR,tool=mtr,limit=5'}])
  })

  it('the hint of options after more than one globalping: says "for N from each" only when each part has the same options (review finding: a tool=/limit= mix said "for N from each")', () => {
    const hintOf = (spec: string): string => {
      try {
        parseFrom([spec])
      } catch (e) {
        assert.ok(e instanceof AnyprobeError && e.code === 'E_USAGE', String(e))
        return e.hint ?? ''
      }
      assert.fail(`${spec}: not refused`)
    }
    const mix = hintOf('globalping:DE,tool=mtr,globalping:FR,limit=5')
    assert.ok(mix.startsWith('each as written, one --from each: --from globalping:DE,tool=mtr --from globalping:FR,limit=5; '), mix)
    assert.doesNotMatch(mix, /from each,/)
    assert.ok(hintOf('globalping:DE,limit=3,globalping:FR,limit=5').startsWith('each as written, one --from each: '))
    assert.ok(hintOf('globalping:DE,limit=5,globalping:FR,limit=5').startsWith('for N from each, one --from each: '))
  })

  it('options in a globalping: that is not the last of the list are E_USAGE (review finding: DE,limit=5,globalping:FR was DE at 5 and FR at 10, then 5 in all)', () => {
    const a = 'msm=2Kq7cXw4RtPz9LmNa00120hQv'
    for (const [spec, each, once, forAll] of [
      ['globalping:DE,limit=5,globalping:FR', '--from globalping:DE,limit=5 --from globalping:FR', '--from globalping:DE,FR,limit=5', 'for N in all'],
      ['globalping:DE,tool=mtr,globalping:FR,globalping:AS3320', '--from globalping:DE,tool=mtr --from globalping:FR --from globalping:AS3320', '--from globalping:DE,FR,AS3320,tool=mtr', 'for one measurement'],
      [`globalping:DE,limit=5,globalping:${a},globalping:FR`, '--from globalping:DE,limit=5 --from globalping:FR', '--from globalping:DE,FR,limit=5', 'for N in all'],
    ] as const) {
      assert.throws(() => parseFrom([spec]), (e: unknown) => {
        assert.ok(e instanceof AnyprobeError, `not an AnyprobeError: ${String(e)}`)
        assert.equal(e.code, 'E_USAGE')
        assert.equal(e.exitCode, 2)
        assert.ok(e.message.startsWith(`--from "${spec}": options before the last globalping: `), e.message)
        assert.equal(e.hint, `each as written, one --from each: ${each}; ${forAll}, the options once at the end: ${once}`)
        return true
      }, spec)
    }
    // options in the list's last part are the list's, also with a msm= measurement after it
    assert.deepEqual(parseFrom([`globalping:DE,globalping:FR,limit=5,globalping:${a}`]), [
      {kind: 'globalping', selector: 'DE,FR,limit=5'},
      {kind: 'globalping', selector: a},
    ])
  })

  it('a globalping: with only options inside a list is E_USAGE, as an empty one is (review finding: DE,globalping:limit=5 was DE at 5; alone limit=5 is the world)', () => {
    for (const [spec, world, alone, locs] of [
      ['globalping:DE,globalping:limit=5', 'globalping:DE,world,limit=5', 'globalping:DE,limit=5', 'DE'],
      ['globalping:DE,globalping:FR,globalping:tool=mtr,limit=5', 'globalping:DE,FR,world,tool=mtr,limit=5', 'globalping:DE,FR,tool=mtr,limit=5', 'DE,FR'],
      ['globalping:limit=5,globalping:DE', 'globalping:world,DE,limit=5', 'globalping:DE,limit=5', 'DE'],
    ] as const) {
      assert.throws(() => parseFrom([spec]), (e: unknown) => {
        assert.ok(e instanceof AnyprobeError, `not an AnyprobeError: ${String(e)}`)
        assert.equal(e.code, 'E_USAGE')
        assert.equal(e.exitCode, 2)
        assert.ok(e.message.startsWith(`--from "${spec}": a globalping: with only options`), e.message)
        assert.equal(e.hint, `for the world as one more location, --from ${world}; for ${locs} alone, --from ${alone}`)
        return true
      }, spec)
    }
    // alone, options alone are the world with them, as ever; beside a msm= measurement too
    assert.deepEqual(parseFrom(['globalping:limit=5']), [{kind: 'globalping', selector: 'limit=5'}])
    const a = 'msm=2Kq7cXw4RtPz9LmNa00120hQv'
    assert.deepEqual(parseFrom([`globalping:${a},globalping:limit=5`]), [
      {kind: 'globalping', selector: a},
      {kind: 'globalping', selector: 'limit=5'},
    ])
  })

  it('a globalping: with nothing after it inside a list is E_USAGE quoting what was typed (review finding: it quoted the joined "globalping:DE,")', () => {
    for (const [spec, union, each] of [
      ['globalping:DE,globalping:', 'globalping:DE,world', '--from globalping:DE --from globalping:'],
      ['globalping:,globalping:DE', 'globalping:world,DE', '--from globalping: --from globalping:DE'],
      ['globalping:DE, globalping: ,globalping:FR,limit=5', 'globalping:DE,world,FR,limit=5', '--from globalping:DE --from globalping: --from globalping:FR,limit=5'],
    ] as const) {
      assert.throws(() => parseFrom([spec]), (e: unknown) => {
        assert.ok(e instanceof AnyprobeError, `not an AnyprobeError: ${String(e)}`)
        assert.equal(e.code, 'E_USAGE')
        assert.equal(e.exitCode, 2)
        assert.ok(e.message.startsWith(`--from "${spec}": a globalping: with nothing after it`), e.message)
        assert.ok(e.hint?.includes(`for the world as one more location, --from ${union}`), e.hint ?? undefined)
        assert.ok(e.hint?.includes(`for each its own measurement, ${each}`), e.hint ?? undefined)
        return true
      }, spec)
    }
    // alone, an empty globalping: is the world, as ever
    assert.deepEqual(parseFrom(['globalping:']), [{kind: 'globalping', selector: ''}])
  })

  it('a bad body in a globalping: list that repeats its prefix is E_USAGE quoting the spec as typed, not the joined list', () => {
    for (const [spec, why] of [
      ['globalping:DE,globalping:FR,limit=abc', /limit "abc" is not 1-500/],
      ['globalping:DE,globalping:FR,,AS3320', /an empty location in the list/],
      ['globalping:DE,globalping:msm=2Kq7cXw4RtPz9LmNa00120hQv,FR', /msm= reuses the probes of that measurement/],
      ['globalping:DE,globalping:FR,colour=red', /unknown option "colour"/],
    ] as const) {
      assert.throws(() => parseFrom([spec]), (e: unknown) => {
        assert.ok(e instanceof AnyprobeError, `not an AnyprobeError: ${String(e)}`)
        assert.equal(e.code, 'E_USAGE')
        assert.ok(e.message.startsWith(`--from "${spec}": `), e.message)
        assert.match(e.message, why)
        return true
      }, spec)
    }
  })

  it('a globalping:msm= in a list stays a measurement of its own, as before the list was joined (it takes no locations and no limit)', () => {
    const a = 'msm=2Kq7cXw4RtPz9LmNa00120hQv'
    const b = 'msm=2Tb4nWq9PzXc7LmKe00020hJ1'
    assert.deepEqual(parseFrom([`globalping:${a},globalping:${b}`]), [{kind: 'globalping', selector: a}, {kind: 'globalping', selector: b}])
    assert.deepEqual(parseFrom([`globalping:${a},tool=mtr,globalping:DE,globalping:FR,limit=5`]), [
      {kind: 'globalping', selector: `${a},tool=mtr`},
      {kind: 'globalping', selector: 'DE,FR,limit=5'},
    ])
    assert.deepEqual(parseFrom([`globalping:DE,globalping:${a},globalping:FR`]), [
      {kind: 'globalping', selector: 'DE,FR'},
      {kind: 'globalping', selector: a},
    ])
  })

  it('another kind inside a list says to give each kind its own --from', () => {
    usageError(['local,netns:ap-vp-ber'], 'E_USAGE', /"local" is a vantage point of its own, not a list/)
    assert.throws(() => parseFrom(['local, netns:a']), (e: unknown) => e instanceof AnyprobeError && e.hint === 'give each kind its own --from: --from local --from netns:a')
    for (const [spec, item] of [['netns:a,ssh:b', 'ssh:b'], ['ssh:a,netns:b', 'netns:b'], ['globalping:Berlin,atlas:country=DE', 'atlas:country=DE']] as const) {
      assert.throws(() => parseFrom([spec]), (e: unknown) => {
        assert.ok(e instanceof AnyprobeError)
        assert.equal(e.code, 'E_USAGE')
        assert.match(e.message, new RegExp(`"${item}" inside the ${spec.split(':')[0]}: list is another kind of vantage point`))
        assert.match(e.hint ?? '', new RegExp(`give each kind its own --from: --from ${spec.split(':')[0]}:\\.\\.\\. --from ${item}`))
        return true
      })
    }
  })

  it('several --from add up, duplicates once, in order', () => {
    assert.deepEqual(parseFrom(['netns:a,b', 'local', 'netns:b', 'ssh:h', 'ssh:h']).map((s) => s.kind + ':' + ('name' in s ? s.name : 'id' in s ? s.id : '')), [
      'netns:a', 'netns:b', 'local:', 'ssh:h',
    ])
  })

  it('@FILE: one spec per line, # comments and blank lines ignored', () => {
    const files: Record<string, string> = {'vps.txt': '# lab vantage points\nnetns:ap-vp-ber  # Berlin\n\n  ssh:root@198.19.2.2:22\r\nlocal\n'}
    const specs = parseFrom(['@vps.txt', 'netns:ap-vp-ber'], {readFile: (p) => files[p] ?? ''})
    assert.deepEqual(specs, [
      {kind: 'netns', name: 'ap-vp-ber'},
      {kind: 'ssh', user: 'root', host: '198.19.2.2', port: 22, id: 'root@198.19.2.2:22'},
      {kind: 'local'},
    ])
    assert.deepEqual(specFileLines('a # x\n#b\nc#d\n'), ['a', 'c#d'])
  })

  it('bad specs are E_USAGE with the spec quoted', () => {
    usageError(['bogus:x'], 'E_USAGE', /unknown kind "bogus"/)
    usageError(['ap-vp-ber'], 'E_USAGE', /unknown vantage point/)
    usageError([''], 'E_USAGE', /empty spec/)
    usageError(['netns:'], 'E_USAGE', /empty namespace name/)
    usageError(['netns:a,,b'], 'E_USAGE', /empty namespace name/)
    usageError(['netns:../etc'], 'E_USAGE', /not a network namespace name/)
    usageError(['netns:a/b'], 'E_USAGE', /not a network namespace name/)
    usageError(['ssh:'], 'E_USAGE', /empty host/)
    usageError(['ssh:-oProxyCommand=sh'], 'E_USAGE', /not a host name/)
    usageError(['ssh:-oops'], 'E_USAGE', /not a host name/) // ssh would read a leading dash as an option
    usageError(['ssh:user@'], 'E_USAGE', /host is missing/)
    usageError(['ssh:bad user@h'], 'E_USAGE', /not a user name/)
    usageError(['ssh:h:0'], 'E_USAGE', /port "0" is not 1-65535/)
    usageError(['ssh:h:70000'], 'E_USAGE', /port "70000"/)
    usageError(['ssh:h:ssh'], 'E_USAGE', /port "ssh"/)
    usageError(['ssh:2001:db8::1'], 'E_USAGE', /without brackets/)
    usageError(['ssh:[2001:db8::1'], 'E_USAGE', /no closing \]/)
    usageError(['ssh:[nothex]'], 'E_USAGE', /not an IPv6 address/)
    usageError(['@'], 'E_USAGE', /no file name/)
  })

  it('@FILE errors: unreadable is E_BAD_INPUT, empty or nested is E_USAGE', () => {
    const files: Record<string, string> = {'empty.txt': '# nothing\n\n', 'nested.txt': '@other.txt\n', 'bad.txt': 'netns:ok\nwat\n'}
    const readFile = (p: string): string => {
      if (p in files) return files[p]!
      throw Object.assign(new Error('no such file'), {code: 'ENOENT'})
    }
    usageError(['@missing.txt'], 'E_BAD_INPUT', /cannot read the file \(ENOENT\)/, readFile)
    usageError(['@empty.txt'], 'E_USAGE', /lists no vantage point/, readFile)
    usageError(['@nested.txt'], 'E_USAGE', /files do not nest/, readFile)
    usageError(['@bad.txt'], 'E_USAGE', /"wat"/, readFile)
  })

  it('atlas: uses the Atlas module\'s AtlasBackend when there is one', async () => {
    class FakeAtlas {
      readonly spec: string
      constructor(selector: string) {
        this.spec = `atlas:${selector}`
      }
      expected(): number {
        return 3
      }
      async *run(): AsyncGenerator<never> {}
    }
    // only what backendsFor uses of an AtlasBackend (spec, expected, run)
    const AtlasBackend = FakeAtlas as unknown as typeof import('../../src/vantage/atlas/index.js').AtlasBackend
    const backends = await backendsFor(parseFrom(['atlas:asn=3320', 'netns:a']), {concurrency: 2, loadAtlas: async () => ({AtlasBackend})})
    assert.deepEqual(backends.map((b) => b.spec), ['netns:a', 'atlas:asn=3320'])
  })
})
