// The Atlas parser against every entry of the shared corpus (/work/shared/corpus/atlas_results):
// each entry's sagan-named checks are mapped onto anyprobe's model and asserted. A check the model
// has no field for (packet size, raw abuf, header counts, ...) is listed as unmapped with the
// reason, and the test fails if a check matches no rule at all, so nothing is skipped silently.
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import type {DnsResult} from '../../src/model/dns.js'
import type {HttpResult} from '../../src/model/http.js'
import type {PingResult} from '../../src/model/ping.js'
import type {TraceResult} from '../../src/model/trace.js'
import {sanitize} from '../../src/util/sanitize.js'
import {
  type AtlasParsed,
  countParsed,
  emptyParseStats,
  escapeControlCharsInStrings,
  parseAtlasResult,
  parseAtlasResults,
  probeMetaFromApi,
  readAtlasResultsText,
} from '../../src/vantage/atlas/parse.js'
import {schemaErrors} from '../helpers/schema.js'
import {fixture} from '../helpers/atlas-replay.js'
import {corpusPath} from '../helpers/shared.js'

const DIR = corpusPath('atlas_results/')
const skip = existsSync(DIR) ? false : `corpus directory ${DIR} not found`

interface Check {
  expr: string
  op?: string
  value?: unknown
  value_expr?: string
  raises?: string[]
  context?: string
}
interface Entry {
  id: string
  input: unknown
  expected: {checks?: Check[]; [k: string]: unknown}
}

function load(file: string): Entry[] {
  return (JSON.parse(readFileSync(DIR + file, 'utf8')) as {entries: Entry[]}).entries
}

type Mapped = {ok: true; value: unknown} | {ok: false; why: string}
const unmapped = (why: string): Mapped => ({ok: false, why})
const v = (value: unknown): Mapped => ({ok: true, value})

const isoOf = (s: unknown): string => new Date(Date.parse(String(s))).toISOString()
const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : Math.round(((s[m - 1]! + s[m]!) / 2) * 1000) / 1000
}
const undot = (s: string): string => s.replace(/\.(?=\s|$)/g, '')

/** sagan's DNS text escapes (\DDD decimal, \\ and \") -> the bytes, then the model's sanitising. */
function saganText(s: string): string {
  const raw = s.replace(/\\(\d{3})|\\(.)/g, (_, d: string | undefined, c: string | undefined) => (d ? String.fromCharCode(Number(d)) : c!))
  return sanitize(raw)
}

const UNREACH_NAMES: Record<string, string> = {
  '3/0': 'Network unreachable',
  '3/1': 'Destination unreachable',
  '3/13': 'Administratively prohibited',
  '3/2': 'Protocol unreachable',
  '1/0': 'Network unreachable',
  '1/3': 'Destination unreachable',
  '1/1': 'Administratively prohibited',
  '4/1': 'Protocol unreachable',
}

/** Common fields: what the result says about itself (AtlasParsed.meta). */
function common(expr: string, p: AtlasParsed): Mapped | null {
  const m = p.meta
  switch (expr) {
    case 'af':
      return v(m.af)
    case 'destination_address':
      return v(m.dstAddr)
    case 'destination_name':
      return v(m.dstName)
    case 'source_address':
      return v(m.srcAddr)
    case 'origin':
      return v(m.origin)
    case 'firmware':
      return v(m.firmware)
    case 'measurement_id':
      return v(m.msmId)
    case 'probe_id':
      assert.equal(p.outcomes[0]!.vantage.id, `atlas:${m.probeId}`)
      return v(m.probeId)
    case 'created.isoformat()':
      return v(m.createdAt)
    case 'end_time.isoformat()':
      return v(m.endTime)
    case 'end_time_timestamp':
      return v(m.endTime === null ? null : Date.parse(m.endTime) / 1000)
    case 'seconds_since_sync':
      return v(m.lts)
    case 'is_malformed':
      return v(p.status === 'malformed')
    default:
      return null
  }
}

