// Flags to a plan, one way (CLI layer). A ProbePlan has two forms of the same request: the
// command-line arguments a local/netns/ssh child anyprobe gets (cliArgs), and normalized options
// for backends that build their own requests (RIPE Atlas, Globalping). Both are derived here from
// the same flags the user set, so a flag cannot reach one and miss the other, and trace / dns /
// http --from, catchment and sites build the same plan from the same flags.
//
// Only flags the user set go into the plan: defaults are left to whoever measures (the child
// anyprobe's own, RIPE Atlas's, Globalping's). A flag that does not apply to the method is E_USAGE
// (exit 2) with a hint saying which methods take it, and --port with an ICMP trace is refused as
// the trace command refuses it (./trace-port.ts). The plan also lists the flags given
// (plan.given): RIPE Atlas and Globalping refuse one their request cannot carry (src/vantage/
// plan-flags.ts) instead of dropping it. --vp-location (where THIS host is) goes only with --from
// local: a netns/ssh child or a remote probe is somewhere else, so it is refused with the others.
import * as Flags from '@oclif/core/flags'

import {QTYPES} from '../engines/dns/packet.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import type {ProbeMethod, ProbePlan} from '../model/probe.js'
import {parseDuration} from '../util/duration.js'
import {parseFrom, specKey} from '../vantage/from.js'
import {refuseAsnDbWithoutAsn} from './asn-flags.js'
import {checkProbeSettings} from './probe-settings.js'
import {refuseIcmpPort} from './trace-port.js'
import {VANTAGE_FLAG_NAMES} from './vantage-flags.js'

type Options = ProbePlan['options']

interface PlanFlag {
  /** the methods the flag applies to */
  methods: readonly ProbeMethod[]
  /** a boolean whose false is passed on as --no-NAME */
  allowNo?: boolean
  /** its share of the normalized options (absent: it only reaches the child's command line) */
  option?: (o: Options, v: unknown) => void
}

const TRACE = ['trace'] as const
const LOCAL_PROBES = ['trace', 'dns', 'http'] as const

/**
 * Every flag a plan can carry, named as the child command (trace / dns / http) spells it, in the
 * order the child gets them. A new flag of trace / dns / http belongs here (test/unit/plan.test.ts
 * checks every one is).
 */
export const PLAN_FLAGS: Readonly<Record<string, PlanFlag>> = {
  protocol: {methods: TRACE, option: (o, v) => (o.protocol = v as Options['protocol'])},
  port: {methods: ['trace', 'dns'], option: (o, v) => (o.port = v as number)},
  'max-hops': {methods: TRACE, option: (o, v) => (o.maxHops = v as number)},
  'first-hop': {methods: TRACE, option: (o, v) => (o.firstHop = v as number)},
  probes: {methods: ['trace', 'ping'], option: (o, v) => (o.probes = v as number)},
  timeout: {methods: ['trace', 'dns', 'http', 'ping'], option: (o, v) => (o.timeoutMs = parseDuration(String(v), '--timeout'))},
  rate: {methods: TRACE},
  'flow-id': {methods: TRACE},
  'wait-factor': {methods: TRACE},
  'gap-limit': {methods: TRACE},
  dns: {methods: TRACE, allowNo: true, option: (o, v) => v === false && (o.rdns = false)},
  numeric: {methods: TRACE, option: (o, v) => v === true && (o.rdns = false)},
  asn: {methods: TRACE, allowNo: true, option: (o, v) => v === false && (o.asn = false)},
  'asn-db': {methods: TRACE},
  ipv4: {methods: TRACE, option: (o, v) => v === true && (o.af = 4)},
  ipv6: {methods: TRACE, option: (o, v) => v === true && (o.af = 6)},
  tcp: {methods: ['dns'], option: (o, v) => (o.tcp = v === true)},
  qname: {methods: ['dns'], option: (o, v) => (o.qname = String(v).trim())},
  qtype: {methods: ['dns'], option: (o, v) => (o.qtype = String(v))},
  method: {methods: ['http'], option: (o, v) => (o.method = v as Options['method'])},
  host: {methods: ['http'], option: (o, v) => (o.host = String(v))},
  header: {methods: ['http'], option: (o, v) => (o.headers = [...(v as string[])])},
  insecure: {methods: ['http']},
  follow: {methods: ['http']},
  'cf-trace': {methods: ['http']},
  'pop-header': {methods: ['http'], option: (o, v) => (o.popHeaders = [...(v as string[])])},
  'vp-location': {methods: LOCAL_PROBES},
}

