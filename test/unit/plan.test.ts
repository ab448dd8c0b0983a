// Flags to a plan, one way (src/console/plan.ts): trace / dns / http --from, catchment and sites
// build the same plan (child command line and normalized options) from the same flags; a flag for
// another method is E_USAGE; a flag given reaches both forms, and a child / RIPE Atlas receives it.
import assert from 'node:assert/strict'
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {parse} from '@oclif/core/parser'

import Catchment, {CATCHMENT_PLAN} from '../../src/commands/catchment.js'
import Dns from '../../src/commands/dns.js'
import Http from '../../src/commands/http.js'
import Sites, {SITES_PLAN} from '../../src/commands/sites.js'
import Trace from '../../src/commands/trace.js'
import {PLAN_FLAGS, planFromFlags, planFromParse, type PlanSpelling} from '../../src/console/plan.js'
import {VANTAGE_FLAG_NAMES} from '../../src/console/vantage-flags.js'
import {AnyprobeError} from '../../src/model/errors.js'
import type {ProbeMethod, ProbePlan} from '../../src/model/probe.js'
import {standardRoutes, startAtlasReplay, type ReplayServer} from '../helpers/atlas-replay.js'
import {ROOT, runCommand} from '../helpers/cli.js'
import {withFakeSsh} from '../helpers/loopback-vantage.js'

type Cmd = {flags: Record<string, unknown>; args: Record<string, unknown>}

/** The plan a command builds from argv (oclif's own parse, then the command's spelling). */
async function planOf(cmd: Cmd, method: ProbeMethod, argv: string[], spelling: PlanSpelling = {}): Promise<ProbePlan> {
  const parsed = await parse(argv, {flags: cmd.flags as never, args: cmd.args as never, strict: true})
  return planFromParse(method, argv[0]!, parsed as never, spelling)
}

