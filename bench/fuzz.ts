// Mutation fuzzing of every reader of untrusted input (not part of `npm test`):
//   dns      the DNS decoder (engines/dns/packet.ts: decodeReply, readReply, identityStrings,
//            presentAnswer) and the Atlas answer presenter, then the DNS text renderer
//   headers  HTTP headers: the engine's collectHeaders, the /cdn-cgi/trace reader, the header PoP
//            rules (infer/headers.ts), then the HTTP text renderer
//   atlas    raw RIPE Atlas results (vantage/atlas/parse.ts), then the multi-vantage text renderer
//   saved    the saved-file reader (store/read.ts readSaved: NDJSON, arrays, documents) into the
//            catchment and its text
//   geohint  one input line of `anyprobe geohint` (record and the fields it prints)
//   watch    `watch --out` lines through readSaved, the watch replay and the event renderer
//
// Seeds are real: the Atlas fixtures and sagan results of this repository, the shared corpus
// (Atlas results, CDN headers, DNS identities, router names), real DNS replies from the corpus's
// abufs. Each input is one seed mutated 1-4 times (byte/char flips, cuts, splices of two seeds,
// duplicated runs, hostile values: huge or negative numbers, 2^53, deep nesting, control, bidi and
// zero-width characters, long strings, "__proto__"/"constructor" keys).
//
// Counted: crashes (a throw that is not an AnyprobeError), hangs (one input > 10 s: inputs run in
// worker threads, the main thread watches a shared clock and replaces a stuck worker), raw control
// characters in rendered text (C0 but tab/newline, DEL, C1, U+200B-200F, U+2028/2029, bidi, U+FEFF),
// the slowest input, and the peak RSS of the whole process (workers are threads of it).
//
//   node --import tsx bench/fuzz.ts [TOTAL=1000000] [WORKERS=2] [SEED=1]     (FUZZ_ONLY=dns,atlas: some targets)
// Exit 0 when there are no crashes, hangs or raw control characters and RSS stayed < 300 MB.
import {readFileSync, readdirSync, existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads'

const TARGETS = ['dns', 'headers', 'atlas', 'saved', 'geohint', 'watch'] as const
type Target = (typeof TARGETS)[number]
/** share of the inputs per target (the slower readers get fewer) */
const SHARE: Record<Target, number> = {dns: 0.3, headers: 0.2, atlas: 0.2, saved: 0.1, geohint: 0.1, watch: 0.1}
const HANG_MS = 10_000
const RSS_LIMIT = 300 << 20
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/

interface Job {
  target: Target
  from: number
  to: number
  seed: number
  /** shared: [0] = index being run (-1 idle), [1] = its start (ms, performance.now of the worker) */
  clock: SharedArrayBuffer
}
interface Report {
  target: Target
  inputs: number
  crashes: number
  raw: number
  maxMs: number
  samples: string[]
}

// ---------- seeds ----------

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const CORPUS = [fileURLToPath(new URL('../../shared/corpus/', import.meta.url)), '/work/shared/corpus/'].find((d) => existsSync(d)) ?? null

function json(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'))
}

function seeds(): Record<Target, string[]> {
  const atlas: unknown[] = []
  for (const f of readdirSync(ROOT + 'test/fixtures/atlas')) if (f.startsWith('results-') && f.endsWith('.json')) atlas.push(...(json(ROOT + 'test/fixtures/atlas/' + f) as unknown[]))
  for (const f of readdirSync(ROOT + 'test/fixtures/sagan')) if (f.endsWith('.json')) atlas.push(...(json(ROOT + 'test/fixtures/sagan/' + f) as {results: Array<{result: unknown}>}).results.map((r) => r.result))
  const headerLines: string[] = []
  const identities: string[] = []
  const hostnames: string[] = []
  if (CORPUS) {
    for (const f of readdirSync(CORPUS + 'atlas_results')) atlas.push(...(json(CORPUS + 'atlas_results/' + f) as {entries: Array<{input: unknown}>}).entries.map((e) => e.input))
    for (const e of (json(CORPUS + 'cdn_headers.json') as {entries: Array<{input: {headers?: Record<string, string>; body?: string}}>}).entries) {
      for (const [k, v] of Object.entries(e.input.headers ?? {})) headerLines.push(`${k}: ${v}`)
      if (typeof e.input.body === 'string') headerLines.push(e.input.body)
    }
    for (const e of (json(CORPUS + 'dns_identity.json') as {entries: Array<{input: {answer?: string}}>}).entries) if (e.input.answer) identities.push(e.input.answer)
    for (const e of (json(CORPUS + 'router_hostnames.json') as {entries: Array<{input: {hostname?: string}}>}).entries) if (e.input.hostname) hostnames.push(e.input.hostname)
  }
  const atlasText = atlas.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))
  // real DNS replies: the abufs of the Atlas DNS results
  const abufs: string[] = []
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return
    for (const [k, x] of Object.entries(v)) {
      if (k === 'abuf' && typeof x === 'string') abufs.push(Buffer.from(x, 'base64').toString('latin1'))
      else walk(x)
    }
  }
  atlas.forEach(walk)
  // a watch --out file: a start line and observations as the watch writes them
  const start = {schemaVersion: 1, kind: 'watch-start', at: '2026-01-01T00:00:00.000Z', target: '198.51.100.10', method: 'dns', intervalMs: 1000, flows: 2, flapThreshold: 3, flapWindowMs: 60000, outageAfter: 3, reorderRounds: 2}
  const obs = (vp: string, round: number, flow: number, pop: string | null): string =>
    JSON.stringify({vantageId: vp, round, flow, sentAt: 1767225600000 + round * 1000, receivedAt: pop ? 1767225600012 + round * 1000 : null, rttMs: pop ? 12.5 : null, pop, answered: pop !== null, ...(pop ? {} : {error: 'timeout'})})
  const watchFiles: string[] = []
  for (let k = 0; k < 4; k++) {
    const lines = [JSON.stringify(start)]
    for (let r = 0; r < 12; r++) for (let f = 0; f < 2; f++) lines.push(obs(`vp-${k}`, r, f, r > 5 && k % 2 ? 'AMS' : r === 3 ? null : 'FRA'))
    watchFiles.push(lines.join('\n') + '\n')
  }
  const savedFiles = [
    atlasText.slice(0, 12).join('\n') + '\n',
    `[${atlasText.slice(10, 20).join(',')}]`,
    readFileSync(ROOT + 'test/fixtures/atlas/results-truncated.txt', 'utf8'),
    JSON.stringify({schemaVersion: 1, kind: 'catchment', target: 'x', method: 'dns', vantagePoints: [], pops: [], summary: {}}),
  ]
  const strings = (xs: unknown[]): string[] => xs.filter((x): x is string => typeof x === 'string' && x !== '')
  return {
    dns: abufs,
    headers: headerLines.length > 0 ? strings(headerLines) : ['CF-RAY: 8c7f0a1b2c3d4e5f-FRA', 'X-Served-By: cache-ams21082-AMS'],
    atlas: strings(atlasText),
    saved: savedFiles,
    geohint: strings([...hostnames, ...identities, ...headerLines]),
    watch: watchFiles,
  }
}

