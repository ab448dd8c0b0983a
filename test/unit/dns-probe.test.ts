// The DNS identity probe against real DNS servers started here on 127.0.0.1 (UDP and TCP on the same
// random port): one that answers CHAOS TXT and NSID like NSD does, one that refuses CHAOS and
// ignores NSID, one that never answers, and odd ones (binary NSID, hostile TXT, stray replies).
import assert from 'node:assert/strict'
import type {Socket} from 'node:net'
import {after, before, describe, it} from 'node:test'

import * as dnsPacket from 'dns-packet'

import {decodeReply, encodeQuery, identityQueries, matchesQuery, nsidValue, readReply} from '../../src/engines/dns/packet.js'
import {identityInputs, probeDns} from '../../src/engines/dns/probe.js'
import {makeExchanger} from '../../src/engines/dns/transport.js'
import type {DnsResult} from '../../src/model/dns.js'
import {renderDns} from '../../src/render/dns.js'
import {noAnswerText, repliedUnreadably} from '../../src/util/dns-no-answer.js'
import {runCommand} from '../helpers/cli.js'
import {localDnsResult, startDnsServer} from '../helpers/dns-server.js'
import {closedUdpPort as closedPort} from '../helpers/loopback-server.js'
import {schemaErrors} from '../helpers/schema.js'


type Mode = 'identity' | 'refuse-chaos' | 'silent' | 'binary-nsid' | 'hostile' | 'stray-first' | 'garbage' | 'garbage-stray' | 'two-sites'

/** A reply with the query's id that is not a DNS message (a compression pointer to itself), as a broken server sends. */
function garbage(id: number): Buffer {
  return Buffer.from([id >> 8, id & 255, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 0xc0, 0x0c, 0xc0, 0x0c])
}

interface TestServer {
  port: number
  close(): Promise<void>
  queriesSeen: number
}

/** What a server in `mode` answers to one query; null: stay silent. */
function answer(mode: Mode, query: dnsPacket.DecodedPacket): Buffer | null {
  if (mode === 'silent') return null
  if (mode === 'garbage') return garbage(query.id!)
  const q = query.questions?.[0]
  if (!q) return null
  const base = {type: 'response' as const, id: query.id, questions: query.questions}
  const AA = dnsPacket.AUTHORITATIVE_ANSWER
  const name = q.name.toLowerCase()
  const txt = (text: string | string[]): dnsPacket.Packet => ({
    ...base,
    flags: AA,
    answers: [{type: 'TXT', class: 'CH', name: q.name, ttl: 0, data: text}],
  })
  if (q.class === 'CH') {
    if (mode === 'refuse-chaos') return dnsPacket.encode({...base, flags: name === 'version.bind' ? 4 : 5}) // NOTIMP, REFUSED
    if (mode === 'hostile' && name === 'hostname.bind') return dnsPacket.encode(txt('s1.fra\u001b[2J\u001b[31m.anycast.example'))
    // two TXT records naming two sites in one answer (a misconfigured or proxied server)
    if (mode === 'two-sites' && name !== 'version.bind')
      return dnsPacket.encode({...base, flags: AA, answers: ['s1.fra.anycast.example', 's2.sin.anycast.example'].map((t) => ({type: 'TXT' as const, class: 'CH' as const, name: q.name, ttl: 0, data: t}))})
    if (name === 'hostname.bind') return dnsPacket.encode(txt('s1.fra.anycast.example'))
    if (name === 'id.server') return dnsPacket.encode(txt(['s1.fra', '.anycast.example']))
    if (name === 'version.bind') return dnsPacket.encode(txt('NSD 4.8.0'))
    return dnsPacket.encode({...base, flags: AA | 3}) // NXDOMAIN
  }
  const wantsNsid = (query.additionals ?? []).some(
    (rr) => rr.type === 'OPT' && ((rr as dnsPacket.OptAnswer).options as Array<{code: number}>).some((o) => o.code === 3),
  )
  const packet: dnsPacket.Packet = {
    ...base,
    flags: AA,
    answers:
      q.type === 'SOA'
        ? [{type: 'SOA', name: q.name, ttl: 3600, data: {mname: 'ns1.anycast.example', rname: 'hostmaster.anycast.example', serial: 2024010101, refresh: 3600, retry: 600, expire: 86400, minimum: 300}}]
        : [],
  }
  if (wantsNsid && mode !== 'refuse-chaos') {
    const data = mode === 'binary-nsid' ? Buffer.from([0xde, 0xad, 0xbe, 0xef]) : Buffer.from('s1.fra')
    packet.additionals = [
      {type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [{code: 3, data} as unknown as dnsPacket.PacketOpt]},
    ]
  }
  return dnsPacket.encode(packet)
}