function traceCheck(expr: string, p: AtlasParsed): Mapped {
  const c = common(expr, p)
  if (c) return c
  const outcome = p.outcomes[0]!
  const t = outcome.result as TraceResult | null
  if (expr === 'is_success') return v(t !== null && t.stopReason === 'completed')
  if (t === null) return unmapped('no trace result (probe error)')
  const hops = t.hops
  const hopAt = (i: string): (typeof hops)[number] => hops.at(Number(i))!
  let g: RegExpExecArray | null
  switch (expr) {
    case 'paris_id':
      return v(t.flowId)
    case 'protocol':
      return v(t.protocol.toUpperCase())
    case 'total_hops':
      return v(hops.length)
    case 'last_median_rtt':
    case 'last_rtt': {
      for (let i = hops.length - 1; i >= 0; i--) {
        const rtts = hops[i]!.rttMs.filter((x): x is number => x !== null)
        if (rtts.length > 0) return v(median(rtts))
      }
      return v(null)
    }
    case 'destination_ip_responded':
      return v(t.destinationReached)
    case 'last_hop_responded':
      return v(hops.at(-1)!.rttMs.some((x) => x !== null))
    case 'last_hop_errors':
      return v(hops.at(-1)!.replies.filter((r) => r.icmpType !== null && UNREACH_NAMES[`${r.icmpType}/${r.icmpCode}`]).map((r) => UNREACH_NAMES[`${r.icmpType}/${r.icmpCode}`]))
  }
  if ((g = /^ip_path\[(\d+)\]\[(\d+)\]$/.exec(expr))) return v(hopAt(g[1]!).replies[Number(g[2])]!.addr)
  if ((g = /^hops\[(-?\d+)\]\.index$/.exec(expr))) return v(hopAt(g[1]!).ttl)
  if ((g = /^len\(hops\[(\d+)\]\.packets\)$/.exec(expr))) return v(hopAt(g[1]!).replies.length)
  if ((g = /^hops\[(-?\d+)\]\.packets\[(\d+)\]\.(\w+)/.exec(expr))) {
    const hop = hopAt(g[1]!)
    const j = Number(g[2])
    const reply = hop.replies[j]!
    switch (g[3]) {
      case 'origin':
        return v(reply.addr)
      case 'rtt':
        assert.equal(hop.rttMs[j], reply.rttMs)
        return v(reply.rttMs)
      case 'ttl':
        return v(reply.replyTtl)
      default:
        return unmapped(`packet ${g[3]} (size, MTU, option sizes, internal TTL, ICMP extensions) is not in the trace model`)
    }
  }
  return unmapped('no rule')
}

