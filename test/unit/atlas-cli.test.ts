// RIPE Atlas through the command line, against the local replay server (127.0.0.1 only):
// --dry-run sends nothing and prints the definition and its cost; --atlas-msm builds a catchment
// from an existing measurement; the API key never appears in anything printed.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {fixture, type ReplayServer, standardRoutes, startAtlasReplay} from '../helpers/atlas-replay.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const KEY = 'a1b2c3d4-0000-4000-8000-5ec7e75ec7e7'

/** Starts a replay server before the suite, points the CLI at it with a key, restores all after. */
function useReplay(start: () => Promise<ReplayServer>): () => ReplayServer {
  let srv: ReplayServer | undefined
  const saved = {...process.env}
  before(async () => {
    srv = await start()
    process.env.ANYPROBE_ATLAS_URL = srv.url
    process.env.ANYPROBE_ATLAS_STREAM_URL = srv.streamUrl
    process.env.ANYPROBE_ATLAS_KEY = KEY
    process.env.XDG_CONFIG_HOME = '/nonexistent'
  })
  after(async () => {
    process.env = saved
    await srv?.close()
  })
  return () => srv!
}

describe('anyprobe catchment --from atlas: (replay server)', () => {
  const server = useReplay(async () => {
    const srv = await startAtlasReplay({})
    srv.routes.push(...standardRoutes())
    return srv
  })

  it('--dry-run prints the measurement and its credit cost, and sends nothing', async () => {
    const before = server().requests.length
    const r = await runCommand('catchment', ['193.0.14.129', '--from', 'atlas:country=NL,n=5', '--method', 'dns', '--dry-run'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as {kind: string; measurements: Array<{request: {definitions: Array<Record<string, unknown>>; probes: Array<Record<string, unknown>>}; estimate: {credits?: number}}>}
    assert.equal(doc.kind, 'atlas-dry-run')
    const m = doc.measurements[0]!
    assert.equal(m.request.definitions[0]!.query_argument, 'hostname.bind')
    assert.equal(m.request.definitions[0]!.set_nsid_bit, true)
    assert.deepEqual(m.request.probes[0], {type: 'country', value: 'NL', requested: 5})
    assert.ok(JSON.stringify(m.estimate).match(/\d/), 'a cost is stated')
    assert.equal(server().requests.length, before, 'a dry run talks to nobody')
    assert.ok(!(r.stdout + r.stderr).includes(KEY))
  })

  it('--atlas-msm reads an existing measurement into a catchment (K-root, Helsinki)', async () => {
    const r = await runCommand('catchment', ['193.0.14.129', '--from', 'atlas:', '--atlas-msm', '1423386', '--method', 'dns', '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as {vantagePoints: Array<{vantage: {id: string; country: string | null}; pop: {city: string | null} | null}>}
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(doc.vantagePoints.length, 1)
    assert.equal(doc.vantagePoints[0]!.vantage.id, 'atlas:6036')
    assert.equal(doc.vantagePoints[0]!.pop?.city, 'Helsinki')
    assert.ok(!(r.stdout + r.stderr).includes(KEY), 'the API key never appears in output')
  })

  it('--dry-run without an atlas: vantage point is a usage error', async () => {
    const r = await runCommand('catchment', ['193.0.14.129', '--from', 'local', '--method', 'dns', '--dry-run'])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /E_USAGE/)
  })
})

describe('anyprobe catchment --from atlas: creates a measurement and builds the catchment (replay server)', () => {
  // The whole live path through the command: POST the DNS measurement, follow its results on the
  // WebSocket stream, read the probes' metadata, and print a schema-valid catchment. The replay
  // answers the create with the id of a real CHAOS hostname.bind measurement of K-root (1423386),
  // whose one real result (probe 6036) arrives only over the stream.
  const server = useReplay(async () => {
    const srv = await startAtlasReplay({stream: {results: {1423386: fixture<unknown[]>('results-1423386.json')}}})
    srv.routes.length = 0
    srv.routes.push(
      {method: 'POST', path: 'measurements/', body: {measurements: [1423386]}, status: 201},
      {path: 'measurements/1423386/results/', body: []},
      {path: 'measurements/1423386/', body: {...fixture<object>('measurement-1423386.json'), probes_scheduled: 1, stop_time: null}},
      ...standardRoutes(),
    )
    return srv
  })

  it('POST, stream, probe metadata, catchment: probe 6036 lands on Helsinki, and the key is only in the POST header', async () => {
    const r = await runCommand('catchment', ['193.0.14.129', '--from', 'atlas:probes=6036', '--method', 'dns', '--json'])
    assert.equal(r.status, 0, r.stderr)
    const post = server().requests.find((q) => q.method === 'POST')
    assert.ok(post, 'a measurement was created')
    const def = (JSON.parse(post.body) as {definitions: Array<Record<string, unknown>>; probes: Array<Record<string, unknown>>})
    assert.equal(def.definitions[0]!.type, 'dns')
    assert.equal(def.definitions[0]!.query_argument, 'hostname.bind')
    assert.deepEqual(def.probes[0], {type: 'probes', value: '6036', requested: 1})
    assert.equal(post.headers.authorization, `Key ${KEY}`)
    assert.ok(server().streamConnections.length >= 1, 'results were followed on the stream')

    const doc = JSON.parse(r.stdout) as {method: string; vantagePoints: Array<{vantage: {id: string; country: string | null; asn: number | null}; pop: {city: string | null} | null}>; pops: Array<{code: string}>}
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(doc.method, 'dns')
    assert.equal(doc.vantagePoints.length, 1)
    const vp = doc.vantagePoints[0]!
    assert.equal(vp.vantage.id, 'atlas:6036')
    assert.notEqual(vp.vantage.country, null, 'probe metadata was read')
    assert.equal(vp.pop?.city, 'Helsinki')
    assert.equal(doc.pops.length, 1)
    assert.ok(!(r.stdout + r.stderr).includes(KEY), 'the API key never appears in output')
  })
})