/** A server in `mode` on UDP and TCP (one random port): replies to pipelined TCP queries one after the other. */
async function startServer(mode: Mode): Promise<TestServer> {
  const srv = await startDnsServer({
    tcp: true,
    answer: ({query}) => answer(mode, query),
    sendUdp: (reply, {query}, io) => {
      if (mode === 'garbage-stray') {
        // garbage with another id first (not ours: ignored), the real reply after it
        io.send(garbage((query.id! + 1) & 0xffff))
        setTimeout(() => io.send(reply), 20)
        return
      }
      if (mode === 'stray-first') {
        // a reply with another id, and one with the right id but another question: both must be ignored
        const strayId = Buffer.from(reply)
        strayId.writeUInt16BE((query.id! + 1) & 0xffff, 0)
        io.send(strayId)
        const otherQ = dnsPacket.encode({type: 'response', id: query.id, flags: 0, questions: [{name: 'evil.example', type: 'TXT', class: 'CH'}], answers: [{type: 'TXT', class: 'CH', name: 'evil.example', data: 'evil.lhr.example'}]})
        io.send(otherQ)
        setTimeout(() => io.send(reply), 20)
        return
      }
      io.send(reply)
    },
    // split the reply over two writes: the client must reassemble the stream; replies to
    // pipelined queries one after the other, each whole before the next, as a server writes them
    writeTcp: async (framed, sock) => {
      sock.write(framed.subarray(0, 3))
      await new Promise((res) => setTimeout(res, 5))
      sock.write(framed.subarray(3))
    },
  })
  return {port: srv.port, close: srv.close, get queriesSeen() {
    return srv.udpQueries + srv.tcpQueries
  }}
}

const base = {addr: '127.0.0.1', family: 4 as const, timeoutMs: 1000, qname: '.', qtype: 'SOA'}

