// RIPE Atlas DNS results (one query, or a "resultset" of the probe's resolvers) -> DnsResult: the
// reply (abuf) decoded by the DNS engine's own reader, so identities (NSID, CHAOS TXT) read alike.
import {Buffer} from 'node:buffer'

import * as dnsPacket from 'dns-packet'

import {answersChaosQuestion, decodeReply, NSID_OPTION_CODE, presentAnswer, readReply, recordHead} from '../../engines/dns/packet.js'
import {identityOf} from '../../engines/dns/probe.js'
import {DNS_SCHEMA_VERSION, type DnsQueryError, type DnsQueryResult, type DnsResult} from '../../model/dns.js'
import type {ErrorCode} from '../../model/errors.js'
import type {VantagePoint} from '../../model/vantage.js'
import {sanitize} from '../../util/sanitize.js'
import type {VantageError, VantageOutcome} from '../types.js'
import {foldResultset} from './dns-resultset.js'
import {addr, type AtlasMeasurementMeta, type AtlasParsed, type AtlasResultMeta, iso, malformed, num, posInt, probeError, probeErrorCode, rtt, str, text, withTime} from './parse-shared.js'

/** A name in presentation form: absolute, and the root is `.` (dns-packet gives it as "" or "."). */
function fqdn(name: unknown): string {
  const n = typeof name === 'string' ? name : ''
  return n === '' || n === '.' ? '.' : n.endsWith('.') ? n : `${n}.`
}

/** One answer record in presentation form, for the types the DNS engine's presenter leaves raw. */
export function presentAtlasAnswer(a: dnsPacket.Answer): string {
  const data = (a as {data?: unknown}).data as Record<string, unknown> | Buffer | undefined
  const hex = (b: unknown): string => (Buffer.isBuffer(b) ? b.toString('hex') : '')
  const b64 = (b: unknown): string => (Buffer.isBuffer(b) ? b.toString('base64') : '')
  switch (a.type) {
    case 'DS': {
      const d = data as {keyTag: number; algorithm: number; digestType: number; digest: Buffer}
      return `${d.keyTag} ${d.algorithm} ${d.digestType} ${hex(d.digest)}`
    }
    case 'DNSKEY': {
      // dns-packet drops the protocol octet, which RFC 4034 fixes at 3
      const d = data as {flags: number; algorithm: number; key: Buffer}
      return `${d.flags} 3 ${d.algorithm} ${b64(d.key)}`
    }
    case 'TLSA': {
      const d = data as {usage: number; selector: number; matchingType: number; certificate: Buffer}
      return `${d.usage} ${d.selector} ${d.matchingType} ${hex(d.certificate)}`
    }
    case 'RRSIG': {
      const d = data as {typeCovered: string; algorithm: number; labels: number; originalTTL: number; expiration: number; inception: number; keyTag: number; signersName: string; signature: Buffer}
      return `${d.typeCovered} ${d.algorithm} ${d.labels} ${d.originalTTL} ${d.expiration} ${d.inception} ${d.keyTag} ${fqdn(d.signersName)} ${b64(d.signature)}`
    }
    case 'NSEC': {
      const d = data as {nextDomain: string; rrtypes: string[]}
      return `${fqdn(d.nextDomain)} ${(d.rrtypes ?? []).join(' ')}`
    }
    default:
      // RFC 3597 form for types nobody decoded (dns-packet calls them UNKNOWN_<n>)
      if (Buffer.isBuffer(data)) return `\\# ${data.length} ${data.toString('hex')}`.trim()
      return presentAnswer(a)
  }
}