function dnsCheck(expr: string, p: AtlasParsed, answerTypes: Map<number, string>): Mapped {
  const c = common(expr, p)
  if (c) return c
  let g: RegExpExecArray | null
  // one outcome per Atlas result; a resultset's entries are its queries, each with its server
  if (expr === 'len(responses)') return v((p.outcomes[0]!.result as DnsResult | null)?.queries.length ?? p.outcomes.length)
  if (expr === 'is_error') return v(p.outcomes.some((o) => o.error !== null))
  if (expr === 'str(e)') return v(/Timeout: 5000/.test(p.outcomes[0]!.error?.message ?? '') ? 'Timeout: 5000' : p.outcomes[0]!.error?.message)
  if (!(g = /^(?:str\(|bool\(|len\()?responses\[(\d+)\]\.?(.*?)\)?$/.exec(expr))) return unmapped('no rule')
  const wrap = /^(str|bool|len)\(/.exec(expr)?.[1] ?? null
  const r = p.outcomes[0]!.result as DnsResult
  const q = r.queries[Number(g[1])]!
  const server = q.server ?? r.targetAddr
  const path = g[2]!
  if (wrap === 'bool' && path === 'abuf') return v(q.rcode !== null)
  if (wrap === 'bool' && path === 'is_error') return v(q.rcode !== 'NOERROR')
  switch (path) {
    case 'af':
      return v(server.includes(':') ? 6 : 4)
    case 'destination_address':
      return v(server)
    case 'protocol':
      return v(r.transport.toUpperCase())
    case 'response_time':
      return v(q.rttMs)
    case 'abuf.header.aa':
      return v(q.aa)
    case 'abuf.header.tc':
      return v(q.truncated)
    case 'abuf.header.return_code':
      return v(q.rcode)
    case 'abuf.questions[0].klass':
      return v(q.qclass)
    case 'abuf.questions[0].type':
      return v(q.qtype)
    case 'abuf.questions[0].name':
      return v(`${q.qname}.`)
    case 'abuf.edns0.options[0].nsid':
      assert.equal(r.identity.nsid?.text, q.nsid?.text)
      return v(q.nsid?.text)
    case 'abuf.edns0.options[0].code':
      return v(q.nsid === null ? null : 3)
    case 'abuf.edns0.options[0].name':
      return v(q.nsid === null ? null : 'NSID')
    case 'abuf.edns0.options[0].length':
      return v(q.nsid === null ? null : q.nsid.hex.length / 2)
    case 'source_address':
    case 'response_size':
    case 'abuf':
      return unmapped('raw buffer, source address and size are not in the DNS model')
  }
  if (path.startsWith('abuf.header.') || path.startsWith('abuf.edns0')) return unmapped('header flags/counts and EDNS parameters other than NSID are not in the model')
  const a = /^abuf\.answers(?:\[(\d+)\])?(?:\.(\w+))?(?:\[(\d+)\])?$/.exec(path)
  if (!a) return unmapped('no rule')
  // the reply's answers: those answering the question, then the records that do not (otherRecords,
  // e.g. PowerDNS Recursor's version.bind in class IN), their owner/class/type head dropped
  const raw = [...q.answers, ...(q.otherRecords ?? []).map((r) => r.replace(/^\S+ \S+ \S+ /, ''))]
  if (a[1] === undefined) return wrap === 'len' ? v(raw.length) : unmapped('no rule')
  const k = Number(a[1])
  const field = a[2]
  const ans = raw[k]!
  if (field === undefined && wrap === 'str') return {ok: true, value: ans}
  const parts = ans.split(' ')
  const type = answerTypes.get(k)
  switch (field) {
    case 'address':
      return v(ans)
    case 'target':
      return v(`${parts.at(-1)}.`)
    case 'mail_exchanger':
      return v(`${parts[1]}.`)
    case 'preference':
    case 'priority':
      return v(Number(parts[0]))
    case 'weight':
      return v(Number(parts[1]))
    case 'port':
      return v(Number(parts[2]))
    case 'data':
      // the model keeps a TXT record's strings concatenated, so their count is not there
      return wrap === 'len' ? unmapped('TXT character-strings are concatenated in the model') : v(ans)
    case 'flags':
    case 'tag':
    case 'certificate_usage':
      return v(Number(parts[0]))
    case 'protocol':
    case 'selector':
      return v(Number(parts[1]))
    case 'algorithm':
      return v(Number(parts[type === 'DS' ? 1 : 2]))
    case 'digest_type':
    case 'matching_type':
      return v(Number(parts[2]))
    case 'key':
    case 'delegation_key':
    case 'certificate_associated_data':
      return v(parts[3])
    case 'rdata':
      return v(parts.at(-1))
    default:
      return unmapped(`answer ${field} (owner, TTL, class, type, length) is not in the model: answers keep the record data only`)
  }
}

/** Bring a sagan expectation to the model's form where the representation differs. */
function expectedFor(expr: string, value: unknown, answerTypes: Map<number, string>): unknown {
  if (/isoformat\(\)$/.test(expr) && value !== null) return isoOf(value)
  if (/^str\(responses\[\d+\]\.abuf\.answers\[\d+\]\)$/.test(expr)) {
    // "name.  ttl  class  type  rdata..." -> the rdata, names without their final dots
    const f = String(value).trim().split(/\s+/)
    return undot(f.slice(4).join(' '))
  }
  if (/\.answers\[(\d+)\]\.data$/.test(expr) && Array.isArray(value)) return (value as string[]).map(saganText).join('')
  if (/\.answers\[(\d+)\]\.data\[0\]$/.test(expr)) return saganText(String(value))
  if (/\.answers\[(\d+)\]\.rdata$/.test(expr)) return String(value)
  void answerTypes
  return value
}

function httpCheck(expr: string, p: AtlasParsed, raw: Record<string, unknown>): Mapped {
  const c = common(expr, p)
  if (c) return c
  if (expr === 'len(responses)') return v(p.outcomes.length)
  const first = p.outcomes[0]?.result as HttpResult | null
  if (expr === 'uri') {
    if (raw.uri !== undefined || first === null) return v(first?.target ?? null)
    // the oldest results name no URL: the model's target is then built from the address fetched
    assert.equal(first.target, `http://${first.targetAddr}/`)
    return v(null)
  }
  if (expr === 'method') return v(first?.method)
  const g = /^responses\[(\d+)\]\.(\w+)$/.exec(expr)
  if (!g) return unmapped('no rule')
  const r = p.outcomes[Number(g[1])]!.result as HttpResult
  switch (g[2]) {
    case 'body_size':
      return v(r.bodyBytes)
    case 'destination_address':
      return v(r.targetAddr)
    case 'code':
      return v(r.status)
    case 'response_time':
      return v(r.timings.totalMs)
    case 'version':
      return v(r.httpVersion)
    default:
      return unmapped(`http ${g[2]} (address family, header size, source address) is not in the HTTP model`)
  }
}

function pingCheck(expr: string, p: AtlasParsed, raw: Record<string, unknown>): Mapped {
  const c = common(expr, p)
  if (c) return c
  const r = p.outcomes[0]!.result as PingResult
  const packets = raw.result as Array<Record<string, unknown>>
  let g: RegExpExecArray | null
  switch (expr) {
    case 'rtt_average':
      return v(r.avgMs)
    case 'rtt_min':
      return v(r.minMs)
    case 'rtt_max':
      return v(r.maxMs)
    case 'rtt_median':
      return v(median(r.rttMs.filter((x): x is number => x !== null)))
    case 'packets_received':
      return v(r.received)
    case 'packets_sent':
      return v(r.sent)
  }
  if (expr === 'destination_address') return v(r.targetAddr)
  if ((g = /^packets\[(\d+)\]\.(\w+)$/.exec(expr))) {
    const k = Number(g[1])
    const isDup = packets[k]!.dup !== undefined
    if (g[2] === 'dup') {
      // duplicates are not RTTs of a packet sent: rttMs has one entry per non-duplicate reply
      assert.equal(r.rttMs.length, packets.filter((x) => x.dup === undefined).length)
      return unmapped('duplicates are left out of rttMs (checked: one entry per non-duplicate reply)')
    }
    if (g[2] === 'rtt') {
      if (isDup) return unmapped('a duplicate reply is not in rttMs')
      const idx = packets.slice(0, k).filter((x) => x.dup === undefined).length
      return v(r.rttMs[idx])
    }
    return unmapped(`ping packet ${g[2]} (TTL, source address) is not in the ping model`)
  }
  return unmapped('duplicates count, protocol, packet size and step are not in the ping model')
}

function answerTypesOf(checks: Check[]): Map<number, string> {
  const m = new Map<number, string>()
  for (const c of checks) {
    const g = /^responses\[0\]\.abuf\.answers\[(\d+)\]\.type$/.exec(c.expr)
    if (g) m.set(Number(g[1]), String(c.value))
  }
  return m
}

interface Tally {
  mapped: number
  unmapped: Map<string, number>
}

function runChecks(entry: Entry, p: AtlasParsed, map: (expr: string) => Mapped, tally: Tally, answerTypes = new Map<number, string>()): void {
  for (const c of entry.expected.checks ?? []) {
    if (c.raises) {
      // sagan raises on a strict parse; anyprobe keeps the result and says why in the outcome
      const err = p.outcomes[0]!.error
      assert.ok(err !== null, `${entry.id}: ${c.expr} should leave an error`)
      assert.equal(err.code, c.raises.includes('ResultParseError') ? 'E_BAD_INPUT' : 'E_TIMEOUT', `${entry.id}: ${c.expr}`)
      tally.mapped++
      continue
    }
    if (c.value_expr !== undefined && c.value_expr !== 'result.origin') {
      tally.unmapped.set('value computed by Python', (tally.unmapped.get('value computed by Python') ?? 0) + 1)
      continue
    }
    const expr = c.expr.replace(/^not /, '')
    const got = map(expr)
    if (!got.ok) {
      assert.notEqual(got.why, 'no rule', `${entry.id}: no mapping rule for "${c.expr}"`)
      tally.unmapped.set(got.why, (tally.unmapped.get(got.why) ?? 0) + 1)
      continue
    }
    tally.mapped++
    let want: unknown = c.value_expr === 'result.origin' ? p.meta.origin : expectedFor(expr, c.value, answerTypes)
    let value = got.value
    if (c.op === undefined) {
      // a bare truth check: "x" or "not x"
      want = !c.expr.startsWith('not ')
      value = Boolean(value)
    }
    if (c.op === 'is not') assert.notEqual(value, want, `${entry.id}: ${c.expr}`)
    else assert.deepEqual(value, want, `${entry.id}: ${c.expr} ${c.op ?? ''} ${JSON.stringify(c.value)}`)
  }
}

const schemaOf: Record<string, string> = {trace: 'trace.schema.json', dns: 'dns.schema.json', http: 'http.schema.json'}

function validSchemas(entry: Entry, p: AtlasParsed): void {
  for (const o of p.outcomes) {
    if (o.result === null) continue
    const schema = schemaOf[o.result.kind]
    if (schema) assert.deepEqual(schemaErrors(schema, o.result), [], `${entry.id}: ${o.result.kind} result fails ${schema}`)
  }
}

describe('Atlas parser over the shared corpus (every entry, sagan checks mapped to the model)', {skip}, () => {
  const report = (name: string, t: Tally): void => {
    const un = [...t.unmapped.values()].reduce((a, b) => a + b, 0)
    console.log(`# ${name}: ${t.mapped} checks asserted, ${un} not in the model: ${[...t.unmapped].map(([k, n]) => `${n} ${k}`).join("; ")}`)
  }

  it('traceroute: hops, late packets excluded, timeouts as null, errors kept, destination and stop reason', () => {
    const tally: Tally = {mapped: 0, unmapped: new Map()}
    const entries = load('traceroute.json')
    assert.equal(entries.length, 11)
    for (const e of entries) {
      const p = parseAtlasResult(e.input)
      validSchemas(e, p)
      if (e.expected.checks) runChecks(e, p, (x) => traceCheck(x, p), tally)
      else {
        const t = p.outcomes[0]!.result as TraceResult
        assert.equal(t.destinationReached, e.expected.destination_reached, e.id)
        assert.equal(t.stopReason, e.expected.status_word_in_renderer, e.id)
        assert.equal(t.vantage.id, `atlas:${e.expected.prb_id}`)
        tally.mapped += 3
      }
    }
    report('traceroute', tally)
    assert.ok(tally.mapped >= 110, `only ${tally.mapped} traceroute checks mapped`)
  })

  it('traceroute specifics: late replies are not RTTs, rtt is never 0, addrs per hop, probe error kept', () => {
    const byId = new Map(load('traceroute.json').map((e) => [e.id, e]))
    const late = parseAtlasResult(byId.get('sagan-traceroute-019')!.input).outcomes[0]!.result as TraceResult
    assert.equal(late.hops[1]!.replies.length, 3)
    assert.deepEqual(late.hops[1]!.rttMs, [null, null, null])
    assert.equal(late.hops[1]!.addr, null)
    assert.equal(late.destinationReached, false)
    assert.equal(late.stopReason, 'gap-limit')
    assert.equal(late.hops.at(-1)!.ttl, 255)
    for (const e of byId.values()) {
      const t = parseAtlasResult(e.input).outcomes[0]!.result as TraceResult | null
      for (const h of t?.hops ?? []) {
        for (const r of h.rttMs) assert.ok(r === null || r > 0)
        assert.deepEqual(h.addrs, [...new Set(h.replies.map((r) => r.addr).filter((a) => a !== null))])
      }
    }
    const reached = parseAtlasResult(byId.get('sagan-traceroute-011')!.input).outcomes[0]!.result as TraceResult
    assert.equal(reached.stopReason, 'completed')
    assert.equal(reached.flowId, 15)
    assert.deepEqual([reached.hops.at(-1)!.replies[0]!.icmpType, reached.hops.at(-1)!.replies[0]!.icmpCode], [3, 3]) // UDP: port unreachable from the target
    assert.deepEqual([reached.hops[0]!.replies[0]!.icmpType, reached.hops[0]!.replies[0]!.icmpCode], [11, 0])
    const unreach = parseAtlasResult(byId.get('sagan-traceroute-020')!.input).outcomes[0]!.result as TraceResult
    assert.equal(unreach.stopReason, 'unreachable')
    assert.equal(unreach.family, 6)
    const err = parseAtlasResult(byId.get('sagan-traceroute-022')!.input)
    assert.equal(err.status, 'probe-error')
    assert.equal(err.outcomes[0]!.result, null)
    assert.equal(err.outcomes[0]!.error!.code, 'E_RESOLVE')
    assert.match(err.outcomes[0]!.error!.message, /probe 22586 reported: name resolution failed/)
  })

  it('dns: abuf decoded (NSID, CHAOS TXT, DNSSEC records, unknown types), resultset entries, timeouts', () => {
    const tally: Tally = {mapped: 0, unmapped: new Map()}
    const entries = load('dns.json')
    assert.equal(entries.length, 23)
    for (const e of entries) {
      const p = parseAtlasResult(e.input)
      assert.equal(p.status === 'ok' || p.status === 'probe-error', true, `${e.id}: ${p.status} ${p.reason}`)
      validSchemas(e, p)
      if (e.expected.checks) {
        const types = answerTypesOf(e.expected.checks)
        runChecks(e, p, (x) => dnsCheck(x, p, types), tally, types)
      } else {
        // ripe-atlas-tools renders one line per resultset entry: rcode, flags, answers
        const lines = e.expected.rendered_lines as string[]
        assert.equal(p.outcomes.length, 1, `${e.id}: one observation per result`)
        assert.equal((p.outcomes[0]!.result as DnsResult).queries.length, lines.length)
        lines.forEach((line, i) => {
          const q = (p.outcomes[0]!.result as DnsResult).queries[i]!
          const rcode = /\d\d:\d\d:\d\d (\w+)/.exec(line)![1]
          assert.equal(q.rcode, rcode, `${e.id} line ${i}`)
          const answers = [...line.matchAll(/ A ([0-9.]+)/g)].map((m) => m[1])
          assert.deepEqual(q.answers, answers, `${e.id} line ${i}`)
          tally.mapped += 2
        })
      }
    }
    report('dns', tally)
    assert.ok(tally.mapped >= 105, `only ${tally.mapped} dns checks mapped`)
  })

  it('dns identity: CHAOS hostname.bind and NSID land in identity (the engine decoding, reused)', () => {
    const byId = new Map(load('dns.json').map((e) => [e.id, e]))
    const chaos = parseAtlasResult(byId.get('sagan-dns-046')!.input).outcomes[0]!.result as DnsResult
    assert.equal(chaos.identity.hostnameBind, 'ns1.fi-hel.k.ripe.net')
    assert.equal(chaos.queries[0]!.qclass, 'CH')
    const nsid = parseAtlasResult(byId.get('sagan-dns-008')!.input).outcomes[0]!.result as DnsResult
    assert.deepEqual(nsid.identity.nsid, {text: 'k3.ams-ix.k.ripe.net', hex: Buffer.from('k3.ams-ix.k.ripe.net').toString('hex')})
    assert.equal(nsid.queries[0]!.nsidRequested, true)
    const timeout = parseAtlasResult(byId.get('sagan-dns-009')!.input).outcomes[0]!
    assert.equal((timeout.result as DnsResult).answered, false)
    assert.equal((timeout.result as DnsResult).queries[0]!.error, 'timeout')
    assert.equal(timeout.error!.code, 'E_TIMEOUT')
    // a resultset is one observation of the probe: the third resolver's timeout does not hide the two answers
    const set = parseAtlasResult(byId.get('sagan-dns-017')!.input)
    assert.equal(set.outcomes.length, 1)
    const one = set.outcomes[0]!.result as DnsResult
    assert.equal(one.answered, true)
    assert.deepEqual(
      one.queries.map((q) => [q.server, q.rttMs, q.error]),
      [
        ['208.70.244.7', 198.454, null],
        ['208.70.245.7', 127.644, null],
        ['2001:4860:4860::8888', null, 'timeout'],
      ],
    )
    assert.equal(one.targetAddr, '208.70.245.7') // the fastest answer's server
    assert.equal(set.outcomes[0]!.error!.code, 'E_TIMEOUT')
    assert.match(set.outcomes[0]!.error!.message, /1 of 3 resolver\(s\) did not answer \(2001:4860:4860::8888: timeout\)/)
  })

  it('http: responses mapped, legacy firmware counted as malformed', () => {
    const tally: Tally = {mapped: 0, unmapped: new Map()}
    for (const e of load('http.json')) {
      const p = parseAtlasResult(e.input)
      validSchemas(e, p)
      if (e.expected.checks) runChecks(e, p, (x) => httpCheck(x, p, e.input as Record<string, unknown>), tally)
      else if (e.expected.responses) {
        const want = (e.expected.responses as Array<Record<string, unknown>>)[0]!
        const r = p.outcomes[0]!.result as HttpResult
        assert.deepEqual(
          [r.method, r.target, r.targetAddr, r.status, r.timings.totalMs, r.httpVersion, r.bodyBytes],
          [want.method, want.uri, want.dst_addr, want.status, Math.round(Number(want.time_taken_ms) * 1000) / 1000, want.http_version, want.body_bytes],
        )
        tally.mapped += 7
      } else {
        assert.equal(p.outcomes.length, e.expected.response_count)
        tally.mapped++
      }
    }
    report('http', tally)
    assert.ok(tally.mapped >= 90, `only ${tally.mapped} http checks mapped`)
    const legacy = parseAtlasResult(load('http.json').find((e) => e.id === 'sagan-http-002')!.input)
    assert.equal(legacy.status, 'malformed')
    assert.equal(legacy.outcomes[0]!.error!.code, 'E_BAD_INPUT')
  })

  it('ping: RTTs per packet (lost = null, duplicates out), summary values, several results', () => {
    const tally: Tally = {mapped: 0, unmapped: new Map()}
    for (const e of load('ping.json')) {
      if (Array.isArray(e.input)) {
        const {outcomes, stats} = parseAtlasResults(e.input as unknown[])
        assert.equal(stats.ok, 5)
        const rs = outcomes.map((o) => o.result as PingResult)
        assert.equal(rs.reduce((a, r) => a + r.sent, 0), e.expected.sent_packets)
        assert.equal(rs.reduce((a, r) => a + r.received, 0), e.expected.received_packets)
        assert.deepEqual(rs.flatMap((r) => r.rttMs), e.expected.rtts_rounded)
        assert.deepEqual(rs.map((r) => r.minMs), (e.expected.rtts_min_per_result as number[]).map((x) => Math.round(x * 1000) / 1000))
        assert.deepEqual(rs.map((r) => r.maxMs), (e.expected.rtts_max_per_result as number[]).map((x) => Math.round(x * 1000) / 1000))
        tally.mapped += 5
        continue
      }
      const p = parseAtlasResult(e.input)
      if (e.expected.checks) runChecks(e, p, (x) => pingCheck(x, p, e.input as Record<string, unknown>), tally)
      else {
        assert.deepEqual((p.outcomes[0]!.result as PingResult).rttMs, e.expected.rtts)
        tally.mapped++
      }
    }
    report('ping', tally)
    assert.ok(tally.mapped >= 75, `only ${tally.mapped} ping checks mapped`)
  })

  it('sslcert and ntp: common fields read, results reported as unsupported (not dropped)', () => {
    const tally: Tally = {mapped: 0, unmapped: new Map()}
    for (const file of ['sslcert.json', 'ntp.json', 'wifi.json']) {
      for (const e of load(file)) {
        const p = parseAtlasResult(e.input)
        assert.equal(p.status, 'unsupported', e.id)
        assert.equal(p.outcomes.length, 1)
        assert.equal(p.outcomes[0]!.error!.code, 'E_BAD_INPUT')
        runChecks(e, p, (x) => common(x, p) ?? unmapped(`${p.meta.type} fields are not modelled`), tally)
      }
    }
    report('sslcert/ntp', tally)
    assert.ok(tally.mapped >= 35)
  })
})

describe('Atlas parser: what cannot be parsed is counted, never dropped', () => {
  it('malformed inputs each give one E_BAD_INPUT outcome and a counted reason', () => {
    const bad: unknown[] = [
      null,
      'not json at all',
      [1, 2],
      {type: 'traceroute', timestamp: 1, result: []}, // no probe id
      {type: 'traceroute', prb_id: 5, result: []}, // no timestamp
      {type: 'traceroute', prb_id: 5, timestamp: 1457447365, fw: 4730, result: [{hop: 1, result: [{from: 'evil\u001b[2J', rtt: 1}]}], dst_addr: '192.0.2.1'},
      {type: 'traceroute', prb_id: 5, timestamp: 1457447365, fw: 4730, result: 'hop text'},
      {type: 'dns', prb_id: 6, timestamp: 1457447365, fw: 4730, resultset: []},
      {type: 'ping', prb_id: 7, timestamp: 1457447365, fw: 4730, result: 'x'},
      {type: 'nonsense', prb_id: 8, timestamp: 1457447365},
    ]
    const {outcomes, stats} = parseAtlasResults(bad)
    assert.equal(stats.total, bad.length)
    assert.equal(stats.malformed, bad.length)
    assert.equal(outcomes.length, bad.length)
    for (const o of outcomes) {
      assert.equal(o.result, null)
      assert.equal(o.error!.code, 'E_BAD_INPUT')
      assert.doesNotMatch(o.error!.message, /\u001b/)
    }
    assert.equal(Object.values(stats.reasons).reduce((a, b) => a + b, 0), bad.length)
  })

  it('counts by status over the fixtures (ok, probe error, malformed)', () => {
    const stats = emptyParseStats()
    for (const raw of fixture<unknown[]>('results-errors.json')) countParsed(stats, parseAtlasResult(raw))
    assert.deepEqual([stats.total, stats.ok, stats.probeErrors, stats.malformed], [3, 1, 1, 1])
  })

  it('reads saved files: JSON arrays, NDJSON, raw control characters inside strings', () => {
    const results = fixture<unknown[]>('results-3606560.json')
    assert.equal(readAtlasResultsText(JSON.stringify(results)).length, 2)
    const nd = results.map((r) => JSON.stringify(r)).join('\n') + '\n{broken\n'
    const read = readAtlasResultsText(nd)
    assert.equal(read.length, 3)
    const {stats} = parseAtlasResults(read)
    assert.deepEqual([stats.ok, stats.malformed], [2, 1])
    const raw = '{"type":"http","prb_id":1,"timestamp":1450185727,"fw":4720,"uri":"http://a.anchors.atlas.ripe.net/","result":[{"res":200,"ver":"1.1","rt":5,"dst_addr":"192.0.2.1","header":["Server: x\ty"]}]}'
    assert.throws(() => JSON.parse(raw.replace('\\t', '\t')))
    assert.equal(escapeControlCharsInStrings('{"a":"x\ty"}\n'), '{"a":"x\\u0009y"}\n')
    const p = parseAtlasResult(raw.replace('\\t', '\t'))
    assert.equal(p.status, 'ok')
    assert.equal((p.outcomes[0]!.result as HttpResult).headers.server, 'x\\x09y')
  })

  it('probe metadata: GeoJSON [lon, lat], ASN per family, sanitised description', () => {
    const page = fixture<{results: unknown[]}>('probes-page2.json')
    const m = probeMetaFromApi(page.results[2])!
    assert.deepEqual([m.id, m.country, m.lat, m.lon, m.asnV4, m.asnV6], [21, 'NL', 52.36, 4.94, 3333, 3333])
    const p = parseAtlasResult(fixture<unknown[]>('results-1423386.json')[0], probeMetaFromApi(page.results[3]))
    assert.deepEqual(p.outcomes[0]!.vantage, {kind: 'atlas', id: 'atlas:6036', name: 'probe in Helsinki', asn: 719, country: 'FI', lat: 60.17, lon: 24.94})
    assert.equal(probeMetaFromApi({id: 9, description: 'x\u001b[31my', geometry: {coordinates: [500, 10]}})!.lat, null)
    assert.equal(probeMetaFromApi({id: 9, description: 'x\u001b[31my'})!.description, 'x\\x1b[31my')
  })
})

describe('Atlas parser: the fast readers give what the plain ones give', () => {
  const base = {type: 'traceroute', msm_id: 5, prb_id: 7, fw: 5000, af: 4, dst_addr: '192.0.2.1', from: '198.51.100.1', result: [{hop: 1, result: [{from: '192.0.2.1', rtt: 1, ttl: 60}]}]}
  let seed = 1
  const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff

  it('timestamps are written as new Date(ts * 1000).toISOString() writes them (days, fractions, bounds)', () => {
    const tss = [1e-4, 0.0009, 0.001, 0.5, 1, 59.999, 60, 86399.9999, 86400, 951782400, 1700000000.123, 1700000000.9999, 4102444800, 253402300799, 253402300800, 1e11 - 0.0001, 1e11]
    for (let i = 0; i < 20000; i++) tss.push(rand() < 0.5 ? Math.floor(rand() * 2e9) : rand() * 1e11, Math.floor(rand() * 2e9) + Math.floor(rand() * 1000) / 1000)
    for (const ts of tss) {
      const p = parseAtlasResult({...base, timestamp: ts, endtime: ts + 1.5})
      // a time past 1e11 s (year 5138) is not a real one: null, as are 0 and negative times
      const want = (t: number): string | null => (t > 1e11 ? null : new Date(t * 1000).toISOString())
      assert.equal(p.meta.createdAt, want(ts), String(ts))
      assert.equal(p.meta.endTime, want(ts + 1.5), String(ts + 1.5))
    }
    for (const ts of [0, -1, 1e11 + 1]) assert.equal(parseAtlasResult({...base, timestamp: 1700000000, endtime: ts}).meta.endTime, null, String(ts))
  })

  it('an address field is kept exactly when /^[0-9A-Fa-f:.]{2,45}$/ accepts it', () => {
    const re = /^[0-9A-Fa-f:.]{2,45}$/
    const values: unknown[] = ['', 'a', 'ab', '1.2.3.4', '::1', '2001:db8::1', '::ffff:1.2.3.4', 'g1', '1.2.3.4\n', '\n1.2.3.4', '1.2.3.4 ', 'ABCDEF', '1'.repeat(45), '1'.repeat(46), '*', '1/2', '@@', '``', 'GG', '0;', 5, null, {}]
    for (let c = 0; c < 0x800; c++) values.push(`1${String.fromCharCode(c)}`, String.fromCharCode(c, c))
    for (const v of values) {
      const p = parseAtlasResult({...base, timestamp: 1700000000, dst_addr: v})
      assert.equal(p.meta.dstAddr, typeof v === 'string' && re.test(v) ? v : null, JSON.stringify(v))
    }
  })
})