describe('dns packet', () => {
  it('asks for NSID with an empty option 3 in an OPT record, only on the ordinary query', () => {
    const specs = identityQueries('.', 'SOA')
    assert.deepEqual(
      specs.map((s) => `${s.qname}/${s.qclass}/${s.qtype}/${s.nsid}`),
      ['hostname.bind/CH/TXT/false', 'id.server/CH/TXT/false', 'version.bind/CH/TXT/false', './IN/SOA/true'],
    )
    const q = dnsPacket.decode(encodeQuery(specs[3]!, 4242))
    assert.equal(q.id, 4242)
    const opt = q.additionals?.[0] as dnsPacket.OptAnswer
    assert.equal(opt.type, 'OPT')
    const o = (opt.options as unknown as Array<{code: number; data: Buffer}>)[0]!
    assert.equal(o.code, 3)
    assert.equal(o.data.length, 0)
    assert.equal(dnsPacket.decode(encodeQuery(specs[0]!, 1)).additionals?.length ?? 0, 0)
  })

  it('NSID is text when printable, hex always, text null when binary or empty', () => {
    assert.deepEqual(nsidValue(Buffer.from('s1.fra')), {text: 's1.fra', hex: '73312e667261'})
    assert.deepEqual(nsidValue(Buffer.from([0xde, 0xad, 0x00])), {text: null, hex: 'dead00'})
    assert.deepEqual(nsidValue(Buffer.alloc(0)), {text: null, hex: ''})
  })

  it('NSID padded with NULs or a newline at the end is still its text; a control byte inside is binary', () => {
    // some servers pad the configured name (the identity rule of infer/untrusted.ts: edge debris dropped)
    assert.deepEqual(nsidValue(Buffer.from('s1.fra\0')), {text: 's1.fra', hex: '73312e66726100'})
    assert.deepEqual(nsidValue(Buffer.from('gpdns-ams\0\0\0')), {text: 'gpdns-ams', hex: Buffer.from('gpdns-ams\0\0\0').toString('hex')})
    assert.deepEqual(nsidValue(Buffer.from('res710.qbre1\n')), {text: 'res710.qbre1', hex: Buffer.from('res710.qbre1\n').toString('hex')})
    // inside: malformed, not a name read across the gap
    assert.deepEqual(nsidValue(Buffer.from('s1\0fra')), {text: null, hex: '733100667261'})
    // only padding, or high bytes around a NUL: no text, hex kept
    assert.deepEqual(nsidValue(Buffer.from([0, 0])), {text: null, hex: '0000'})
    assert.deepEqual(nsidValue(Buffer.from([0x00, 0xca, 0xfe, 0x00])), {text: null, hex: '00cafe00'})
  })

  it('matches by id and question, case-insensitively', () => {
    const spec = identityQueries('.', 'SOA')[0]!
    const reply = (id: number, name: string) =>
      decodeReply(dnsPacket.encode({type: 'response', id, questions: [{name, type: 'TXT', class: 'CH'}]}))!
    assert.equal(matchesQuery(reply(7, 'HOSTNAME.BIND'), spec, 7), true)
    assert.equal(matchesQuery(reply(8, 'hostname.bind'), spec, 7), false)
    assert.equal(matchesQuery(reply(7, 'id.server'), spec, 7), false)
  })

  it('reads an EDNS extended rcode (BADVERS = 16)', () => {
    const buf = dnsPacket.encode({
      type: 'response',
      id: 1,
      flags: 0,
      questions: [{name: '.', type: 'SOA'}],
      additionals: [{type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 1, ednsVersion: 0, flags: 0, flag_do: false, options: []}],
    })
    assert.equal(readReply(decodeReply(buf)!, buf).rcode, 'BADVERS')
  })
})

