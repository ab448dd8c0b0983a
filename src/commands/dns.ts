// anyprobe dns <target>: ask a DNS server who it is (CHAOS hostname.bind / id.server / version.bind,
// EDNS NSID) and name the PoP that answered. Thin: resolve, probe, infer, return; the table comes
// from render/dns.ts and --json is printed by oclif from the returned result.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../base-command.js'
import {QTYPES} from '../engines/dns/packet.js'
import {parseVpLocation} from '../infer/index.js'
import type {DnsResult} from '../model/dns.js'
import {EXIT} from '../model/errors.js'
import {noAnswerWarning} from '../model/no-answer.js'
import {renderDns} from '../render/dns.js'
import {dnsNoAnswerError} from '../util/dns-no-answer.js'
import {parseDuration} from '../util/duration.js'
import {probeDnsTarget} from '../pipeline/dns.js'
import {fromElsewhere} from '../console/from-elsewhere.js'
import {vantageFlags} from '../console/vantage-flags.js'
import {checkQname} from '../console/probe-settings.js'
import type {MultiResult} from '../model/probe.js'

export default class Dns extends BaseCommand {
  static override summary = 'Ask an anycast DNS server which instance answered (CHAOS TXT and EDNS NSID)'

  static override description = `Sends CH TXT hostname.bind, id.server and version.bind, and one ordinary query carrying the EDNS NSID option, all at once, and names the PoP from the identities the server gives.

A server that refuses CHAOS queries (REFUSED, NOTIMP) or ignores NSID is a normal result. The ordinary query (default ". SOA") is there to carry NSID: an authoritative server that does not serve the root answers it REFUSED, with its NSID all the same. A query with no reply shows rcode null and error "timeout" (or "refused" when the port is closed); one whose reply could not be decoded shows error "malformed" at once (replies with another id are ignored). The queries leave from one source port (one flow; over TCP one connection), and a truncated UDP reply is asked again over TCP, as dig does. Records of a CHAOS reply that do not answer its question (another class, name or type) are shown apart, never read as the identity.

Exit codes: 0 when the server answered at least one query (even if no PoP could be named); 4 when no query got a reply (the result is still printed, with pop null); 7 when no reply could be read and some were malformed (not DNS messages; the result is still printed); 6 when no query could leave this host (no route to the target: the result is still printed); 2 for a bad target or flag; 3 when a hostname does not resolve. With --from (several vantage points): 0 the target answered every one, 9 some, 4 none.`

  static override examples = [
    '<%= config.bin %> dns 198.51.100.10',
    '<%= config.bin %> dns 198.51.100.10 --tcp --timeout 500ms',
    '<%= config.bin %> dns ns1.example.net --qname example.net --qtype SOA --json',
  ]

  static override args = {
    target: Args.string({description: 'server address or hostname', required: true}),
  }

  static override flags = {
    tcp: Flags.boolean({description: 'query over TCP (2-byte length prefix) instead of UDP', default: false}),
    port: Flags.integer({description: 'server port', default: 53, min: 1, max: 65_535}),
    timeout: Flags.string({description: 'how long to wait for each reply, e.g. 500ms or 2s', default: '2s'}),
    qname: Flags.string({description: 'name of the ordinary query that carries the NSID option', default: '.'}),
    qtype: Flags.string({description: 'type of the ordinary query', default: 'SOA', options: [...QTYPES]}),
    'vp-location': Flags.string({
      description: 'where THIS host is (e.g. "FRA" or "50.03,8.57"), so RTT can rule out far PoPs; for vantage points of --from (catchment, sites, report) use --location NAME=LAT,LON there',
    }),
    ...vantageFlags,
  }

  public async run(): Promise<DnsResult | MultiResult> {
    const {args, flags, metadata} = await this.parse(Dns)
    const multi = await fromElsewhere({flags, metadata}, 'dns', args.target, {json: this.jsonEnabled(), log: (t) => this.log(t)})
    if (multi) return multi
    const timeoutMs = parseDuration(flags.timeout, '--timeout')
    const vpLocation = flags['vp-location'] === undefined ? null : parseVpLocation(flags['vp-location'])
    // the check a multi-vantage run makes before its vantage points start (console/probe-settings.ts)
    const qname = checkQname(flags.qname)
    const transport = flags.tcp ? 'tcp' : 'udp'
    const result = await probeDnsTarget({target: args.target, port: flags.port, transport, timeoutMs, qname, qtype: flags.qtype, vpLocation})
    const noAnswer = dnsNoAnswerError(result)
    if (noAnswer !== null) {
      // still a result (what was asked, what timed out), but scripts must see the server did not
      // answer (4), answered only with what is not DNS (7: remote data that cannot be parsed), or
      // that no query left this host (6: no route): with the code and hint http gives the same
      process.exitCode = noAnswer.exitCode
      process.stderr.write(noAnswerWarning(noAnswer, noAnswer.exitCode))
    }
    if (!this.jsonEnabled()) this.log(renderDns(result))
    return result
  }
}
