// anyprobe watch against equal-cost multipath in the lab. ap-vp-ecmp has two uplinks (eth0 to
// t-fra, eth1 to t-iad) and a Linux multipath route to the anycast address over both, hashing on
// L4 ports (fib_multipath_hash_policy=1; lab.sh ensure_ecmp): each UDP flow goes to FRA or to IAD.
//  1. ground truth, without anyprobe: eight source ports for each device the kernel picks
//     (`ip route get ... sport P`, the first of 64) and the PoP that answers dig from each port
//     (lab.sh ecmp-flow): each device's flows are answered by its PoP; `anyprobe dns`, a fresh
//     source port per run, sees both PoPs too.
//  2. watch --flows 8 from ap-vp-ecmp and ap-vp-ber: ap-vp-ecmp is reported load-balanced across
//     FRA and IAD (one event, and in the summary) with no shift, failover or flap, and each flow
//     sticks to one PoP for the whole run (a flow is one source port); ap-vp-ber, the same eight
//     flows on a single path, is not load-balanced. --metrics scraped while it runs: a series of
//     anyprobe_site_info for each of FRA and IAD (both 1) for ap-vp-ecmp, FRA alone for ap-vp-ber.
//  3. watch --flows 1 from ap-vp-ecmp: one flow is one path: no load balancing, no shift, no flap
//     (a prober that drew a new source port every round would hop between FRA and IAD here).
// 2 and 3 run for --method dns (a UDP socket per flow) and --method http (a keep-alive TCP
// connection per flow; the kernel hashes TCP ports the same way): the same verdicts for both.
//  4. watch --flows 8 from ap-vp-ecmp, IAD withdrawn once it is load-balanced: its flows go on to
//     FRA (t-iad's next best route), and the set shrinks: one shift FRA+IAD -> FRA, anyprobe_site_info
//     FRA alone, the summary FRA and no longer load-balanced. IAD is restored before the test ends.
// 1-3 are read-only. Needs root, the lab (lab.sh up adds ap-vp-ecmp) and the built CLI.
// Every probe goes to the lab's anycast address, from inside ap-vp-ecmp or ap-vp-ber.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {setTimeout as sleep} from 'node:timers/promises'

import type {LoadBalancedEvent, Observation, ShiftEvent, WatchEvent, WatchSummaryEvent} from '../../src/model/watch.js'
import {schemaErrors} from '../helpers/schema.js'
import {readWatchOut} from '../helpers/watch-out.js'
import {ecmpPortsByUplink, portRange} from './ecmp.js'
import {ANYPROBE, E, followEvents, isRoot, lab, run} from './lib.js'

const skip = isRoot ? false : 'needs root (network namespaces)'
const ANYCAST = E.AP_ANYCAST4 ?? '198.51.100.10'
const ECMP = E.AP_ECMP_NS ?? 'ap-vp-ecmp'
const BER = E.AP_VP_NS_ber ?? 'ap-vp-ber'
/** device -> PoP behind it, e.g. eth0 -> FRA */
const PATHS = new Map((E.AP_ECMP_PATHS ?? 'eth0:FRA eth1:IAD').split(' ').map((p) => p.split(':') as [string, string]))
const ECMP_POPS = [...PATHS.values()].sort()
/** flows of the load-balancing watch: all on one uplink is 2^(1-FLOWS) per run */
const FLOWS = 8
const tmp = mkdtempSync(join(tmpdir(), 'anyprobe-watch-ecmp-'))
after(() => rmSync(tmp, {recursive: true, force: true}))

interface WatchRun {
  code: number
  stderr: string
  events: WatchEvent[]
  summary: WatchSummaryEvent
  observations: Observation[]
  /** --metrics scraped once the ECMP vantage point was said load-balanced (null: it never was) */
  scrape: string | null
}