for (const transport of ['udp', 'tcp'] as const) {
  describe(`dns probe over ${transport}`, () => {
    const servers: Partial<Record<Mode, TestServer>> = {}
    before(async () => {
      for (const m of ['identity', 'refuse-chaos', 'silent', 'binary-nsid', 'hostile', 'stray-first', 'two-sites'] as Mode[]) servers[m] = await startServer(m)
    })
    after(async () => {
      for (const s of Object.values(servers)) await s!.close()
    })

    it('reads hostname.bind, id.server, version.bind and NSID from a server that answers them', async () => {
      const out = await probeDns({...base, port: servers.identity!.port, transport})
      assert.equal(out.answered, true)
      assert.deepEqual(out.queries.map((q) => q.rcode), ['NOERROR', 'NOERROR', 'NOERROR', 'NOERROR'])
      for (const q of out.queries) {
        assert.ok(q.rttMs !== null && q.rttMs > 0, `rtt of ${q.qname} is positive`)
        assert.equal(q.error, null)
        assert.equal(q.aa, true)
      }
      assert.deepEqual(out.identity, {
        hostnameBind: 's1.fra.anycast.example',
        // TXT character-strings are concatenated
        idServer: 's1.fra.anycast.example',
        versionBind: 'NSD 4.8.0',
        nsid: {text: 's1.fra', hex: Buffer.from('s1.fra').toString('hex')},
      })
      assert.match(out.queries[3]!.answers[0]!, /^ns1\.anycast\.example hostmaster\.anycast\.example 2024010101 /)
      assert.equal(out.queries[0]!.nsid, null, 'CHAOS queries did not ask for NSID')
      assert.deepEqual(identityInputs(out.identity), ['s1.fra.anycast.example', 's1.fra'])
    })

    it('several TXT records naming two sites: the first is the identity, the other an input too, so the verdict sees the conflict', async () => {
      const out = await probeDns({...base, port: servers['two-sites']!.port, transport})
      assert.equal(out.identity.hostnameBind, 's1.fra.anycast.example')
      assert.deepEqual(out.identity.otherTexts, ['s2.sin.anycast.example'], 'said once, though both CHAOS answers carry it')
      assert.deepEqual(identityInputs(out.identity), ['s1.fra.anycast.example', 's1.fra', 's2.sin.anycast.example'])
    })

    it('a server refusing CHAOS and ignoring NSID is a normal result, not an error', async () => {
      const out = await probeDns({...base, port: servers['refuse-chaos']!.port, transport})
      assert.deepEqual(out.queries.map((q) => q.rcode), ['REFUSED', 'REFUSED', 'NOTIMP', 'NOERROR'])
      assert.ok(out.queries.every((q) => q.error === null && q.rttMs !== null))
      assert.deepEqual(out.identity, {hostnameBind: null, idServer: null, versionBind: null, nsid: null})
      assert.equal(out.answered, true)
    })

    it('a server that never answers: rcode null, rttMs null, error timeout, answered false', async () => {
      const t0 = Date.now()
      const out = await probeDns({...base, timeoutMs: 1000, port: servers.silent!.port, transport})
      const took = Date.now() - t0
      // four queries one after another would take 4 s; concurrent, one timeout (and what a loaded
      // machine adds to a timer, well under 2 s)
      assert.ok(took >= 990 && took < 3000, `queries run concurrently with one timeout each (took ${took} ms)`)
      for (const q of out.queries) assert.deepEqual([q.rcode, q.rttMs, q.error, q.answers], [null, null, 'timeout', []])
      assert.equal(out.answered, false)
      assert.equal(servers.silent!.queriesSeen >= 4, true)
    })

    it('binary NSID comes out as hex with text null', async () => {
      const out = await probeDns({...base, port: servers['binary-nsid']!.port, transport})
      assert.deepEqual(out.identity.nsid, {text: null, hex: 'deadbeef'})
      assert.deepEqual(identityInputs(out.identity), ['s1.fra.anycast.example'])
    })

    it('escape sequences in TXT answers are escaped, never passed through', async () => {
      const out = await probeDns({...base, port: servers.hostile!.port, transport})
      assert.equal(out.identity.hostnameBind, 's1.fra\\x1b[2J\\x1b[31m.anycast.example')
      assert.ok(!renderDns(fakeResult(out)).includes('\u001b'))
    })

    it('port closed: error "refused" (ICMP port unreachable / RST), not a timeout', async () => {
      const t0 = Date.now()
      const out = await probeDns({...base, timeoutMs: 2000, port: await closedPort(), transport})
      assert.ok(Date.now() - t0 < 1500, 'refusal is reported at once')
      assert.deepEqual(out.queries.map((q) => q.error), ['refused', 'refused', 'refused', 'refused'])
      assert.equal(out.answered, false)
    })
  })
}

describe('dns rtt: the arrival of the reply, not the time spent reading it', () => {
  let server: TestServer
  before(async () => {
    server = await startServer('identity')
  })
  after(() => server.close())
  for (const transport of ['udp', 'tcp'] as const) {
    it(`${transport}: a slow accept() (decoding) is not counted in rttMs`, async () => {
      // the sao vantage point read 42 ms for a 30 ms path: the time was taken after the reply was decoded
      const [spec] = identityQueries('.', 'SOA')
      const query = encodeQuery(spec!, 4242)
      const ex = makeExchanger(transport, {addr: '127.0.0.1', port: server.port, family: 4})
      const {rttMs} = await ex.exchange(
        query,
        (buf) => {
          // 300 ms: well above what a loaded machine adds to a loopback exchange (a 60 ms busy and
          // a 50 ms bound left it 50 ms), as for the http probe's connect time
          const until = Date.now() + 300
          while (Date.now() < until) {
            // busy: what a first decode of a large reply costs, exaggerated
          }
          return buf.readUInt16BE(0) === 4242
        },
        2000,
      )
      assert.ok(rttMs < 250, `rtt ${rttMs} ms includes the 300 ms spent in accept()`)
    })
  }
})


/**
 * An accept() that is slow (a first decode, exaggerated to 300 ms of busy time: well above what a
 * loaded machine adds to a loopback exchange, where 60 ms under a 50 ms bound left it 50 ms).
 */