/**
 * The plan for METHOD at TARGET from the flags the user set (keys as in PLAN_FLAGS). `spelled`
 * maps a key to the name the user typed when the command names it otherwise (catchment's --rdns is
 * trace's --dns), for the usage error. Throws E_USAGE for a flag that does not apply to the method,
 * E_BAD_DURATION for an unreadable --timeout.
 */
export function planFromFlags(method: ProbeMethod, target: string, given: Record<string, unknown>, spelled: Record<string, string> = {}): ProbePlan {
  for (const name of Object.keys(given)) {
    if (!(name in PLAN_FLAGS)) throw new Error(`planFromFlags: --${name} is not a plan flag (add it to PLAN_FLAGS)`)
  }
  const cliArgs = [target]
  const options: Options = {}
  const set: string[] = []
  for (const [name, def] of Object.entries(PLAN_FLAGS)) {
    const v = given[name]
    if (v === undefined) continue
    set.push(name)
    if (!def.methods.includes(method)) {
      const typed = `--${v === false && def.allowNo ? 'no-' : ''}${spelled[name] ?? name}`
      throw new AnyprobeError('E_USAGE', `${typed} does not apply to --method ${method}`, {
        hint: `${typed} is for --method ${def.methods.join(' / ')}`,
        exitCode: EXIT.usage,
      })
    }
    if (typeof v === 'boolean') {
      if (v) cliArgs.push(`--${name}`)
      else if (def.allowNo) cliArgs.push(`--no-${name}`)
      else continue
    } else {
      for (const item of Array.isArray(v) ? v : [v]) cliArgs.push(`--${name}=${String(item)}`)
    }
    def.option?.(options, v)
  }
  // a --port with the default (ICMP) trace: refused as the trace command refuses it, not dropped
  if (method === 'trace') refuseIcmpPort(given.protocol as string | undefined, given.port as number | undefined)
  // --no-asn with --asn-db: refused as trace refuses it, where the children and the remote plan dropped the file
  refuseAsnDbWithoutAsn(given.asn, given['asn-db'] as string[] | undefined)
  // --qname '', --header without a colon, --host 'a b': refused here as the command measuring here
  // refuses them (exit 2), not by every vantage point's child (then exit 4: "nobody answered");
  // a RIPE Atlas / Globalping request never carried them (an empty --qname asked hostname.bind)
  checkProbeSettings(method, given)
  return {method, target, cliArgs, given: set, options}
}

/** How a command that measures by any method spells the plan's flags. */
export interface PlanSpelling {
  /** the command's own flags, not the measurement's (never in the plan) */
  skip?: readonly string[]
  /** a command's name for a plan flag (catchment --rdns is trace --dns) */
  rename?: Readonly<Record<string, string>>
}

type Parsed = {flags: Record<string, unknown> & {from?: string[]}; metadata: {flags: Record<string, {setFromDefault?: boolean} | undefined>}}

/**
 * The flags the user set on the command line (oclif's parse: flags and metadata), keyed as in
 * PLAN_FLAGS, without the --from flags, --json and the command's own flags.
 */
export function userFlags(parsed: Parsed, spelling: PlanSpelling = {}): Record<string, unknown> {
  const skipped = new Set(spelling.skip ?? [])
  const out: Record<string, unknown> = {}
  for (const [name, v] of Object.entries(parsed.flags)) {
    if (v === undefined || VANTAGE_FLAG_NAMES.has(name) || skipped.has(name) || parsed.metadata.flags[name]?.setFromDefault) continue
    out[spelling.rename?.[name] ?? name] = v
  }
  return out
}

