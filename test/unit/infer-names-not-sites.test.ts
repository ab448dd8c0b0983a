// Names whose letters look like a site code but are not one: a last label in the TLD's place that
// is no TLD we know ("router.ctc"), and names a machine picked (Windows' "LAPTOP-LHR5K2A", a
// Kubernetes pod's random suffix, a container's hex ID, "Johns-MacBook-Pro"). A DNS server answers
// hostname.bind / id.server with its host name by default (CoreDNS plugin/chaos: os.Hostname()),
// so these reach the identity reader as they are; reverse DNS of home hosts reaches the hop reader.
// Shapes: Windows "DESKTOP-1D8K0YZ" (techtarget.com, "Win10 ComputerName Generation"), the pod
// alphabet of k8s.io/apimachinery pkg/util/rand, Docker's 12-hex-digit container host name,
// DigitalOcean's default droplet name "ubuntu-s-1vcpu-1gb-ams3-01" (image, size, region, number).
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {geohintRecord} from '../../src/commands/geohint.js'
import {hintForHop, hostnameHints} from '../../src/infer/hostname.js'
import {identityCandidates} from '../../src/infer/identity.js'
import {randomParts} from '../../src/infer/random.js'
import {isConfidentPop} from '../../src/model/pop-confidence.js'
import {srcConfig} from '../helpers/cli.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** anyprobe geohint ARGS, text output (the command from source, as geohint.test.ts runs it) */
function geohintText(args: string[]): string {
  const script = `const m = await import(${JSON.stringify(ROOT + 'src/commands/geohint.ts')}); await m.default.run(${JSON.stringify(args)}, ${JSON.stringify(srcConfig())})`
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, encoding: 'utf8', timeout: 60_000})
  assert.equal(r.status, 0, r.stderr)
  return r.stdout
}

const top = (cs: {confidence: number}[]): number => cs[0]?.confidence ?? 0

describe('a last label that is no TLD we know is not a site code on its own', () => {
  it('router.ctc, ns1.ams: a hint below 0.5 on the hostname and identity paths, saying why', () => {
    for (const name of ['router.ctc', 'ns1.ams', 'gw.lhr']) {
      const h = hostnameHints(name)
      assert.ok(top(h) < 0.5, `${name} hostname: ${JSON.stringify(h[0])}`)
      const i = identityCandidates(name)
      assert.ok(top(i) < 0.5, `${name} identity: ${JSON.stringify(i[0])}`)
      assert.match(i[0]?.note ?? '', /top-level domain/, name)
    }
    const r = geohintRecord('router.ctc', 'auto')
    assert.ok(r.confidence === null || !isConfidentPop({confidence: r.confidence}), JSON.stringify(r))
  })
  it('no other label is offered as a "site code, place unknown" instead (udns1.lax is no site udns)', () => {
    for (const name of ['udns1.lax', 'router.ctc', 'host7.bar.qqq']) {
      for (const c of identityCandidates(name)) assert.ok(!(c.codeType === 'operator' && c.confidence >= 0.5), `${name}: ${JSON.stringify(c)}`)
    }
    assert.equal(identityCandidates('udns1.lax')[0]?.code, 'lax')
  })
  it('a label left of the unknown suffix, a last label with a digit, and known TLDs keep their readings', () => {
    assert.equal(hostnameHints('rtr1.fra.acme')[0]?.code, 'fra')
    assert.ok(top(hostnameHints('rtr1.fra.acme')) >= 0.8)
    // a label with a digit is no TLD: "usnyc2" is the LOCODE US NYC and a node number
    assert.equal(identityCandidates('dns1.usnyc2')[0]?.city, 'New York')
    assert.ok(top(identityCandidates('dns1.usnyc2')) >= 0.8)
    assert.ok(top(hostnameHints('ae1.cr1.fra03.example.net')) >= 0.9)
    assert.equal(hostnameHints('a.b.ctc.example.net')[0]?.code, 'ctc')
    // a city spelled out stays a place
    assert.ok(top(identityCandidates('gw.frankfurt')) >= 0.5)
  })
})

describe('a name a machine picked names no site', () => {
  const machine = ['LAPTOP-LHR5K2A', 'DESKTOP-FRA7QXZ', 'WIN-J9D7UC9SV7H', 'Johns-MacBook-Pro', 'Paris-iPhone', 'coredns-5d78c9869d-lhr4k', 'a1bad3cafe12', 'host-LHR5K2A']
  it('no reading at all, as an identity and as a hostname (one label, or under a home router)', () => {
    for (const n of machine) {
      assert.deepEqual(identityCandidates(n), [], n)
      assert.deepEqual(hostnameHints(n), [], n)
    }
    assert.equal(hintForHop('DESKTOP-1D8K0YZ.fritz.box'), null)
  })
  it('geohint (auto: an identity) has no PoP and says why, in JSON and text', () => {
    const r = geohintRecord('LAPTOP-LHR5K2A', 'auto')
    assert.equal(r.pop, null)
    assert.match(r.evidence.map((e) => e.note).join(' '), /Windows gives a computer/)
    assert.match(geohintRecord('coredns-5d78c9869d-lhr4k', 'identity').evidence[0]!.note, /Kubernetes pod name/)
    // the table's row has no place; the line under it says why
    const text = geohintText(['LAPTOP-LHR5K2A'])
    assert.match(text, /^LAPTOP-LHR5K2A +- +- +- +- +-$/m)
    assert.match(text, /^ {2}identity names no site: LAPTOP-LHR5K2A is a name Windows gives a computer/m)
  })
  it('DaemonSet pods ("node-local-dns-lhr2k", the node-local DNS cache) and a pod\'s workload name offered as no site code', () => {
    for (const n of ['node-local-dns-lhr2k', 'kube-proxy-7xz2q']) assert.deepEqual(identityCandidates(n), [], n)
    // "kube", "pdns" were "site code, place unknown" at 0.5
    for (const n of ['kube-dns-7d4b9c8f6d-lhr2k', 'pdns-recursor-7f9c8d6b5-x2k9p']) assert.deepEqual(identityCandidates(n), [], n)
    // a site code of letters then digits after a word stays one
    for (const l of ['dns-lhr25', 'sw-lhr25', 'cr-lhr2b', 'nsd-fra-1']) assert.equal(randomParts(l), null, l)
  })
  it('only the random parts go: a pod\'s deployment name and a droplet\'s region are read', () => {
    assert.deepEqual(randomParts('coredns-fra-5d78c9869d-x2k9p')?.parts, [2, 3])
    assert.equal(identityCandidates('coredns-fra-5d78c9869d-x2k9p')[0]?.code, 'fra')
    assert.equal(identityCandidates('ubuntu-s-1vcpu-1gb-ams3-01')[0]?.city, 'Amsterdam')
    assert.equal(randomParts('ubuntu-s-1vcpu-1gb-ams3-01'), null)
  })
  it('router names of a site-code shape are not random (letters and digits alternate at most 3 times)', () => {
    for (const label of ['hcr01snaxtx40', 'osk008agr02', 'lsancarc0yw', 'ae24-0', '100ge0-35', 'xe-0-6-0-5', 'be3036', 'sjo-b23-v6', 'DESKTOP-MADRID']) {
      assert.equal(randomParts(label), null, label)
    }
  })
})