const slowAccept =
  (id: number) =>
  (buf: Buffer): boolean => {
    const until = Date.now() + 300
    while (Date.now() < until) {
      // busy
    }
    return buf.readUInt16BE(0) === id
  }

describe('dns rtt over udp: replies that arrive together are each timed on arrival', () => {
  it("one reply's slow decoding is not counted in the RTT of the reply read after it", async () => {
    // a server that holds the first query until the second is in, then answers both at once
    const held: Array<{reply: Buffer; send: (b: Buffer) => void}> = []
    const server = await startDnsServer({
      answer: ({query}) => ({type: 'response', id: query.id, flags: 0, questions: query.questions}),
      sendUdp: (reply, _ex, io) => {
        held.push({reply, send: io.send})
        if (held.length < 2) return
        for (const h of held) h.send(h.reply)
      },
    })
    try {
      const [spec] = identityQueries('.', 'SOA')
      const ex = (id: number) => makeExchanger('udp', {addr: '127.0.0.1', port: server.port, family: 4}).exchange(encodeQuery(spec!, id), slowAccept(id), 2000)
      const rtts = (await Promise.all([ex(101), ex(202)])).map((r) => r.rttMs)
      assert.ok(rtts.every((ms) => ms < 250), `rtts ${rtts.join(', ')} ms: one counts the other's 300 ms decode`)
    } finally {
      await server.close()
    }
  })
})

describe('dns rtt over tcp: replies that arrive together are each timed on arrival', () => {
  it("one reply's slow decoding is not counted in the RTT of the reply read after it", async () => {
    // the same over TCP (one connection a query): both replies written once the second query is in
    const held: Array<{sock: Socket; framed: Buffer}> = []
    const server = await startDnsServer({
      udp: false,
      tcp: true,
      answer: ({query}) => ({type: 'response', id: query.id, flags: 0, questions: query.questions}),
      writeTcp: (framed, sock) => {
        held.push({sock, framed})
        if (held.length < 2) return
        for (const h of held) h.sock.write(h.framed)
      },
    })
    try {
      const [spec] = identityQueries('.', 'SOA')
      const ex = (id: number) => makeExchanger('tcp', {addr: '127.0.0.1', port: server.port, family: 4}).exchange(encodeQuery(spec!, id), slowAccept(id), 2000)
      const rtts = (await Promise.all([ex(303), ex(404)])).map((r) => r.rttMs)
      assert.ok(rtts.every((ms) => ms < 250), `rtts ${rtts.join(', ')} ms: one counts the other's 300 ms decode`)
    } finally {
      await server.close()
    }
  })
})

describe('dns probe over udp, stray replies', () => {
  let server: TestServer
  before(async () => {
    server = await startServer('stray-first')
  })
  after(() => server.close())
  it('ignores replies with a wrong id or a wrong question', async () => {
    const out = await probeDns({...base, port: server.port, transport: 'udp'})
    assert.equal(out.identity.hostnameBind, 's1.fra.anycast.example')
    assert.ok(out.queries.every((q) => !q.answers.some((a) => a.includes('lhr'))))
  })
})