/** The plan of a parsed command line: what every command that measures elsewhere calls. */
export function planFromParse(method: ProbeMethod, target: string, parsed: Parsed, spelling: PlanSpelling = {}): ProbePlan {
  const back: Record<string, string> = {}
  for (const [theirs, ours] of Object.entries(spelling.rename ?? {})) back[ours] = theirs
  const given = userFlags(parsed, spelling)
  if (given['vp-location'] !== undefined) refuseVpLocationElsewhere(parsed.flags.from ?? [])
  return planFromFlags(method, target, given, back)
}

/**
 * --vp-location says where THIS host is (for the RTT-feasibility check). Passed to a netns/ssh
 * child or a remote probe it would place that vantage point here and judge its RTTs from the wrong
 * place, so it goes only with --from local (or no --from); the others are placed with --location.
 */
function refuseVpLocationElsewhere(from: readonly string[]): void {
  const elsewhere = parseFrom([...from]).find((s) => s.kind !== 'local')
  if (elsewhere === undefined) return
  throw new AnyprobeError('E_USAGE', `--vp-location says where this host is; it does not go with --from ${specKey(elsewhere)}`, {
    hint: '--location NAME=LAT,LON (repeatable) or --locations FILE places vantage points of --from (catchment, sites); RIPE Atlas and Globalping probes have their own location',
    exitCode: EXIT.usage,
  })
}

/**
 * The plan flags of commands that measure by any method (catchment, sites), for those they do not
 * define themselves: no defaults (the child's or the service's own apply). A repeatable flag takes
 * one value each time (multipleNonGreedy), so the TARGET after it stays the target.
 */
export const measureFlags = {
  protocol: Flags.string({char: 'P', options: ['icmp', 'udp', 'tcp'], description: 'trace: probe protocol'}),
  port: Flags.integer({char: 'p', min: 1, max: 65_535, description: 'trace / dns: destination port'}),
  'max-hops': Flags.integer({min: 1, max: 255, description: 'trace: largest TTL probed'}),
  timeout: Flags.string({char: 'w', description: 'the probe\'s own timeout at each vantage point (e.g. 1s)'}),
  tcp: Flags.boolean({description: 'dns: query over TCP'}),
  qname: Flags.string({description: 'dns: name of the ordinary query that carries the NSID option (default ".")'}),
  qtype: Flags.string({options: [...QTYPES], description: 'dns: type of the ordinary query (default SOA)'}),
  host: Flags.string({description: 'http: Host header (and SNI) to send'}),
  header: Flags.string({multiple: true, multipleNonGreedy: true, description: "http: extra request header 'Name: value' (repeatable)"}),
  'pop-header': Flags.string({multiple: true, multipleNonGreedy: true, description: 'http: a response header the operator sets to name the site (repeatable)'}),
  // the rest of trace's and http's own flags (catchment --method trace --gap-limit was "Nonexistent flag")
  'first-hop': Flags.integer({min: 1, max: 255, description: 'trace: first TTL probed'}),
  'gap-limit': Flags.integer({min: 1, max: 255, description: 'trace: stop after this many silent hops in a row'}),
  'flow-id': Flags.integer({min: 1, max: 65_535, description: 'trace: Paris flow identifier held by every probe'}),
  rate: Flags.integer({min: 1, description: 'trace: at most this many probes per second'}),
  'wait-factor': Flags.string({description: 'trace: a silent hop waits this many times the largest RTT beyond it'}),
  ipv4: Flags.boolean({exclusive: ['ipv6'], description: 'trace: use IPv4 when the target is a name'}),
  ipv6: Flags.boolean({exclusive: ['ipv4'], description: 'trace: use IPv6 when the target is a name'}),
  'asn-db': Flags.string({multiple: true, multipleNonGreedy: true, description: 'trace: MaxMind-format ASN database (.mmdb) consulted first'}),
  insecure: Flags.boolean({description: 'http: do not verify the TLS certificate'}),
  follow: Flags.boolean({description: 'http: follow redirects (at most 5)'}),
  'cf-trace': Flags.boolean({description: "http: also fetch /cdn-cgi/trace and use its colo="}),
}
