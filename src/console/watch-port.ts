// Whether a watch's --port applies. For watch, --port is the DNS server port (default 53): only
// --method dns sends to it. A --port the user typed with another method would do nothing, and was
// dropped without a word for http and icmp (review finding); it is refused as trace refuses it
// (./trace-port.ts), each with a hint for that method. The default 53 is no port given.
import {normalizeHttpTarget} from '../engines/http/probe.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {sanitize} from '../util/sanitize.js'
import {refuseIcmpPort} from './trace-port.js'

/** The target's URL with `port` in it, for a hint; null when the target is no URL (the prober says so). */
function urlWithPort(target: string, port: number): string | null {
  try {
    const url = normalizeHttpTarget(target)
    url.port = String(port)
    // the scheme's own port (80 for http:, 443 for https:) is not written: the URL already says it
    return url.port === '' ? `${url.toString()} (its port is ${port} already: leave --port out)` : url.toString()
  } catch {
    return null
  }
}

/**
 * Throws E_USAGE (exit 2) when `port` (undefined: not given by the user) is given with a watch
 * method that cannot use it: http (the port is the URL's), icmp (an echo request has no port),
 * trace (ICMP only, as ./trace-port.ts says).
 */
export function refuseUnusedWatchPort(method: string, target: string, port: number | undefined): void {
  if (port === undefined) return
  if (method === 'trace') refuseIcmpPort(undefined, port, 'icmp-only')
  if (method === 'http') {
    const url = urlWithPort(target, port)
    throw new AnyprobeError('E_USAGE', `--port ${port} does nothing with --method http: the port of an HTTP probe is the URL's (--port is the dns server port)`, {
      hint: url === null ? `write the port in the URL: http://HOST:${port}/ or https://HOST:${port}/` : `write the port in the URL: ${sanitize(url, 300)}`,
      exitCode: EXIT.usage,
    })
  }
  if (method === 'icmp') {
    throw new AnyprobeError('E_USAGE', `--port ${port} does nothing with --method icmp: an echo request has no port`, {
      hint: 'leave --port out (it is the dns server port), or watch the port with --method dns (a name server) or --method http and the port in the URL',
      exitCode: EXIT.usage,
    })
  }
}