describe('dns probe: malformed replies', () => {
  const servers: Partial<Record<Mode, TestServer>> = {}
  before(async () => {
    servers.garbage = await startServer('garbage')
    servers['garbage-stray'] = await startServer('garbage-stray')
  })
  after(async () => {
    for (const s of Object.values(servers)) await s!.close()
  })
  for (const transport of ['udp', 'tcp'] as const) {
    it(`${transport}: a malformed reply with our id ends its query at once, error "malformed"`, async () => {
      const out = await probeDns({...base, timeoutMs: 3000, port: servers.garbage!.port, transport})
      assert.deepEqual(out.queries.map((q) => q.error), ['malformed', 'malformed', 'malformed', 'malformed'])
      assert.ok(out.queries.every((q) => q.rcode === null && q.rttMs === null))
      assert.equal(out.answered, false)
      // the timeout was not waited out: every query got its (malformed) reply
      assert.ok(out.durationMs < 2500, `took ${out.durationMs} ms of a 3000 ms timeout`)
    })
  }
  it('udp: malformed replies with another id are still ignored, the real reply counts', async () => {
    const out = await probeDns({...base, port: servers['garbage-stray']!.port, transport: 'udp'})
    assert.equal(out.identity.hostnameBind, 's1.fra.anycast.example')
    assert.ok(out.queries.every((q) => q.error === null))
  })
  it('the summary counts the malformed replies and names the address, not "no reply"', async () => {
    const out = await probeDns({...base, timeoutMs: 3000, port: servers.garbage!.port, transport: 'udp'})
    const r = fakeResult(out)
    assert.equal(noAnswerText(r), '4 malformed replies from 127.0.0.1 (not DNS messages that could be read)')
    assert.equal(repliedUnreadably(r), true)
    assert.doesNotMatch(renderDns(r), /no reply to any query/)
    const mixed = {...r, queries: r.queries.map((q, i) => (i < 2 ? q : {...q, error: 'timeout' as const}))}
    assert.equal(noAnswerText(mixed), '2 malformed replies from 127.0.0.1 (not DNS messages that could be read); no reply to the other 2 within 1000 ms')
    const silent = {...r, queries: r.queries.map((q) => ({...q, error: 'timeout' as const}))}
    assert.equal(noAnswerText(silent), 'no reply to any query within 1000 ms')
    assert.equal(repliedUnreadably(silent), false)
  })
})

const fakeResult = (out: Awaited<ReturnType<typeof probeDns>>): DnsResult => localDnsResult(out)

const runCli = (argv: string[]) => runCommand('dns', argv)