// ---------- mutation ----------

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    // xorshift32
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s / 4294967296
  }
}

const HOSTILE = [
  '\u001b]0;pwned\u0007', '\u001b[2J', '\r', '\u0000', '\u009b31m', '\u202e', '\u2066', '\u200b', '\u2028', '\ufeff', '\u0085',
  '9007199254740992', '-1', '1e308', '-0', 'NaN', '""', 'null', 'true', '[]', '{}', '"__proto__"', '"constructor"', '"toString"',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[', ',', '\n', '\\u0000', '\\ud800', '"\\u001b[31m"', '"' + 'A'.repeat(5000) + '"',
]

function mutateText(s: string, r: () => number, other: () => string): string {
  const n = 1 + Math.floor(r() * 4)
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (s.length + 1))
    switch (Math.floor(r() * 11)) {
      case 0: // flip a character
        s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x100)) + s.slice(at + 1)
        break
      case 1: // insert a hostile token
        s = s.slice(0, at) + HOSTILE[Math.floor(r() * HOSTILE.length)] + s.slice(at)
        break
      case 2: // cut
        s = s.slice(0, at) + s.slice(at + Math.floor(r() * 64))
        break
      case 3: // truncate
        s = s.slice(0, at)
        break
      case 4: { // splice another seed in
        const o = other()
        const p = Math.floor(r() * o.length)
        s = s.slice(0, at) + o.slice(p, p + Math.floor(r() * 200)) + s.slice(at)
        break
      }
      case 5: { // duplicate a run
        const len = Math.floor(r() * 100)
        s = s.slice(0, at + len) + s.slice(at, at + len) + s.slice(at)
        break
      }
      case 6: { // replace a JSON number with a hostile one
        s = s.replace(/-?\d+(\.\d+)?/, () => ['9007199254740992', '-1', '0', '1e308', '4294967296', '-0.0', '"7"', '99999999999999999999'][Math.floor(r() * 8)]!)
        break
      }
      case 7: { // replace a JSON string with a hostile one
        let i = 0
        const target = Math.floor(r() * 20)
        s = s.replace(/"(?:[^"\\]|\\.)*"/g, (m) => (i++ === target ? JSON.stringify(HOSTILE[Math.floor(r() * HOSTILE.length)]) : m))
        break
      }
      case 8: // a deep value
        s = s.slice(0, at) + '['.repeat(1 + Math.floor(r() * 3000)) + s.slice(at)
        break
      case 9: // raw control characters inside a string
        s = s.replace(/":"/, `":"\u001b[31m\u0007\u202e`)
        break
      default: // a long string
        s = s.slice(0, at) + 'x'.repeat(Math.floor(r() * 20000)) + s.slice(at)
    }
  }
  return s
}