function dnsQueryError(e: unknown): {error: DnsQueryError; code: ErrorCode; message: string} {
  const o = (e !== null && typeof e === 'object' ? e : {}) as Record<string, unknown>
  if (o.timeout !== undefined) return {error: 'timeout', code: 'E_TIMEOUT', message: `Timeout: ${text(typeof o.timeout === 'number' ? String(o.timeout) : o.timeout, 20) ?? ''}`}
  const msg = text(e) ?? 'error'
  if (o.getaddrinfo !== undefined) return {error: 'network', code: 'E_RESOLVE', message: `getaddrinfo: ${text(o.getaddrinfo) ?? ''}`}
  return {error: /refused/i.test(msg) ? 'refused' : 'network', code: probeErrorCode(msg), message: msg}
}

function b64decode(v: unknown): Buffer | null {
  if (typeof v !== 'string' || v === '' || !/^[A-Za-z0-9+/=\s]+$/.test(v)) return null
  return Buffer.from(v, 'base64')
}

interface QuestionInfo {
  qname: string
  qclass: string
  qtype: string
  nsid: boolean
}

function questionOf(decoded: dnsPacket.DecodedPacket | null): QuestionInfo | null {
  const q = decoded?.questions?.[0]
  if (!q) return null
  const qclass = String(q.class ?? 'IN').toUpperCase()
  const qname = q.name === '' ? '.' : qclass === 'CH' ? q.name.toLowerCase() : q.name
  let nsid = false
  for (const rr of decoded!.additionals ?? []) {
    if (rr.type !== 'OPT') continue
    for (const o of ((rr as dnsPacket.OptAnswer).options ?? []) as Array<{code: number}>) if (o.code === NSID_OPTION_CODE) nsid = true
  }
  return {qname: sanitize(qname, 253), qclass, qtype: String(q.type), nsid}
}

function definitionQuestion(m: AtlasMeasurementMeta | null): QuestionInfo | null {
  if (!m || typeof m.query_argument !== 'string') return null
  const cls = (m.query_class ?? 'IN').toUpperCase()
  const qclass = cls === 'CHAOS' ? 'CH' : cls
  return {qname: sanitize(m.query_argument, 253), qclass, qtype: (m.query_type ?? 'A').toUpperCase(), nsid: m.set_nsid_bit === true}
}

