// Every JSON document every command prints validates against the schema the README names for it
// (README "JSON output"): real output, each command run from the sources in a child process,
// against loopback DNS/HTTP servers, with real anyprobe children as vantage points (see
// test/helpers/loopback-vantage.ts). The schema of each case is the README table's.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {ROOT, runCommand} from '../helpers/cli.js'
import {closedPort, dnsIdentityServer, httpIdentityServer, type Loopback, REMOTE_COMMAND, withFakeSsh} from '../helpers/loopback-vantage.js'
import {schemaErrors} from '../helpers/schema.js'

const lines = (text: string): unknown[] => text.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown)

function valid(schema: string, docs: unknown[], what: string): void {
  assert.ok(docs.length > 0, `${what}: no document`)
  for (const [i, d] of docs.entries()) assert.deepEqual(schemaErrors(schema, d), [], `${what} #${i} against ${schema}: ${JSON.stringify(d).slice(0, 300)}`)
}

describe('README: every command names its schema', () => {
  it('the table lists every command and every schema file, and each schema file exists', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const table = readme.slice(readme.indexOf('| command | schema |'))
    const rows = table.slice(0, table.indexOf('\n\n'))
    for (const cmd of ['trace', 'dns', 'http', 'catchment', 'report', 'watch', 'diff', 'sites', 'geohint', 'expect']) assert.match(rows, new RegExp(`\`${cmd}\\b|${cmd} file`), `command ${cmd} in the table`)
    for (const f of ['trace', 'dns', 'http', 'multi', 'outcome', 'catchment', 'watch-event', 'watch-out', 'diff', 'sites', 'geohint', 'expect', 'error', 'pop', 'dry-run', 'catchment-expect']) {
      assert.match(rows, new RegExp(`schemas/${f}\\.schema\\.json`), `schema ${f} in the table`)
      assert.ok(readFileSync(join(ROOT, `schemas/${f}.schema.json`), 'utf8').length > 0)
    }
  })

  it('multi and outcome documents are not catchment documents (the reason they have their own schemas)', () => {
    const multi = {schemaVersion: 1, kind: 'multi', method: 'dns', target: 'x', outcomes: []}
    assert.deepEqual(schemaErrors('multi.schema.json', multi), [])
    assert.notDeepEqual(schemaErrors('catchment.schema.json', multi), [])
    assert.notDeepEqual(schemaErrors('multi.schema.json', {...multi, kind: 'catchment'}), [])
  })
})