describe('planFromFlags: one plan from the same flags', () => {
  it('dns flags: dns --from, catchment --method dns and sites --method dns give the same plan', async () => {
    const argv = ['198.51.100.10', '--qname', 'example.net', '--qtype', 'NS', '--timeout', '500ms', '--tcp', '--port', '5353']
    const want: ProbePlan = {
      method: 'dns',
      target: '198.51.100.10',
      cliArgs: ['198.51.100.10', '--port=5353', '--timeout=500ms', '--tcp', '--qname=example.net', '--qtype=NS'],
      given: ['port', 'timeout', 'tcp', 'qname', 'qtype'],
      options: {port: 5353, timeoutMs: 500, tcp: true, qname: 'example.net', qtype: 'NS'},
    }
    assert.deepEqual(await planOf(Dns, 'dns', [...argv, '--from', 'netns:a']), want)
    assert.deepEqual(await planOf(Catchment, 'dns', [...argv, '--method', 'dns', '--from', 'netns:a'], CATCHMENT_PLAN), want)
    assert.deepEqual(await planOf(Sites, 'dns', [...argv, '--method', 'dns', '--from', 'netns:a', '--location', 'a=1,2'], SITES_PLAN), want)
  })

  it('trace flags: trace --from and catchment (--no-rdns is trace --no-dns) give the same plan', async () => {
    const want: ProbePlan = {
      method: 'trace',
      target: '198.51.100.10',
      cliArgs: ['198.51.100.10', '--protocol=udp', '--port=53', '--max-hops=20', '--probes=2', '--timeout=2s', '--no-dns', '--no-asn'],
      given: ['protocol', 'port', 'max-hops', 'probes', 'timeout', 'dns', 'asn'],
      options: {protocol: 'udp', port: 53, maxHops: 20, probes: 2, timeoutMs: 2000, rdns: false, asn: false},
    }
    const argv = ['198.51.100.10', '-P', 'udp', '--port=53', '--max-hops', '20', '-q', '2', '-w', '2s']
    assert.deepEqual(await planOf(Trace, 'trace', [...argv, '--no-dns', '--no-asn', '--concurrency', '3']), want)
    assert.deepEqual(await planOf(Catchment, 'trace', [...argv, '--no-rdns', '--no-asn', '--html', 'x.html'], CATCHMENT_PLAN), want)
    // sites has no probe count (its --probes is a file) and keeps hop names: the rest is the same plan
    const common = ['198.51.100.10', '-P', 'udp', '--port=53', '--max-hops', '20', '-w', '2s']
    assert.deepEqual(await planOf(Sites, 'trace', [...common, '--method', 'trace'], SITES_PLAN), await planOf(Trace, 'trace', common))
    assert.deepEqual((await planOf(Sites, 'trace', [...common, '--method', 'trace'], SITES_PLAN)).options, {protocol: 'udp', port: 53, maxHops: 20, timeoutMs: 2000})
  })

  it('http flags: http --from, catchment and sites give the same plan', async () => {
    const argv = ['http://198.51.100.10/', '--host', 'www.example.net', '--header', 'A: 1', '--header', 'B: 2', '--pop-header', 'X-Edge', '--timeout', '3s']
    const want: ProbePlan = {
      method: 'http',
      target: 'http://198.51.100.10/',
      cliArgs: ['http://198.51.100.10/', '--timeout=3s', '--host=www.example.net', '--header=A: 1', '--header=B: 2', '--pop-header=X-Edge'],
      given: ['timeout', 'host', 'header', 'pop-header'],
      options: {timeoutMs: 3000, host: 'www.example.net', headers: ['A: 1', 'B: 2'], popHeaders: ['X-Edge']},
    }
    assert.deepEqual(await planOf(Http, 'http', argv), want)
    assert.deepEqual(await planOf(Catchment, 'http', [...argv, '--method', 'http'], CATCHMENT_PLAN), want)
    assert.deepEqual(await planOf(Sites, 'http', [...argv, '--method', 'http'], SITES_PLAN), want)
  })

  it('the rest of trace and http flags: catchment takes them as trace / http --from do (README: every flag you set goes to the child)', async () => {
    const targs = ['198.51.100.10', '--first-hop', '2', '--gap-limit', '3', '--flow-id', '4242', '--rate', '100', '--wait-factor', '2', '--ipv4', '--asn-db', 'x.mmdb']
    assert.deepEqual(await planOf(Catchment, 'trace', targs, CATCHMENT_PLAN), await planOf(Trace, 'trace', targs))
    const hargs = ['http://198.51.100.10/', '--insecure', '--follow', '--cf-trace']
    const h = await planOf(Catchment, 'http', [...hargs, '--method', 'http'], CATCHMENT_PLAN)
    assert.deepEqual(h, await planOf(Http, 'http', hargs))
    assert.deepEqual(h.given, ['insecure', 'follow', 'cf-trace'])
  })

  it('defaults stay with whoever measures: nothing set, nothing in the plan', async () => {
    for (const [cmd, m] of [[Trace, 'trace'], [Dns, 'dns'], [Http, 'http']] as const) {
      assert.deepEqual(await planOf(cmd, m, ['198.51.100.10']), {method: m, target: '198.51.100.10', cliArgs: ['198.51.100.10'], given: [], options: {}})
    }
    assert.deepEqual(await planOf(Catchment, 'ping', ['198.51.100.10', '--method', 'ping'], CATCHMENT_PLAN), {method: 'ping', target: '198.51.100.10', cliArgs: ['198.51.100.10'], given: [], options: {}})
  })

  it('a flag given reaches both the child command line and the options', () => {
    const cases: Array<[ProbeMethod, string, unknown, string, unknown]> = [
      ['trace', 'protocol', 'tcp', 'protocol', 'tcp'],
      ['trace', 'max-hops', 7, 'maxHops', 7],
      ['trace', 'dns', false, 'rdns', false],
      ['trace', 'numeric', true, 'rdns', false],
      ['trace', 'first-hop', 3, 'firstHop', 3],
      ['trace', 'ipv6', true, 'af', 6],
      ['trace', 'ipv4', true, 'af', 4],
      ['ping', 'probes', 5, 'probes', 5],
      ['ping', 'timeout', '1.5s', 'timeoutMs', 1500],
      ['dns', 'qname', 'example.org', 'qname', 'example.org'],
      ['http', 'method', 'HEAD', 'method', 'HEAD'],
    ]
    for (const [method, flag, value, option, want] of cases) {
      const p = planFromFlags(method, 't', {[flag]: value})
      assert.equal(p.cliArgs.length, 2, `${flag}: one child argument`)
      assert.match(p.cliArgs[1]!, new RegExp(`^--(no-)?${flag}(=|$)`))
      assert.deepEqual((p.options as Record<string, unknown>)[option], want, `${flag} -> options.${option}`)
    }
  })

  it('a flag for another method is E_USAGE (exit 2) naming the methods it is for', () => {
    const refused = (method: ProbeMethod, given: Record<string, unknown>, spelled?: Record<string, string>): AnyprobeError => {
      try {
        planFromFlags(method, 't', given, spelled)
      } catch (e) {
        assert.ok(e instanceof AnyprobeError)
        return e
      }
      assert.fail(`${JSON.stringify(given)} accepted for ${method}`)
    }
    const e = refused('http', {qname: 'x'})
    assert.equal(e.code, 'E_USAGE')
    assert.equal(e.exitCode, 2)
    assert.equal(e.message, '--qname does not apply to --method http')
    assert.equal(e.hint, '--qname is for --method dns')
    assert.equal(refused('dns', {dns: false}, {dns: 'rdns'}).message, '--no-rdns does not apply to --method dns')
    assert.equal(refused('ping', {port: 53}).hint, '--port is for --method trace / dns')
    assert.equal(refused('trace', {timeout: 'soon'}).code, 'E_BAD_DURATION')
  })

  it('--vp-location goes to a --from local child only; with netns/ssh/atlas/globalping it is E_USAGE pointing to --location', async () => {
    const local = await planOf(Dns, 'dns', ['198.51.100.10', '--vp-location', 'FRA', '--from', 'local'])
    assert.deepEqual(local.cliArgs, ['198.51.100.10', '--vp-location=FRA'])
    for (const from of ['netns:a', 'ssh:probe@vp1.example.net', 'atlas:country=NL,n=5', 'globalping:world']) {
      await assert.rejects(planOf(Trace, 'trace', ['198.51.100.10', '--vp-location', 'FRA', '--from', 'local', '--from', from]), (e: AnyprobeError) => {
        assert.equal(e.code, 'E_USAGE')
        assert.equal(e.exitCode, 2)
        assert.match(e.message, new RegExp(`--vp-location says where this host is; it does not go with --from ${from.split(':')[0]}:`))
        assert.match(e.hint ?? '', /--location NAME=LAT,LON/)
        return true
      })
    }
  })

  it('every flag of trace / dns / http is a plan flag for its method (a new one must be added)', () => {
    for (const [cmd, m] of [[Trace, 'trace'], [Dns, 'dns'], [Http, 'http']] as const) {
      for (const name of Object.keys(cmd.flags)) {
        if (VANTAGE_FLAG_NAMES.has(name)) continue
        assert.ok(PLAN_FLAGS[name]?.methods.includes(m), `${m} --${name} is not in PLAN_FLAGS for ${m}`)
      }
    }
  })
})