export function parseDns(r: Record<string, unknown>, meta: AtlasResultMeta, vantage: VantagePoint, m: AtlasMeasurementMeta | null): AtlasParsed {
  const entries: Array<Record<string, unknown>> = Array.isArray(r.resultset) ? (r.resultset as Array<Record<string, unknown>>) : [r]
  if (entries.length === 0) return malformed(meta, 'an empty "resultset"', vantage)
  const outcomes: VantageOutcome[] = []
  let measured = 0
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]
    if (e === null || typeof e !== 'object') return malformed(meta, `resultset entry ${i} is not an object`, vantage)
    const dst = addr(e.dst_addr) ?? (e === r ? null : meta.dstAddr)
    const ts = num(e.time) ?? num(r.timestamp)!
    const protoText = str(e.proto) ?? str(r.proto) ?? (typeof m?.protocol === 'string' ? m.protocol : 'UDP')
    const transport = protoText.toUpperCase() === 'TCP' ? 'tcp' : 'udp'
    const qbuf = b64decode(e.qbuf)
    const fromQuery = questionOf(qbuf ? decodeReply(qbuf) : null)
    const res = e.result as Record<string, unknown> | undefined
    let query: DnsQueryResult
    let error: VantageError | null = null
    if (e.error !== undefined && (res === undefined || res === null)) {
      const qe = dnsQueryError(e.error)
      if (dst === null) {
        // no server was even asked (the name of the target did not resolve on the probe)
        outcomes.push(withTime({vantage, result: null, error: probeError(meta.probeId, qe.message, qe.code)}, iso(ts) ?? meta.createdAt))
        continue
      }
      const q = fromQuery ?? definitionQuestion(m)
      query = {
        qname: q?.qname ?? '',
        qclass: q?.qclass ?? 'IN',
        qtype: q?.qtype ?? '',
        nsidRequested: q?.nsid ?? false,
        rcode: null,
        rttMs: null,
        answers: [],
        nsid: null,
        aa: null,
        truncated: null,
        error: qe.error,
      }
      error = probeError(meta.probeId, qe.message, qe.code)
    } else if (res !== null && typeof res === 'object') {
      if (dst === null) return malformed(meta, `resultset entry ${i} has no dst_addr`, vantage)
      const abuf = b64decode(res.abuf)
      const decoded = abuf ? decodeReply(abuf) : null
      const q = questionOf(decoded) ?? fromQuery ?? definitionQuestion(m)
      const base = {qname: q?.qname ?? '', qclass: q?.qclass ?? 'IN', qtype: q?.qtype ?? '', nsidRequested: fromQuery?.nsid ?? q?.nsid ?? false}
      if (decoded === null || abuf === null) {
        // the server did answer (Atlas timed it): the RTT is a measurement and is kept; only the
        // reply's contents (rcode, answers, NSID) are unknown. The result stays in the analysis.
        query = {...base, rcode: null, rttMs: rtt(res.rt), answers: [], nsid: null, aa: null, truncated: null, error: 'malformed'}
        error = {
          code: 'E_BAD_INPUT',
          message: `probe ${meta.probeId}: ${abuf === null ? 'the DNS reply (abuf) is not in the result' : 'the DNS reply (abuf) cannot be decoded'}; its RTT is kept, its contents are unknown`,
          hint: 'the reply is counted with its RTT only: no rcode, answers or NSID to name a site from',
        }
      } else {
        // rcode (EDNS-extended), flags and NSID as the DNS engine reads them; answers presented
        // here, because Atlas results carry record types the engine never asks for
        const reply = readReply(decoded, abuf)
        const answers: string[] = []
        const otherRecords: string[] = []
        // a CHAOS question's identity is only the records that answer it: a parked domain's servers
        // give their wildcard IN TXT for any question (as the dns engine reads it: packet.ts)
        for (const a of decoded.answers ?? []) {
          const text = sanitize(presentAtlasAnswer(a))
          if (base.qclass !== 'CH' || answersChaosQuestion(a, {qname: base.qname, qtype: base.qtype})) answers.push(text)
          else otherRecords.push(`${sanitize(recordHead(a), 300)} ${text}`)
        }
        query = {
          ...base,
          // a server that returns NSID was asked for it, whatever else we know
          nsidRequested: base.nsidRequested || reply.nsid !== null,
          rcode: reply.rcode,
          rttMs: rtt(res.rt),
          answers,
          nsid: reply.nsid,
          aa: reply.aa,
          truncated: reply.truncated,
          error: null,
          ...(otherRecords.length > 0 ? {otherRecords} : {}),
        }
      }
    } else {
      return malformed(meta, `resultset entry ${i} has neither "result" nor "error"`, vantage)
    }
    measured++
    const rt = query.rttMs
    const result: DnsResult = {
      schemaVersion: DNS_SCHEMA_VERSION,
      kind: 'dns',
      target: meta.dstName ?? dst!,
      targetAddr: dst!,
      port: 53,
      transport,
      vantage: {...vantage},
      startedAt: iso(ts) ?? meta.createdAt!,
      durationMs: rt ?? 0,
      params: {timeoutMs: posInt(m?.timeout) ?? 5000, qname: query.qname, qtype: query.qtype},
      queries: [query],
      identity: identityOf([query]),
      answered: query.rcode !== null || query.rttMs !== null,
      pop: null,
    }
    outcomes.push({vantage: result.vantage, result, error})
  }
  const status = measured > 0 ? 'ok' : 'probe-error'
  // a resultset (the probe asked each of its resolvers) is one observation of the probe, not one per entry
  if (Array.isArray(r.resultset)) return {status, meta, reason: null, outcomes: [foldResultset(outcomes, meta.probeId, addr(m?.target) ?? meta.dstAddr)]}
  return {status, meta, reason: null, outcomes}
}