// ---------- the worker: run inputs ----------

async function runWorker(job: Job): Promise<void> {
  const {AnyprobeError} = await import('../src/model/errors.js')
  const pkt = await import('../src/engines/dns/packet.js')
  const {presentAtlasAnswer, parseAtlasResult} = await import('../src/vantage/atlas/parse.js')
  const {collectHeaders} = await import('../src/engines/http/request.js')
  const {parseCfTrace} = await import('../src/engines/http/probe.js')
  const {parseHeaders} = await import('../src/infer/headers.js')
  const {renderResult} = await import('../src/render/index.js')
  const {renderOutcome} = await import('../src/console/multi-run.js')
  const {readSaved, newStats} = await import('../src/store/read.js')
  const {CatchmentBuilder} = await import('../src/analysis/catchment.js')
  const {renderCatchment} = await import('../src/render/catchment.js')
  const {WatchReplay} = await import('../src/analysis/watch/index.js')
  const {renderWatchStart} = await import('../src/render/watch.js')
  const {renderLiveEvent} = await import('../src/render/expect.js')
  const {geohintRecord} = await import('../src/commands/geohint.js')
  const {loadAtlasModule} = await import('../src/vantage/index.js')
  const {identityOf} = await import('../src/engines/dns/probe.js')

  const all = seeds()
  const pool = all[job.target]
  const r = rng(job.seed * 7919 + job.from)
  const other = (): string => {
    const t = TARGETS[Math.floor(r() * TARGETS.length)]!
    const p = all[t]
    return p[Math.floor(r() * p.length)] ?? ''
  }
  // a real DNS result to carry fuzzed replies into the renderer
  const dnsBase = parseAtlasResult(all.atlas.find((a) => a.includes('"abuf"') && a.includes('"type":"dns"')) ?? '{}').outcomes[0]?.result
  const httpBase = parseAtlasResult(all.atlas.find((a) => a.includes('"type":"http"') && a.includes('"res":200')) ?? '{}').outcomes[0]?.result
  const clock = new Float64Array(job.clock)
  const rep: Report = {target: job.target, inputs: 0, crashes: 0, raw: 0, maxMs: 0, samples: []}
  const out: string[] = []
  const note = (kind: string, input: string, e?: unknown): void => {
    if (rep.samples.length < 5) rep.samples.push(`${kind}: ${e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 200) : ''} input ${JSON.stringify(input.slice(0, 300))}`)
  }

  const one = async (input: string): Promise<void> => {
    out.length = 0
    switch (job.target) {
      case 'dns': {
        const buf = Buffer.from(input, 'latin1')
        const d = pkt.decodeReply(buf)
        if (d === null) return
        // what is kept (and shown) of a reply: readReply's sanitised answers and NSID, the identity
        // strings read from them; presentAnswer itself is documented unsanitised (callers sanitise)
        const reply = pkt.readReply(d, buf)
        out.push(...pkt.identityStrings(reply), ...reply.answers)
        const answers = (d.answers ?? []).map((a) => presentAtlasAnswer(a))
        if (dnsBase && dnsBase.kind === 'dns') {
          const q = {...dnsBase.queries[0]!, answers: answers.map((a) => a), rcode: reply.rcode, nsid: reply.nsid}
          // the Atlas parser sanitises answers before they are kept; the renderer must cope either way
          const {sanitize} = await import('../src/util/sanitize.js')
          q.answers = answers.map((a) => sanitize(a))
          out.push(renderResult({...dnsBase, queries: [q], identity: identityOf([q])}))
        }
        return
      }
      case 'headers': {
        const raw: string[] = []
        for (const line of input.split('\n')) {
          const c = line.indexOf(':')
          if (c > 0) raw.push(line.slice(0, c), line.slice(c + 1).trim())
        }
        const headers = collectHeaders(raw)
        const cf = parseCfTrace(input)
        const readings = parseHeaders(headers)
        out.push(JSON.stringify(readings).length > 0 ? '' : '', ...Object.values(cf).slice(0, 5))
        if (httpBase && httpBase.kind === 'http') out.push(renderResult({...httpBase, headers}))
        return
      }
      case 'atlas': {
        const p = parseAtlasResult(input)
        for (const o of p.outcomes) out.push(renderOutcome(o))
        return
      }
      case 'saved':
      case 'watch': {
        const stats = newStats()
        const b = new CatchmentBuilder()
        const replay = new WatchReplay()
        async function* src(): AsyncGenerator<string> {
          for (let i = 0; i < input.length; i += 8192) yield input.slice(i, i + 8192)
        }
        for await (const item of readSaved(src(), stats, {loadAtlas: loadAtlasModule})) {
          if (item.type === 'outcome') b.add(item.outcome)
          else if (item.type === 'row') b.addRow(item.row)
          else if (item.type === 'watch-start') {
            out.push(renderWatchStart(item.start))
            for (const e of replay.start(item.start)) out.push(renderLiveEvent(e))
          } else if (item.type === 'observation') {
            try {
              for (const e of replay.push(item.observation)) out.push(renderLiveEvent(e))
            } catch (e) {
              if (!(e instanceof AnyprobeError)) throw e
            }
          }
        }
        for (const e of replay.finish()) out.push(renderLiveEvent(e))
        if (b.size > 0) out.push(renderCatchment(b.result()))
        for (const e of stats.errors) out.push(e.message)
        return
      }
      case 'geohint': {
        const rec = geohintRecord(input.split('\n')[0]!.slice(0, 8192), 'auto')
        out.push(rec.input, rec.pop?.code ?? '', rec.pop?.city ?? '', ...rec.evidence.map((e) => JSON.stringify(e).length > 0 ? ((e as {input?: string}).input ?? '') : ''))
        return
      }
    }
  }

  for (let i = job.from; i < job.to; i++) {
    const seed = pool[Math.floor(r() * pool.length)] ?? ''
    const input = mutateText(seed, r, other)
    clock[0] = i
    const t0 = performance.now()
    clock[1] = t0
    try {
      await one(input)
    } catch (e) {
      if (!(e instanceof AnyprobeError)) {
        rep.crashes++
        note('crash', input, e)
      }
    }
    const ms = performance.now() - t0
    if (ms > rep.maxMs) rep.maxMs = ms
    for (const s of out) {
      if (RAW.test(s)) {
        rep.raw++
        note(`raw control character in ${JSON.stringify(s.match(RAW)?.[0])}`, input)
        break
      }
    }
    rep.inputs++
    if (rep.inputs % 2000 === 0) parentPort!.postMessage({progress: rep.inputs})
  }
  clock[0] = -1
  parentPort!.postMessage({done: rep})
}