describe('anyprobe dns (command, end to end)', () => {
  const servers: Partial<Record<Mode, TestServer>> = {}
  before(async () => {
    servers.identity = await startServer('identity')
    servers.silent = await startServer('silent')
    servers.garbage = await startServer('garbage')
    servers['two-sites'] = await startServer('two-sites')
  })
  after(async () => {
    for (const s of Object.values(servers)) await s!.close()
  })

  it('--json: schema-valid result naming FRA from hostname.bind and NSID', async () => {
    const r = await runCli(['127.0.0.1', '--port', String(servers.identity!.port), '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as DnsResult
    assert.deepEqual(schemaErrors('dns.schema.json', doc), [])
    assert.equal(doc.kind, 'dns')
    assert.equal(doc.transport, 'udp')
    assert.equal(doc.identity.hostnameBind, 's1.fra.anycast.example')
    assert.equal(doc.pop?.code.toLowerCase(), 'fra')
    assert.ok(doc.pop!.evidence.some((e) => e.signal === 'dns-identity'))
  })

  it('--json of a server answering two sites in one CHAOS answer: otherTexts in a schema-valid document, the PoP a hint', async () => {
    const r = await runCli(['127.0.0.1', '--port', String(servers['two-sites']!.port), '--json'])
    const doc = JSON.parse(r.stdout) as DnsResult
    assert.deepEqual(schemaErrors('dns.schema.json', doc), [])
    assert.deepEqual(doc.identity.otherTexts, ['s2.sin.anycast.example'])
    assert.ok(doc.pop !== null && doc.pop.conflicts.some((c) => c.code === 'sin'), JSON.stringify(doc.pop))
    const text = await runCli(['127.0.0.1', '--port', String(servers['two-sites']!.port)])
    assert.match(text.stdout, /also answered {2}s2\.sin\.anycast\.example/)
    assert.match(text.stdout, /dns-identity: s2\.sin\.anycast\.example -> sin \(iata\) — .*IATA SIN/)
    // two names of equal weight: FRA is only a hint (model/pop-confidence.ts), never a verdict
    assert.ok(doc.pop.confidence < 0.5, String(doc.pop.confidence))
  })

  it('--tcp table output names the queries, the identity and the PoP', async () => {
    const r = await runCli(['localhost', '--port', String(servers.identity!.port), '--tcp', '--timeout', '1500ms'])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /hostname\.bind CH TXT\s+NOERROR/)
    assert.match(r.stdout, /nsid\s+s1\.fra \(0x73312e667261\)/)
    assert.match(r.stdout, /PoP: FRA/)
  })

  it('all queries time out: result still printed with pop null, exit code 4', async () => {
    const r = await runCli(['127.0.0.1', '--port', String(servers.silent!.port), '--timeout', '300ms', '--json'])
    assert.equal(r.status, 4, r.stderr)
    const doc = JSON.parse(r.stdout) as DnsResult
    assert.deepEqual(schemaErrors('dns.schema.json', doc), [])
    assert.equal(doc.pop, null)
    assert.equal(doc.answered, false)
    assert.ok(doc.queries.every((q) => q.rcode === null && q.rttMs === null && q.error === 'timeout'))
    // the code and hint http gives a server that never answered (audit-cli 8)
    assert.match(r.stderr, /^warning: E_TIMEOUT: .*\(exit 4\)$/m)
    assert.match(r.stderr, /^hint: the server may be down or filtered; raise --timeout if it is just slow$/m)
  })

  it('closed port: exit 4 and the warning says the port is closed, not "timeout"', async () => {
    const r = await runCli(['127.0.0.1', '--port', String(await closedPort())])
    assert.equal(r.status, 4, r.stderr)
    assert.match(r.stderr, /port is closed/)
    // the code and hint http gives a closed port (audit-cli 8: a bare warning with neither)
    assert.match(r.stderr, /^warning: E_UNREACHABLE: .*port is closed.*\(exit 4\)$/m)
    assert.match(r.stderr, /^hint: nothing listens on port \d+ there; check the port/m)
    assert.match(r.stdout, /hostname\.bind CH TXT\s+-\s+\*\s+\(refused\)/)
    assert.match(r.stdout, /PoP: unknown/)
  })

  it('only malformed replies: exit 7, the warning and the table count them, no wait for the timeout', async () => {
    const r = await runCli(['127.0.0.1', '--port', String(servers.garbage!.port), '--timeout', '5s'])
    assert.equal(r.status, 7, r.stderr)
    assert.match(r.stderr, /4 malformed replies from 127\.0\.0\.1/)
    // the code http gives a reply that is not its protocol, and a hint (audit-cli 8)
    assert.match(r.stderr, /^warning: E_BAD_INPUT: .*4 malformed replies.*\(exit 7\)$/m)
    assert.match(r.stderr, /^hint: .*not be a DNS server: check --port/m)
    assert.doesNotMatch(r.stderr + r.stdout, /no reply/)
    assert.match(r.stdout, /hostname\.bind CH TXT\s+-\s+\*\s+\(malformed\)/)
    assert.match(r.stdout, /^4 malformed replies from 127\.0\.0\.1/m)
    const j = await runCli(['127.0.0.1', '--port', String(servers.garbage!.port), '--timeout', '5s', '--json'])
    assert.equal(j.status, 7, j.stderr)
    const doc = JSON.parse(j.stdout) as DnsResult
    assert.deepEqual(schemaErrors('dns.schema.json', doc), [])
    // the timeout was not waited out: the probe's own duration, not the wall clock around the child
    // (starting node and the TypeScript sources takes seconds on a loaded machine)
    assert.ok(doc.durationMs < 4000, `the probe took ${doc.durationMs} ms with a 5 s timeout`)
  })

  it('bad target and bad duration exit 2 with a stable code', async () => {
    const bad = await runCli(['not a host!', '--json'])
    assert.equal(bad.status, 2)
    assert.equal(JSON.parse(bad.stdout).error.code, 'E_BAD_TARGET')
    const dur = await runCli(['127.0.0.1', '--timeout', 'soon', '--json'])
    assert.equal(dur.status, 2)
    assert.equal(JSON.parse(dur.stdout).error.code, 'E_BAD_DURATION')
  })

  it('a --qname with an empty or over-long label is a usage error, before anything is sent', async () => {
    for (const qname of ['a..b', '.example', `${'x'.repeat(64)}.example`]) {
      const r = await runCli(['127.0.0.1', '--port', String(servers.identity!.port), '--qname', qname, '--json'])
      assert.equal(r.status, 2, `${qname}: ${r.stderr}`)
      assert.equal(JSON.parse(r.stdout).error.code, 'E_USAGE', qname)
    }
    const ok = await runCli(['127.0.0.1', '--port', String(servers.identity!.port), '--qname', 'www.example.', '--json'])
    assert.equal(ok.status, 0, ok.stderr)
  })
})
