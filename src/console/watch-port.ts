// Whether a watch's --port applies. For watch, --port is the DNS server port (default 53): only
// --method dns sends to it. A --port the user typed with another method would do nothing, and was
// dropped without a word for http and icmp (review finding); it is refused as trace refuses it
// (./trace-port.ts), each with a hint for that method. The default 53 is no port given.
import {normalizeHttpTarget} from '../engines/http/probe.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {sanitize} from '../util/sanitize.js'
import {refuseIcmpPort} from './trace-port.js'

/**
 * The hint for --port with --method http: the target's URL with `port` in it, or, when the URL has
 * that port already (written in it, as https://h:8443/ with --port 8443, or its scheme's own, 443
 * with https://), to leave --port out: "write the port in the URL" beside a URL that shows it was
 * no help (review finding). A target that is no URL gets the general form (the prober says why).
 */
function httpPortHint(target: string, port: number): string {
  let url: URL
  try {
    url = normalizeHttpTarget(target)
  } catch {
    return `write the port in the URL: http://HOST:${port}/ or https://HOST:${port}/`
  }
  if (url.port === String(port)) return `leave --port out: the URL names port ${port} already (${sanitize(url.toString(), 300)})`
  const named = url.port
  url.port = String(port)
  // URL drops the scheme's own port (80 for http:, 443 for https:): the URL says it already, unless
  // it named another (https://h:8443/ with --port 443 is https://h/: drop the URL's port)
  const scheme = url.protocol.slice(0, -1)
  if (url.port === '' && named === '') return `leave --port out: the URL's port is ${port} already, ${scheme}'s own (${sanitize(url.toString(), 300)})`
  if (url.port === '') return `${port} is ${scheme}'s own port: drop :${named} from the URL (${sanitize(url.toString(), 300)}) and leave --port out`
  return `write the port in the URL: ${sanitize(url.toString(), 300)}`
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
    throw new AnyprobeError('E_USAGE', `--port ${port} does nothing with --method http: the port of an HTTP probe is the URL's (--port is the dns server port)`, {
      hint: httpPortHint(target, port),
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