let runs = 0
type Method = 'dns' | 'http'
async function watch(method: Method, from: string[], flows: number, count: number): Promise<WatchRun> {
  const out = join(tmp, `watch-${++runs}.ndjson`)
  const args = [ANYPROBE, 'watch', ANYCAST, '--from', `netns:${from.join(',')}`, '--method', method, '--flows', String(flows), '--interval', '100ms', '--count', String(count), '--json', '--out', out, '--metrics', '127.0.0.1:0']
  const child = spawn(process.execPath, args, {stdio: ['ignore', 'pipe', 'pipe']})
  const {events, err, closed} = followEvents<WatchEvent>(child)
  let ended = false
  void closed.then(() => (ended = true))
  // while it runs: one scrape once the ECMP vantage point is said load-balanced (rounds 1-2 of
  // `count`, seconds before the end), when its catchment is the set, and every other vantage point
  // has its starting state (its first answer): each child joins when it is up, and ap-vp-ber's
  // starting later than ap-vp-ecmp's on a loaded machine could leave it no site_info yet
  const started = (vp: string): boolean => events.some((e) => {
    const s = e as {type: string; vantageId?: string}
    return s.type === 'state' && s.vantageId === vp
  })
  const scraping = (async (): Promise<string | null> => {
    while (!ended) {
      if (events.some((e) => e.type === 'load-balanced' && e.vantageId === ECMP) && from.every(started)) {
        const port = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(err())?.[1]
        return port === undefined ? null : (await run('curl', ['-s', `http://127.0.0.1:${port}/metrics`], 5_000)).stdout
      }
      await sleep(50)
    }
    return null
  })()
  const code = await Promise.race([closed, sleep(90_000).then(() => 'timeout' as const)])
  if (code === 'timeout') child.kill('SIGKILL')
  assert.notEqual(code, 'timeout', `watch did not end: ${err()}`)
  const scrape = await scraping
  for (const e of events) assert.deepEqual(schemaErrors('watch-event.schema.json', e), [], JSON.stringify(e))
  const summary = events.at(-1)
  assert.equal(summary?.type, 'summary', `the last line is the summary (exit ${code}): ${err()}`)
  const observations = existsSync(out) ? readWatchOut(out).observations : []
  return {code: code as number, stderr: err(), events, summary: summary as WatchSummaryEvent, observations, scrape}
}

/** anyprobe_site_info of a vantage point in a scrape: its sites, each with its value ("FRA 1") */
const siteInfo = (scrape: string, vantageId: string): string[] =>
  [...scrape.matchAll(/^anyprobe_site_info\{vantage="([^"]*)",site="([^"]*)"\} (\S+)$/gm)].filter((m) => m[1] === vantageId).map((m) => `${m[2]} ${m[3]}`).sort()

/** flow -> the PoPs its answered probes named, for one vantage point */
function popsByFlow(obs: Observation[], vantageId: string): Map<number, Set<string>> {
  const m = new Map<number, Set<string>>()
  for (const o of obs) {
    if (o.vantageId !== vantageId || !o.answered || o.pop === null) continue
    if (!m.has(o.flow)) m.set(o.flow, new Set())
    m.get(o.flow)!.add(o.pop)
  }
  return m
}

const show = (m: Map<number, Set<string>>): string => [...m].map(([f, s]) => `flow ${f}: ${[...s].join('/')}`).join(', ')
const eventsOf = (w: WatchRun, id: string, ...types: string[]): WatchEvent[] => w.events.filter((e) => e.type !== 'summary' && e.vantageId === id && types.includes(e.type))