describe('the plan reaches what measures (commands)', () => {
  let dir = ''
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'anyprobe-plan-'))
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('sites --method dns --qname --timeout: a child anyprobe gets them', async () => {
    // a stand-in anyprobe that writes the arguments it got, then answers as the fake does
    const log = join(dir, 'args.json')
    const script = join(dir, 'record.mjs')
    writeFileSync(script, `import {writeFileSync} from 'node:fs'\nwriteFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)))\nprocess.argv.splice(2, 0, 'json')\nawait import(${JSON.stringify(join(ROOT, 'test/fixtures/vantage/fake-anyprobe.mjs'))})\n`)
    chmodSync(script, 0o755)
    // an ssh vantage point through the fake ssh (--remote-command goes with netns / ssh ones)
    const undoSsh = withFakeSsh()
    const r = await runCommand('sites', ['198.51.100.10', '--method', 'dns', '--qname', 'example.net', '--timeout', '700ms', '--from', 'ssh:vp-ber', '--remote-command', `${process.execPath} ${script}`, '--json']).finally(undoSsh)
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(readFileSync(log, 'utf8')), ['dns', '198.51.100.10', '--timeout=700ms', '--qname=example.net', '--json'])
  })

  it('sites --method ping with a trace flag is E_USAGE before anything runs', async () => {
    const r = await runCommand('sites', ['198.51.100.10', '--max-hops', '5', '--from', 'local'])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /error E_USAGE: --max-hops does not apply to --method ping\nhint: --max-hops is for --method trace/)
  })

  it('sites --input with a probe flag is E_USAGE (there is nothing to ask)', async () => {
    const r = await runCommand('sites', ['--input', join(ROOT, 'test/fixtures/atlas/results-3606560.json'), '--timeout', '1s'])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /error E_USAGE: --timeout asks the probes of a measurement/)
  })
})

