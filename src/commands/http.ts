// anyprobe http <url | address>: fetch once, time every phase from socket events, and name the edge
// PoP from the response headers (CF-RAY, X-Served-By, X-Amz-Cf-Pop, ...), /cdn-cgi/trace (--cf-trace)
// and the operator's own headers (--pop-header). Thin: normalise, probe, infer, return.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../base-command.js'
import {normalizeHttpTarget} from '../engines/http/probe.js'
import {isPopHeader, parseVpLocation} from '../infer/index.js'
import {EXIT} from '../model/errors.js'
import {noAnswerWarning} from '../model/no-answer.js'
import type {HttpMethod, HttpResult} from '../model/http.js'
import {probeHttpTarget} from '../pipeline/http.js'
import {renderHttp} from '../render/http.js'
import {parseDuration} from '../util/duration.js'
import {fromElsewhere} from '../console/from-elsewhere.js'
import {vantageFlags} from '../console/vantage-flags.js'
import {checkHttpSettings} from '../console/probe-settings.js'
import type {MultiResult} from '../model/probe.js'

export default class Http extends BaseCommand {
  static override summary = 'Ask an anycast HTTP(S) service which edge answered, with per-phase timings'

  static override description = `Sends one request on a fresh connection (no keep-alive reuse) and times DNS, connect, TLS and first byte from socket events; a phase that did not happen is null (no DNS for an address, no TLS for http://). The PoP comes from the response headers CDNs and operators set (CF-RAY, X-Served-By, X-Amz-Cf-Pop, ...), optionally Cloudflare's /cdn-cgi/trace (--cf-trace), and headers you name with --pop-header.

Redirects are not followed unless --follow (then at most 5, each hop recorded; a chain still redirecting after 5 is reported as stopped at the limit). With --host, every URL on that host still goes to the address you gave (like curl --resolve). A chain that ends on another address (a redirect to another host) names the PoP from the last response of the target's own address, never from the other service's edge (popFrom says so).

Exit codes: 0 on any HTTP response (a 404 or 500 still names its edge; so does the last 3xx when --follow stops at the redirect limit, which is said); 2 bad URL or flag; 3 name did not resolve; 4 connection refused, timed out, or closed by the far end without a response (the result is still printed, with status null); 6 a certificate not trusted, a TLS protocol this client does not allow, or other local network errors; 7 the response was not HTTP at all, the server answered the TLS handshake with what is not TLS or refused it with an alert, or its headers exceed 64 KB. A response with a malformed header (a control character) is read anyway and the bad header named; one whose body is cut short after the headers (closed mid-body, slower than --timeout, a broken chunk) is a response too: its headers are used and bodyError says why. With --from (several vantage points): 0 the target answered every one, 9 some, 4 none.`

  static override examples = [
    '<%= config.bin %> http http://198.51.100.10/',
    '<%= config.bin %> http 198.51.100.10 --host www.example.net --cf-trace',
    "<%= config.bin %> http https://203.0.113.7/ --host cdn.example.net --insecure --pop-header X-Server-Location --json",
  ]

  static override args = {
    target: Args.string({description: 'URL (http:// or https://) or address', required: true}),
  }

  static override flags = {
    method: Flags.string({description: 'request method', default: 'GET', options: ['GET', 'HEAD']}),
    host: Flags.string({description: 'Host header (and TLS SNI) to send, for probing an address'}),
    // one value per flag (repeatable): a greedy flag took the URL after it for a second header
    header: Flags.string({description: "extra request header 'Name: value' (repeatable)", multiple: true, multipleNonGreedy: true}),
    insecure: Flags.boolean({description: 'do not verify the TLS certificate', default: false}),
    timeout: Flags.string({description: 'limit for each request, e.g. 500ms or 5s', default: '5s'}),
    follow: Flags.boolean({description: 'follow redirects (at most 5), recording each hop', default: false}),
    'cf-trace': Flags.boolean({description: "also fetch /cdn-cgi/trace on the same origin and use its colo=", default: false}),
    'pop-header': Flags.string({
      description: 'a response header the operator sets to name the site, e.g. X-Server-Location (repeatable)',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'vp-location': Flags.string({
      description: 'where THIS host is (e.g. "FRA" or "50.03,8.57"), so RTT can rule out far PoPs; for vantage points of --from (catchment, sites, report) use --location NAME=LAT,LON there',
    }),
    ...vantageFlags,
  }

  public async run(): Promise<HttpResult | MultiResult> {
    const {args, flags, metadata} = await this.parse(Http)
    const multi = await fromElsewhere({flags, metadata}, 'http', args.target, {json: this.jsonEnabled(), log: (t) => this.log(t)})
    if (multi) return multi
    const timeoutMs = parseDuration(flags.timeout, '--timeout')
    const vpLocation = flags['vp-location'] === undefined ? null : parseVpLocation(flags['vp-location'])
    const url = normalizeHttpTarget(args.target)
    const method = flags.method as HttpMethod
    // the checks a multi-vantage run makes before its vantage points start (console/probe-settings.ts)
    const {headers, host, popHeaders} = checkHttpSettings(flags)

    const result = await probeHttpTarget({url, method, host, headers, insecure: flags.insecure, timeoutMs, follow: flags.follow, cfTrace: flags['cf-trace'], popHeaders, vpLocation})
    if (result.answered === false) {
      // still a result (what was asked, how it failed), as for dns; scripts see the target did not answer
      process.exitCode = EXIT.unreachable
      const e = result.noAnswer
      process.stderr.write(noAnswerWarning(e ?? {code: 'E_UNREACHABLE', message: 'no response', hint: null}, EXIT.unreachable))
    }
    if (result.redirectError) {
      process.stderr.write(`warning: could not follow the redirect (${result.redirectError.code}); the last response (${result.status}) is reported\n`)
    }
    if (result.redirectLimit) {
      process.stderr.write(`warning: stopped at the redirect limit (${result.redirectLimit.max} followed); the last response (${result.status}) is reported\n`)
    }
    if (!this.jsonEnabled()) this.log(renderHttp(result, isPopHeader))
    return result
  }
}