describe('anyprobe watch on equal-cost multipath (ap-vp-ecmp: FRA and IAD by L4 hash)', {skip, timeout: 300_000}, () => {
  before(async () => {
    const w = await lab('wait-converged', '30')
    if (w.code !== 0) throw new Error(`lab not converged: ${w.stderr}${w.stdout}`)
    const s = await run('ip', ['netns', 'list'])
    if (!s.stdout.split('\n').some((l) => l.split(' ')[0] === ECMP)) throw new Error(`no namespace ${ECMP}: run "bash test/lab/lab.sh up" (it adds the ECMP vantage point to a running lab)`)
  })

  it('ground truth: the multipath route splits UDP flows by source port, each device to its own PoP', {timeout: 60_000}, async () => {
    // eight ports out of each device, from the kernel's route lookup: a fixed list of ports could
    // land all on one device on some boots (the multipath hash seed; test/lab/ecmp.ts)
    const byUplink = ecmpPortsByUplink('udp', 53, 8, portRange(41000, 64, 37))
    assert.deepEqual([...byUplink.keys()].sort(), [...PATHS.keys()].sort(), `the multipath route splits UDP flows over both uplinks: ${JSON.stringify([...byUplink])}`)
    const ports = [...byUplink.values()].flat().sort((a, b) => a - b).map(String)
    const r = await lab('ecmp-flow', ...ports)
    assert.equal(r.code, 0, r.stderr)
    const flows = r.stdout
      .trim()
      .split('\n')
      .map((l) => {
        const [sport, dev, src, pop] = l.split(' ')
        return {sport, dev: dev!, src: src!, pop: pop!.toUpperCase()}
      })
    assert.equal(flows.length, ports.length, r.stdout)
    for (const f of flows) {
      assert.ok(PATHS.has(f.dev), `port ${f.sport}: device ${f.dev} is one of the two uplinks`)
      assert.equal(f.pop, PATHS.get(f.dev), `port ${f.sport} goes out ${f.dev} (source ${f.src}) and is answered by ${f.pop}`)
    }
    const used = new Set(flows.map((f) => f.dev))
    assert.equal(used.size, PATHS.size, `${ports.length} source ports use both uplinks (lab.sh ecmp-flow): ${r.stdout}`)
    console.log(`# ecmp ground truth: ${flows.map((f) => `${f.sport}->${f.pop}`).join(' ')}`)

    // anyprobe dns picks a fresh source port each run: both PoPs answer within 32 runs (batches of
    // 4 until both are seen; all 32 on one uplink is 2^-31, where a fixed 16 was 2^-15)
    const seen: string[] = []
    for (let i = 0; i < 32 && new Set(seen).size < ECMP_POPS.length; i += 4) {
      const batch = await Promise.all(
        Array.from({length: 4}, () => run('ip', ['netns', 'exec', ECMP, process.execPath, ANYPROBE, 'dns', ANYCAST, '--json'], 30_000)),
      )
      for (const b of batch) {
        assert.equal(b.code, 0, b.stderr)
        const d = JSON.parse(b.stdout) as {pop: {code: string} | null}
        seen.push(d.pop?.code.toUpperCase() ?? '-')
      }
    }
    assert.deepEqual([...new Set(seen)].sort(), ECMP_POPS, `anyprobe dns x${seen.length} from ${ECMP}: ${seen.join(' ')}`)
  })

  for (const method of ['dns', 'http'] as const) {
    it(`--method ${method} --flows ${FLOWS}: load-balanced across FRA and IAD, each flow on one PoP, no shift or flap; the single-path VP is not`, {timeout: 180_000}, async () => {
      // the kernel picks the flows' source ports, and all of them hash to one uplink one time in
      // 2^(FLOWS-1); then there is no load balancing to see: run again (the flows say which it
      // was). With 4 flows that was 1 in 8 per attempt, 4 attempts x 2 methods failed ~1 run in
      // 2000; with 8, 1 in 128 per attempt (2^-28 per method), and no longer a run
      let w: WatchRun | null = null
      let byFlow = new Map<number, Set<string>>()
      for (let attempt = 1; attempt <= 4; attempt++) {
        w = await watch(method, [ECMP, BER], FLOWS, 40)
        byFlow = popsByFlow(w.observations, ECMP)
        const pops = new Set([...byFlow.values()].flatMap((s) => [...s]))
        if (pops.size >= 2) break
        console.log(`# ${method} attempt ${attempt}: the ${FLOWS} flows all hashed to ${[...pops].join('')} (${show(byFlow)}); again`)
      }
      w = w!
      assert.equal(w.code, 0, w.stderr)
      // every flow is one source port, so one path, for the whole run
      assert.equal(byFlow.size, FLOWS, show(byFlow))
      for (const [flow, pops] of byFlow) assert.equal(pops.size, 1, `flow ${flow} stayed on one PoP: ${show(byFlow)}`)
      assert.deepEqual([...new Set([...byFlow.values()].flatMap((s) => [...s]))].sort(), ECMP_POPS, show(byFlow))

      const lb = eventsOf(w, ECMP, 'load-balanced') as LoadBalancedEvent[]
      assert.equal(lb.length, 1, JSON.stringify(w.events))
      assert.deepEqual(lb[0]!.pops, ECMP_POPS)
      assert.deepEqual(eventsOf(w, ECMP, 'shift', 'failover', 'flap', 'outage'), [], 'load balancing is not flapping')
      const vp = w.summary.vantagePoints.find((v) => v.vantageId === ECMP)!
      assert.equal(vp.loadBalanced, true)
      assert.equal(vp.pop, ECMP_POPS.join('+'))
      assert.equal(vp.flips, 0)
      assert.equal(vp.flapEpisodes, 0)
      assert.deepEqual(vp.pops.map((p) => p.pop).sort(), ECMP_POPS)
      // --metrics while it was load-balanced: anyprobe_site_info has a series for each PoP, both 1
      // (it said the first PoP only: a dashboard showed FRA while some flows went to IAD)
      assert.ok(w.scrape !== null, `no scrape: ${w.stderr}`)
      assert.deepEqual(siteInfo(w.scrape, ECMP), ECMP_POPS.map((p) => `${p} 1`), w.scrape)
      assert.deepEqual(siteInfo(w.scrape, BER), ['FRA 1'])
      assert.ok(vp.answered >= 0.9 * vp.observations, `${vp.answered} of ${vp.observations} answered`)

      // the control: the same flows from a vantage point with one path are one PoP, not load balancing
      assert.deepEqual(eventsOf(w, BER, 'load-balanced', 'shift', 'failover', 'flap'), [])
      const ber = w.summary.vantagePoints.find((v) => v.vantageId === BER)!
      assert.equal(ber.loadBalanced, false)
      assert.equal(ber.pop, 'FRA')
      assert.equal(ber.flips, 0)
      assert.ok(ber.answered >= 0.9 * ber.observations)
      console.log(`# ecmp ${method} --flows ${FLOWS}: ${show(byFlow)}; summary ${vp.pop} ${JSON.stringify(vp.pops)}, ${vp.flips} flips; ${BER} ${ber.pop}`)
    })

    it(`--method ${method} --flows 1 on the multipath VP: one flow, one path: no load balancing, no shift, no flap`, {timeout: 120_000}, async () => {
      const w = await watch(method, [ECMP], 1, 60)
      assert.equal(w.code, 0, w.stderr)
      const byFlow = popsByFlow(w.observations, ECMP)
      assert.equal(byFlow.size, 1, show(byFlow))
      const pops = [...byFlow.get(0)!]
      assert.equal(pops.length, 1, `the one flow stayed on one PoP: ${show(byFlow)}`)
      assert.ok(ECMP_POPS.includes(pops[0]!), pops[0])
      assert.deepEqual(eventsOf(w, ECMP, 'load-balanced', 'shift', 'failover', 'flap'), [], JSON.stringify(w.events))
      const vp = w.summary.vantagePoints.find((v) => v.vantageId === ECMP)!
      assert.equal(vp.loadBalanced, false)
      assert.equal(vp.pop, pops[0])
      assert.equal(vp.flips, 0)
      assert.ok(vp.locatedRounds >= 40, `${vp.locatedRounds} located rounds`)
      console.log(`# ecmp ${method} --flows 1: ${vp.locatedRounds} rounds all at ${vp.pop}, ${vp.flips} flips`)
    })
  }

  it('--method dns --flows 8, IAD withdrawn while load-balanced: the set shrinks to FRA (one shift), site_info and the summary say FRA alone', {timeout: 240_000}, async () => {
    const [kept, gone] = [PATHS.get('eth0') ?? 'FRA', PATHS.get('eth1') ?? 'IAD']
    type Ev = WatchEvent & {vantageId?: string}
    // all 8 flows on one uplink (1 in 128) shows no load balancing to shrink: run again
    for (let attempt = 1; attempt <= 4; attempt++) {
      const out = join(tmp, `watch-shrink-${attempt}.ndjson`)
      const args = [ANYPROBE, 'watch', ANYCAST, '--from', `netns:${ECMP}`, '--method', 'dns', '--flows', String(FLOWS), '--interval', '100ms', '--count', '900', '--json', '--out', out, '--metrics', '127.0.0.1:0']
      const child = spawn(process.execPath, args, {stdio: ['ignore', 'pipe', 'pipe']})
      const {events, err, closed, waitFor} = followEvents<Ev>(child)
      let faulted = false
      let shift: ShiftEvent | null = null
      let scrape: string | null = null
      try {
        try {
          await waitFor((e) => e.type === 'load-balanced' && e.vantageId === ECMP, 20_000)
        } catch {
          const byFlow = existsSync(out) ? popsByFlow(readWatchOut(out).observations, ECMP) : new Map()
          console.log(`# shrink attempt ${attempt}: not load-balanced (${show(byFlow)}); again`)
          continue
        }
        assert.equal((await lab('withdraw', gone.toLowerCase())).code, 0)
        faulted = true
        shift = (await waitFor((e) => e.type === 'shift' && e.vantageId === ECMP, 30_000)) as ShiftEvent
        // the rule's K rounds (3 with 8 answers) after the first round without IAD: scraped after the shift
        const port = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(err())?.[1]
        scrape = port === undefined ? null : (await run('curl', ['-s', `http://127.0.0.1:${port}/metrics`], 5_000)).stdout
      } finally {
        // stopped before IAD comes back (its return would make the set again): the summary is the shrunk set
        child.kill('SIGTERM')
        await closed
        if (faulted) {
          await lab('restore', gone.toLowerCase())
          await lab('wait-converged', '30')
        }
      }
      assert.ok(shift !== null)
      for (const e of events) assert.deepEqual(schemaErrors('watch-event.schema.json', e), [], JSON.stringify(e))
      assert.equal(shift.from, ECMP_POPS.join('+'), JSON.stringify(events.filter((e) => e.type !== 'summary')))
      assert.equal(shift.to, kept)
      assert.ok(scrape !== null, `no scrape: ${err()}`)
      assert.deepEqual(siteInfo(scrape, ECMP), [`${kept} 1`], scrape)
      const summary = events.at(-1) as WatchSummaryEvent
      assert.equal(summary.type, 'summary', err())
      const vp = summary.vantagePoints.find((v) => v.vantageId === ECMP)!
      // stopped while IAD was still withdrawn (restored after the stop): the set is FRA, one shift
      assert.equal(vp.pop, kept)
      assert.equal(vp.loadBalanced, false)
      assert.deepEqual(events.filter((e) => e.type === 'shift').length, 1, JSON.stringify(events.filter((e) => e.type === 'shift')))
      console.log(`# ecmp shrink: ${shift.from} -> ${shift.to} at round ${shift.round} (gap ${shift.gapMs} ms, ${shift.lostProbes} lost); summary ${vp.pop}, ${vp.flips} flips`)
      return
    }
    assert.fail('4 attempts, never load-balanced')
  })
})