describe('the plan reaches RIPE Atlas (dry run, replay server)', () => {
  let srv: ReplayServer | undefined
  const saved = {...process.env}
  before(async () => {
    srv = await startAtlasReplay({})
    srv.routes.push(...standardRoutes())
    process.env.ANYPROBE_ATLAS_URL = srv.url
    process.env.ANYPROBE_ATLAS_STREAM_URL = srv.streamUrl
    process.env.ANYPROBE_ATLAS_KEY = 'a1b2c3d4-0000-4000-8000-5ec7e75ec7e7'
    process.env.XDG_CONFIG_HOME = '/nonexistent'
  })
  after(async () => {
    process.env = saved
    await srv?.close()
  })

  const definition = async (cmd: string, argv: string[]): Promise<Record<string, unknown>> => {
    const r = await runCommand(cmd, [...argv, '--from', 'atlas:country=NL,n=5', '--dry-run'])
    assert.equal(r.status, 0, r.stderr)
    return (JSON.parse(r.stdout) as {measurements: Array<{request: {definitions: Array<Record<string, unknown>>}}>}).measurements[0]!.request.definitions[0]!
  }

  it('catchment and sites --method dns --qname --tcp ask Atlas for that name over TCP', async () => {
    for (const cmd of ['catchment', 'sites']) {
      const d = await definition(cmd, ['193.0.14.129', '--method', 'dns', '--qname', 'example.net', '--qtype', 'NS', '--tcp'])
      assert.deepEqual([d.query_class, d.query_type, d.query_argument, d.protocol], ['IN', 'NS', 'example.net', 'TCP'], cmd)
    }
  })

  it('trace --ipv6 --first-hop reach the traceroute definition (af, first_hop)', async () => {
    const d = await definition('trace', ['example.com', '--ipv6', '--first-hop', '3'])
    assert.deepEqual([d.af, d.first_hop, d.target], [6, 3, 'example.com'])
  })

  const refused = async (cmd: string, argv: string[]): Promise<string> => {
    const r = await runCommand(cmd, argv)
    assert.equal(r.status, 2, r.stderr)
    assert.equal(r.stdout, '')
    return r.stderr
  }

  it('a flag RIPE Atlas cannot carry is refused, naming the flag and Atlas, with a hint', async () => {
    assert.match(await refused('dns', ['193.0.14.129', '--port', '5353', '--from', 'atlas:country=NL,n=5', '--dry-run']), /error E_USAGE: --port does not reach RIPE Atlas DNS measurements\nhint: .*always query port 53/)
    const http = ['http://nl-ams-as3333.anchors.atlas.ripe.net/', '--from', 'atlas:country=NL,n=5', '--dry-run']
    assert.match(await refused('http', [...http, '--host', 'foo.example']), /--host does not reach RIPE Atlas HTTP measurements\nhint: /)
    assert.match(await refused('http', [...http, '--header', 'X-A: 1']), /--header does not reach RIPE Atlas HTTP measurements/)
    assert.match(await refused('http', [...http, '--timeout', '1s']), /--timeout does not reach RIPE Atlas HTTP measurements/)
  })

  it('a flag Globalping cannot carry is refused; --ipv6 reaches ipVersion', async () => {
    assert.match(await refused('trace', ['example.com', '--from', 'globalping:world,limit=3', '--max-hops', '9', '--dry-run']), /--max-hops does not reach Globalping traceroute \/ mtr measurements\nhint: .*20 hops/)
    assert.match(await refused('trace', ['example.com', '--from', 'globalping:world,limit=3', '--timeout', '1s', '--dry-run']), /--timeout does not reach Globalping/)
    const r = await runCommand('trace', ['example.com', '--from', 'globalping:world,limit=3', '--ipv6', '--protocol', 'tcp', '--port', '443', '--dry-run'])
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout).measurements[0].request.measurementOptions, {protocol: 'TCP', port: 443, ipVersion: 6})
  })

  it('refused before anything runs: the child of the same --from is never started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anyprobe-plan-'))
    try {
      const log = join(dir, 'started')
      const script = join(dir, 'record.mjs')
      writeFileSync(script, `import {writeFileSync} from 'node:fs'\nwriteFileSync(${JSON.stringify(log)}, 'yes')\n`)
      assert.match(await refused('dns', ['193.0.14.129', '--port', '5353', '--from', 'netns:vp-x', '--from', 'atlas:country=NL,n=5', '--remote-command', `${process.execPath} ${script}`]), /--port does not reach RIPE Atlas/)
      assert.equal(existsSync(log), false)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('--atlas-msm reads a measurement made already: a probe flag is refused, --no-rdns still applies', async () => {
    assert.match(await refused('catchment', ['193.0.14.129', '--method', 'dns', '--qname', 'example.net', '--from', 'atlas:', '--atlas-msm', '1423386']), /error E_USAGE: --qname does not reach RIPE Atlas measurement 1423386: --atlas-msm reads its results as they were made\nhint: /)
    const {checkRemotePlan} = await import('../../src/vantage/remote-plan.js')
    await checkRemotePlan([{kind: 'atlas', selector: ''}], planFromFlags('trace', 't', {dns: false, asn: false}), {atlasMsm: 1423386})
  })

  it('--dry-run with both atlas: and globalping: is refused (one dry-run document per service)', async () => {
    const argv = ['192.0.2.1', '--from', 'globalping:world,limit=3', '--from', 'atlas:area=WW,n=5', '--dry-run']
    assert.match(await refused('catchment', argv), /error E_USAGE: --dry-run shows RIPE Atlas or Globalping requests, not both at once\nhint: run the --dry-run once with the atlas: vantage points and once with the globalping: ones/)
    // --json: the error document on stdout, and no dry-run document
    const r = await runCommand('catchment', [...argv, '--json'])
    assert.equal(r.status, 2)
    const doc = JSON.parse(r.stdout) as {kind: string; error: {code: string; message: string}}
    assert.deepEqual([doc.kind, doc.error.code, doc.error.message], ['error', 'E_USAGE', '--dry-run shows RIPE Atlas or Globalping requests, not both at once'])
  })

  it('sites --probes without --input is refused (it is the Atlas probe file of --input)', async () => {
    assert.match(await refused('sites', ['192.0.2.1', '--from', 'local', '--probes', 'x.json']), /error E_USAGE: --probes \(the RIPE Atlas probe metadata file\) goes only with --input\nhint: /)
  })

  it('sites --method trace --max-hops --timeout reach the traceroute definition', async () => {
    const d = await definition('sites', ['193.0.14.129', '--method', 'trace', '--max-hops', '12', '--timeout', '2s', '--protocol', 'tcp', '--port', '443'])
    assert.deepEqual([d.max_hops, d.response_timeout, d.protocol, d.port], [12, 2000, 'TCP', 443])
  })
})

