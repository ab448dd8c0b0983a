// Build-time only (scripts/bundle.mjs): one trace's worth of work, run on a scenario transport and
// a virtual clock (nothing is sent), after which the build writes V8's code cache for the bundle.
//
// Why: V8 compiles a function on its first call. The code cache holds what was compiled before it
// was written, so work done here (flag parsing, the engine, reverse-name hints, PoP inference, the
// table) runs from cached bytecode in every later process instead of being compiled again; that
// was ~10 ms of a short trace. The names below are invented examples of common router naming
// styles; no answer is kept, only the compiled code.
import * as Parser from '@oclif/core/parser'

import Trace from './commands/trace.js'
import {openAsnLookup} from './enrich/asn.js'
import type {ReverseResolver} from './enrich/rdns.js'
import {FakeClock, ScenarioTransport} from './engines/trace/scenario.js'
import {traceTarget} from './pipeline/trace.js'
import {renderTrace} from './render/trace.js'

const NAMES: Record<string, string> = {
  '192.0.2.1': 'gw.example.net',
  '203.0.113.5': 'ae-3.r21.frnkge08.de.bb.example.net',
  '203.0.113.9': 'be30.cr2.iad02.transit.example',
  '203.0.113.13': 'et-0-0-0.edge1.ashburn1.pop.example',
  '198.51.100.10': 'ns1.anycast.example',
}

const names: ReverseResolver = {reverse: async (addr) => NAMES[addr] ?? null}

export async function warmUp(): Promise<void> {
  await Parser.parse(['198.51.100.10', '--protocol', 'udp', '--no-dns', '--timeout', '1s'], {flags: Trace.flags, args: Trace.args, strict: true})
  const clock = new FakeClock()
  const transport = new ScenarioTransport(
    {
      name: 'warm-up',
      description: 'build-time warm-up',
      options: {target: '198.51.100.10', family: 4, protocol: 'icmp', maxHops: 32, probes: 3, timeoutMs: 1000},
      hops: [
        {ttl: 1, addr: '192.0.2.1', rttMs: 0.4},
        {ttl: 2},
        {ttl: 3, addr: '203.0.113.5', rttMs: [8, 9, null]},
        {ttl: 4, addr: '203.0.113.9', rttMs: 30},
        {ttl: 5, addr: '203.0.113.13', rttMs: 31},
        {ttl: [6, 32], addr: '198.51.100.10', rttMs: 32, kind: 'echo-reply'},
      ],
      expect: {stopReason: 'completed', destinationReached: true, hops: []},
    },
    clock,
  )
  const result = await clock.run(
    traceTarget(
      {
        target: '198.51.100.10', protocol: 'icmp', port: null, maxHops: 32, firstHop: 1, probes: 3, timeoutMs: 1000,
        rate: null, flowId: null, gapLimit: 5, family: null, dns: true, asn: true, asnDbs: [], vpLocation: null,
      },
      {transport: () => transport, rdns: names, asn: await openAsnLookup([]), clock},
    ),
  )
  renderTrace(result)
  JSON.stringify(result)
}
