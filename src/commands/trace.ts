import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'

import {BaseCommand} from '../base-command.js'
import {parseVpLocation} from '../infer/index.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {measuredExit} from '../model/exit.js'
import {traceAnswered} from '../model/reach.js'
import type {TraceResult} from '../model/trace.js'
import {MAX_PROBES_PER_TRACE, WAIT_FACTOR, WAIT_FLOOR_MS} from '../engines/trace/index.js'
import {type TracePlan, traceTarget} from '../pipeline/trace.js'
import {renderTrace} from '../render/trace.js'
import {parseDuration} from '../util/duration.js'
import {mark} from '../util/timing.js'
import {refuseAsnDbWithoutAsn} from '../console/asn-flags.js'
import {fromElsewhere} from '../console/from-elsewhere.js'
import {refuseIcmpPort} from '../console/trace-port.js'
import {vantageFlags} from '../console/vantage-flags.js'
import type {MultiResult} from '../model/probe.js'

export default class Trace extends BaseCommand {
  static override summary = 'Paris-style traceroute from this host that names the PoP which answered'
  static override description =
    'Sends the probes of every TTL at once (paced by --rate) and waits adaptively, so a trace takes about one round trip to the destination. ' +
    'Every probe keeps one flow id (ICMP checksum, UDP/TCP ports), so per-flow load balancers keep the trace on one path. ' +
    'Needs raw sockets: run as root or grant CAP_NET_RAW (exit code 5 otherwise). ' +
    'Exit codes: 0 the target answered (destination reached, or the target itself refused the probes, e.g. !X), 2 bad usage, 3 name did not resolve, 4 the target did not answer (the trace is still printed), 5 no raw-socket privilege, 6 network error. With --from (several vantage points): 0 the target answered every one, 9 some, 4 none.'

  static override examples = [
    '<%= config.bin %> trace 198.51.100.10',
    '<%= config.bin %> trace ns.example.net --protocol udp --port 53',
    '<%= config.bin %> trace 2001:db8::53 --protocol tcp --port 443 --json',
  ]

  static override args = {
    target: Args.string({description: 'IPv4 or IPv6 address, or a hostname', required: true}),
  }

  static override flags = {
    protocol: Flags.string({char: 'P', options: ['icmp', 'udp', 'tcp'], default: 'icmp', description: 'probe protocol'}),
    port: Flags.integer({char: 'p', min: 1, max: 65535, description: 'destination port (udp default 33434, tcp default 80)'}),
    'max-hops': Flags.integer({char: 'm', min: 1, max: 255, default: 32, description: 'largest TTL probed'}),
    'first-hop': Flags.integer({char: 'f', min: 1, max: 255, default: 1, description: 'first TTL probed'}),
    probes: Flags.integer({char: 'q', min: 1, max: 10, default: 3, description: 'probes per hop'}),
    timeout: Flags.string({char: 'w', default: '1s', description: 'how long a probe waits when nothing farther answered (e.g. 500ms, 1s)'}),
    rate: Flags.integer({min: 1, description: 'at most this many probes per second (default: unpaced)'}),
    'flow-id': Flags.integer({min: 1, max: 65535, description: 'Paris flow identifier held by every probe (default: random)'}),
    'wait-factor': Flags.string({
      description: `a silent hop waits this many times the largest RTT of the hops that answered beyond it (at least ${WAIT_FLOOR_MS} ms, at most --timeout); raise it if slow routers show as *`,
      default: String(WAIT_FACTOR),
    }),
    'gap-limit': Flags.integer({min: 1, max: 255, default: 5, description: 'stop after this many silent hops in a row'}),
    dns: Flags.boolean({default: true, allowNo: true, description: 'look up reverse DNS of hops (--no-dns to skip)'}),
    numeric: Flags.boolean({char: 'n', description: 'addresses only, no reverse DNS (as traceroute -n; the same as --no-dns)'}),
    asn: Flags.boolean({default: true, allowNo: true, description: 'look up ASNs (--no-asn to skip)'}),
    'asn-db': Flags.string({multiple: true, multipleNonGreedy: true, description: 'MaxMind-format ASN database (.mmdb) to consult before the bundled GeoLite2 ASN'}),
    'vp-location': Flags.string({description: 'where THIS host is (lat,lon or an airport code), for the RTT-feasibility check; for vantage points of --from (catchment, sites, report) use --location NAME=LAT,LON there'}),
    ipv4: Flags.boolean({exclusive: ['ipv6'], description: 'use IPv4 when the target is a name'}),
    ipv6: Flags.boolean({exclusive: ['ipv4'], description: 'use IPv6 when the target is a name'}),
    ...vantageFlags,
  }