// ---------- the main thread: share out, watch, count ----------

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 1_000_000)
  const workers = Math.max(1, Number(process.argv[3] ?? 2))
  const seed = Number(process.argv[4] ?? 1)
  const s = seeds()
  console.log(`seeds: ${TARGETS.map((t) => `${t} ${s[t].length}`).join(', ')}${CORPUS ? '' : ' (no shared corpus found)'}`)
  // jobs of at most 20 000 inputs, so a replaced worker loses little and the load spreads
  const jobs: Array<Omit<Job, 'clock'>> = []
  // FUZZ_ONLY=geohint,watch: only those targets, with the whole TOTAL shared between them
  const only = (process.env.FUZZ_ONLY ?? '').split(',').filter((t): t is Target => (TARGETS as readonly string[]).includes(t))
  const share = (t: Target): number => (only.length === 0 ? SHARE[t] : only.includes(t) ? 1 / only.length : 0)
  for (const t of TARGETS) {
    const n = Math.round(total * share(t))
    for (let from = 0; from < n; from += 50_000) jobs.push({target: t, from, to: Math.min(n, from + 50_000), seed})
  }
  const reports = new Map<Target, Report>(TARGETS.map((t) => [t, {target: t, inputs: 0, crashes: 0, raw: 0, maxMs: 0, samples: []}]))
  const hangs: string[] = []
  let peakRss = 0
  let done = 0
  const t0 = Date.now()
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }, 100)

  const runJob = (job: Omit<Job, 'clock'>): Promise<void> =>
    new Promise((resolve) => {
      const clock = new SharedArrayBuffer(16)
      const view = new Float64Array(clock)
      view[0] = -1
      const w = new Worker(fileURLToPath(new URL('./fuzz-worker.mjs', import.meta.url)), {workerData: {...job, clock}, resourceLimits: {maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 8}})
      const watchdog = setInterval(() => {
        // the worker's performance.now() has its own origin: compare with the main thread's via the
        // time the job has been running is not enough, so the worker's clock is read as elapsed since
        // its last input started, measured by how long the index has not moved
        const idx = view[0]!
        if (idx < 0) return
        if (idx === last.idx) {
          if (Date.now() - last.since > HANG_MS) {
            hangs.push(`${job.target} input ${idx} ran over ${HANG_MS / 1000} s`)
            clearInterval(watchdog)
            void w.terminate()
            // the rest of the job after the stuck input
            void runJob({...job, from: idx + 1}).then(resolve)
          }
        } else {
          last.idx = idx
          last.since = Date.now()
        }
      }, 500)
      const last = {idx: -2, since: Date.now()}
      w.on('message', (m: {progress?: number; done?: Report}) => {
        if (m.done) {
          const r = reports.get(m.done.target)!
          r.inputs += m.done.inputs
          r.crashes += m.done.crashes
          r.raw += m.done.raw
          r.maxMs = Math.max(r.maxMs, m.done.maxMs)
          r.samples.push(...m.done.samples.slice(0, 5 - r.samples.length))
          done += m.done.inputs
          clearInterval(watchdog)
          process.stderr.write(`\r${done} / ${total} inputs, ${Math.round((Date.now() - t0) / 1000)} s, peak RSS ${Math.round(peakRss / 2 ** 20)} MB   `)
        }
      })
      w.on('error', (e) => {
        clearInterval(watchdog)
        const r = reports.get(job.target)!
        r.crashes++
        r.samples.push(`worker died: ${String(e).slice(0, 200)}`)
        resolve()
      })
      w.on('exit', () => {
        clearInterval(watchdog)
        resolve()
      })
    })

  const queue = [...jobs]
  await Promise.all(
    Array.from({length: workers}, async () => {
      for (let j = queue.shift(); j !== undefined; j = queue.shift()) await runJob(j)
    }),
  )
  clearInterval(sampler)
  process.stderr.write('\n')
  let crashes = 0
  let raw = 0
  let maxMs = 0
  let inputs = 0
  for (const r of reports.values()) {
    console.log(`${r.target.padEnd(8)} ${String(r.inputs).padStart(8)} inputs  ${r.crashes} crashes  ${r.raw} raw control characters  slowest ${r.maxMs.toFixed(1)} ms`)
    for (const x of r.samples) console.log(`         ${x}`)
    crashes += r.crashes
    raw += r.raw
    maxMs = Math.max(maxMs, r.maxMs)
    inputs += r.inputs
  }
  for (const h of hangs) console.log(`hang: ${h}`)
  console.log(`total: ${inputs} inputs in ${Math.round((Date.now() - t0) / 1000)} s, ${crashes} crashes, ${hangs.length} hangs over ${HANG_MS / 1000} s, ${raw} raw control characters, slowest input ${maxMs.toFixed(1)} ms, peak RSS ${Math.round(peakRss / 2 ** 20)} MB (limit ${RSS_LIMIT >> 20} MB)`)
  process.exitCode = crashes === 0 && hangs.length === 0 && raw === 0 && peakRss < RSS_LIMIT ? 0 : 1
}

if (isMainThread) await main()
else await runWorker(workerData as Job)
