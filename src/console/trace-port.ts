// Whether a trace's --port applies: the one decision trace, catchment / sites --method trace (the
// plan, src/console/plan.ts) and watch --method trace make, so they cannot drift apart (catchment
// and watch dropped the port silently while trace refused it).
//
// --port with ICMP (the default protocol everywhere: the trace command, a child anyprobe, RIPE
// Atlas, Globalping) would do nothing: an echo request has no port. A DNS operator used to
// `traceroute -p 53` expects UDP to port 53, and got an ICMP trace with params.port null and no
// word: refused, as every command refuses a flag that does nothing, rather than picking UDP or TCP
// for the user (the two measure different things: a name server's UDP path, a web server's TCP).
import {AnyprobeError, EXIT} from '../model/errors.js'

/** How a command traces: with a --protocol flag (trace, catchment, sites), or ICMP only (watch). */
export type TraceProtocols = 'flag' | 'icmp-only'

/**
 * Throws E_USAGE (exit 2) when a --port is given to an ICMP trace. `protocol`: the trace's
 * --protocol, undefined when not given (ICMP, the default).
 */
export function refuseIcmpPort(protocol: string | undefined, port: number | undefined, protocols: TraceProtocols = 'flag'): void {
  if ((protocol ?? 'icmp') !== 'icmp' || port === undefined) return
  if (protocols === 'icmp-only') {
    throw new AnyprobeError('E_USAGE', `--port ${port} does nothing with ICMP probes (watch --method trace sends ICMP only): an echo request has no port`, {
      hint: `leave --port out (it is the dns server port), or trace to that port with trace or catchment --method trace: --protocol udp --port ${port} (or --protocol tcp)`,
      exitCode: EXIT.usage,
    })
  }
  throw new AnyprobeError('E_USAGE', `--port ${port} does nothing with ICMP probes (the default --protocol): an echo request has no port`, {
    hint: `add --protocol udp (e.g. port 53 for a name server) or --protocol tcp: --protocol udp --port ${port}`,
    exitCode: EXIT.usage,
  })
}