  async run(): Promise<TraceResult | MultiResult> {
    mark('trace run')
    const {args, flags, metadata} = await this.parse(Trace)
    mark('parsed')
    refuseIcmpPort(flags.protocol, flags.port)
    refuseAsnDbWithoutAsn(flags.asn, flags['asn-db'])
    const multi = await fromElsewhere({flags, metadata}, 'trace', args.target, {json: this.jsonEnabled(), log: (t) => this.log(t)})
    if (multi) return multi
    const ac = new AbortController()
    const onSignal = (): void => ac.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    try {
      const result = await traceTarget({...tracePlan(args.target, flags), signal: ac.signal})
      if (!this.jsonEnabled()) this.log(renderTrace(result))
      mark('rendered')
      // The measurement is still printed in full; the exit code tells scripts whether the target
      // answered, by the rule --from and catchment use (traceAnswered): a target that refused the
      // probes itself (!X from its own address) answered, and its PoP may be named; exit 4 beside
      // a named PoP contradicted itself, and `trace --from` said 0 for the same trace.
      const code = traceExitCode(result)
      if (code !== EXIT.ok) process.exitCode = code
      return result
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}

/** One local trace's exit code: 0 when its target answered (traceAnswered), else 4. */
export function traceExitCode(result: TraceResult): number {
  return measuredExit({answered: traceAnswered(result) ? 1 : 0, total: 1})
}

type TraceFlags = Interfaces.InferredFlags<typeof Trace.flags>

/** The trace a command line asks for (flag values checked here, the target by the pipeline). */
export function tracePlan(target: string, flags: TraceFlags): TracePlan {
  const vpLocation = flags['vp-location'] ? parseVpLocation(flags['vp-location']) : null
  if (flags['vp-location'] && !vpLocation) {
    throw new AnyprobeError('E_USAGE', `--vp-location: cannot read "${flags['vp-location']}"`, {
      hint: 'give lat,lon (e.g. 52.52,13.40) or an airport code (e.g. BER)',
      exitCode: EXIT.usage,
    })
  }
  refuseIcmpPort(flags.protocol, flags.port)
  refuseAsnDbWithoutAsn(flags.asn, flags['asn-db'])
  checkTtlRange(flags['first-hop'], flags['max-hops'], flags.probes)
  return {
    target,
    protocol: flags.protocol as TraceResult['protocol'],
    port: flags.port ?? null,
    maxHops: flags['max-hops'],
    firstHop: flags['first-hop'],
    probes: flags.probes,
    timeoutMs: parseDuration(flags.timeout, '--timeout'),
    rate: flags.rate ?? null,
    flowId: flags['flow-id'] ?? null,
    gapLimit: flags['gap-limit'],
    waitFactor: parseWaitFactor(flags['wait-factor']),
    family: flags.ipv4 ? 4 : flags.ipv6 ? 6 : null,
    dns: flags.dns && !flags.numeric,
    asn: flags.asn,
    asnDbs: flags['asn-db'] ?? [],
    vpLocation,
  }
}

/** The TTL range and probe count the engine takes, said in flag names (the engine's own words lack them). */
function checkTtlRange(firstHop: number, maxHops: number, probes: number): void {
  if (firstHop > maxHops) {
    throw new AnyprobeError('E_USAGE', `--first-hop ${firstHop} is past --max-hops ${maxHops}`, {
      hint: 'the first TTL probed must be at most the last: lower --first-hop or raise --max-hops',
      exitCode: EXIT.usage,
    })
  }
  const total = (maxHops - firstHop + 1) * probes
  if (total > MAX_PROBES_PER_TRACE) {
    throw new AnyprobeError('E_USAGE', `(--max-hops - --first-hop + 1) × --probes = ${total} probes; a trace sends at most ${MAX_PROBES_PER_TRACE}`, {
      hint: `lower --probes or --max-hops (e.g. --max-hops ${Math.floor(MAX_PROBES_PER_TRACE / probes) + firstHop - 1})`,
      exitCode: EXIT.usage,
    })
  }
}

function parseWaitFactor(text: string): number {
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0 || n > 100) {
    throw new AnyprobeError('E_USAGE', `--wait-factor: expected a number above 0 and at most 100 (got "${text}")`, {
      hint: `e.g. --wait-factor 3 waits three round trips for a silent hop (default ${WAIT_FACTOR})`,
      exitCode: EXIT.usage,
    })
  }
  return n
}