describe('real output of every command against its schema', {concurrency: 3}, () => {
  let dns: Loopback
  let http: Loopback
  let closed: number
  let undoSsh: () => void
  let dir: string
  const SOME = ['--from', 'local', '--from', 'ssh:vp-ber', '--from', 'ssh:vp-down', '--remote-command', REMOTE_COMMAND]

  before(async () => {
    dns = await dnsIdentityServer('fra')
    http = await httpIdentityServer('fra')
    closed = await closedPort()
    undoSsh = withFakeSsh()
    dir = mkdtempSync(join(tmpdir(), 'anyprobe-schemas-'))
  })
  after(async () => {
    undoSsh()
    await Promise.all([dns.close(), http.close()])
    rmSync(dir, {recursive: true, force: true})
  })

  const dnsArgs = (): string[] => ['127.0.0.1', '--port', String(dns.port), '--timeout', '400ms']
  const trace = ['127.0.0.1', '--protocol', 'udp', '--max-hops', '3', '--timeout', '300ms', '--no-dns', '--no-asn']

  it('trace / dns / http here: trace, dns, http schemas; an error: error.schema.json', async () => {
    const [t, d, h, e] = await Promise.all([
      runCommand('trace', [...trace, '--json']),
      runCommand('dns', [...dnsArgs(), '--json']),
      runCommand('http', [`http://127.0.0.1:${http.port}/`, '--json']),
      runCommand('dns', ['127.0.0.1', '--port', String(closed), '--qname', '', '--json']),
    ])
    valid('trace.schema.json', [JSON.parse(t.stdout)], 'trace --json')
    valid('dns.schema.json', [JSON.parse(d.stdout)], 'dns --json')
    valid('http.schema.json', [JSON.parse(h.stdout)], 'http --json')
    assert.equal(e.status, 2)
    valid('error.schema.json', [JSON.parse(e.stdout)], 'an error with --json')
  })

  it('trace / dns / http --from: multi.schema.json (--json), outcome.schema.json (--ndjson), failed vantage points included', async () => {
    const [dm, tn, hn] = await Promise.all([
      runCommand('dns', [...dnsArgs(), ...SOME, '--json']),
      runCommand('trace', [...trace, ...SOME, '--ndjson']),
      runCommand('http', [`http://127.0.0.1:${http.port}/`, ...SOME, '--ndjson']),
    ])
    const multi = JSON.parse(dm.stdout) as {outcomes: Array<{error: unknown}>}
    valid('multi.schema.json', [multi], 'dns --from --json')
    assert.equal(multi.outcomes.filter((o) => o.error !== null).length, 1)
    valid('outcome.schema.json', lines(tn.stdout), 'trace --from --ndjson')
    valid('outcome.schema.json', lines(hn.stdout), 'http --from --ndjson')
    assert.equal(lines(tn.stdout).length, 3)
  })

  it('catchment --json / --ndjson, report --json, diff --json, sites --json', async () => {
    const [cj, cn] = await Promise.all([
      runCommand('catchment', [...dnsArgs(), '--method', 'dns', ...SOME, '--json']),
      runCommand('catchment', [...dnsArgs(), '--method', 'dns', ...SOME, '--ndjson']),
    ])
    valid('catchment.schema.json', [JSON.parse(cj.stdout)], 'catchment --json')
    valid('outcome.schema.json', lines(cn.stdout), 'catchment --ndjson')
    writeFileSync(join(dir, 'c.json'), cj.stdout)
    writeFileSync(join(dir, 'c.ndjson'), cn.stdout)
    const [rep, diff, sites] = await Promise.all([
      runCommand('report', [join(dir, 'c.ndjson'), '--json']),
      runCommand('diff', [join(dir, 'c.json'), join(dir, 'c.ndjson'), '--json']),
      runCommand('sites', [`http://127.0.0.1:${http.port}/`, '--method', 'http', ...SOME, '--vp-location', 'local=50.1,8.7', '--json']),
    ])
    valid('catchment.schema.json', [JSON.parse(rep.stdout)], 'report --json')
    valid('diff.schema.json', [JSON.parse(diff.stdout)], 'diff --json')
    valid('sites.schema.json', [JSON.parse(sites.stdout)], 'sites --json')
  })

  it('--dry-run of RIPE Atlas (one-off and watch) and Globalping: dry-run.schema.json, and nothing else validates as one', async () => {
    const [a, s, g, w] = await Promise.all([
      runCommand('catchment', ['193.0.14.129', '--from', 'atlas:country=NL,n=5', '--method', 'dns', '--dry-run']),
      runCommand('sites', ['193.0.14.129', '--from', 'atlas:area=WW,n=50', '--method', 'trace', '--dry-run']),
      runCommand('trace', ['193.0.14.129', '--from', 'globalping:Germany,limit=3', '--dry-run']),
      runCommand('watch', ['193.0.14.129', '--from', 'atlas:country=NL,n=5', '--method', 'dns', '--dry-run', '--json']),
    ])
    for (const r of [a, s, g, w]) assert.equal(r.status, 0, r.stderr)
    const docs = [JSON.parse(a.stdout), JSON.parse(s.stdout), JSON.parse(g.stdout), JSON.parse(w.stdout)] as Array<{kind: string}>
    assert.deepEqual(docs.map((d) => d.kind), ['atlas-dry-run', 'atlas-dry-run', 'globalping-dry-run', 'atlas-watch-dry-run'])
    valid('dry-run.schema.json', docs, '--dry-run')
    // the schema can fail: a one-off estimate where a watch's hourly cost belongs, a missing request
    assert.notDeepEqual(schemaErrors('dry-run.schema.json', {...docs[3], cost: (docs[0] as unknown as {measurements: Array<{estimate: unknown}>}).measurements[0]!.estimate}), [])
    assert.notDeepEqual(schemaErrors('dry-run.schema.json', {...docs[2], measurements: [{selector: 'globalping:x', cost: {}}]}), [])
  })

  it('watch --json / --out / --learn, and report --json of the --out file', async () => {
    const out = join(dir, 'w.ndjson')
    const learn = join(dir, 'expect.json')
    const w = await runCommand('watch', [...dnsArgs().slice(0, 3), '--timeout', '200ms', '--interval', '200ms', '--count', '3', '--from', 'local', '--from', 'ssh:vp-ber', '--remote-command', REMOTE_COMMAND, '--json', '--out', out, '--learn', learn])
    assert.equal(w.status, 0, w.stderr)
    valid('watch-event.schema.json', lines(w.stdout), 'watch --json')
    valid('watch-out.schema.json', lines(readFileSync(out, 'utf8')), 'watch --out')
    valid('expect.schema.json', [JSON.parse(readFileSync(learn, 'utf8'))], 'watch --learn')
    const r = await runCommand('report', [out, '--json'])
    valid('watch-event.schema.json', lines(r.stdout), 'report --json of a watch --out file')
  })

  it('geohint --json: one record per line, rejected places and contradictions included', async () => {
    const g = await runCommand('geohint', ['--json', '--vp-location', 'GRU', '--rtt', '0.9', 'ae1.cr1.iad1.example.net', 'CF-RAY: 8a1b2c3d4e5f6789-AMS', 'xe-0.pe1.example'])
    const recs = lines(g.stdout) as Array<{rejected: unknown[]; contradiction: unknown}>
    valid('geohint.schema.json', recs, 'geohint --json')
    assert.equal(recs.length, 3)
    assert.ok(recs.some((r) => r.rejected.length > 0), 'a rejected place')
    assert.ok(recs.some((r) => r.contradiction !== null), 'a contradiction')
  })
})
