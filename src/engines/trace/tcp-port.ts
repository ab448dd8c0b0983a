// What a TCP trace's answers from the target say of its port (one decision, read in arrival order).
//
// Every probe of a Paris trace shares one 4-tuple (source port = flow id, the target's port), and
// the probes of every TTL leave together. On a path longer than the server's time to answer, the
// second SYN reaches the server while the connection the first SYN half-opened is still there (our
// kernel's RST to the unexpected SYN-ACK is still a round trip away). Seen in the lab (tcpdump in
// ap-s-iad, vp-sao 30 ms away, nginx on :80): the server answers SYN-ACK, RST, SYN-ACK, RST, ...:
// Linux's tcp_check_req treats a SYN inside the window of a SYN-RECV connection as RFC 793's
// "SYN in window" error and resets it (RST acknowledging that SYN), and the SYN after that opens a
// fresh one. The RST says nothing of the port: a SYN-ACK to this 4-tuple already proved it open.
// (traceroute -T lets the system pick a source port per probe, and its --sport "implies -N 1 -w 5":
// one probe at a time, traceroute(8); scamper's tcp trace, run beside it in the lab, sends one at a
// time and said [open]. A Paris trace keeps the 4-tuple and sends every TTL at once, so the answers
// are read in the order they came instead. Only Linux servers were seen: another stack may answer a
// second SYN on the same 4-tuple otherwise, e.g. by resending the SYN-ACK for the first, which
// matches no later probe, so those would show '*'; unverified.)
//
// An RST that came before any SYN-ACK is not explained that way: closed to some probes and open to
// others (a port opened during the trace, or hosts behind one address that differ) is said then.
import type {TcpPortState} from '../../model/trace.js'

export type TcpAnswer = 'syn-ack' | 'rst'

/** The port's state from the target's TCP answers in the order they arrived; null when none came. */
export function tcpPortState(answers: readonly TcpAnswer[]): TcpPortState | null {
  if (answers.length === 0) return null
  let synAcks = 0
  let rsts = 0
  let rstsBefore = 0
  let rstsAfterSynAck = 0
  for (const a of answers) {
    if (a === 'syn-ack') synAcks++
    else {
      rsts++
      if (synAcks > 0) rstsAfterSynAck++
      else rstsBefore++
    }
  }
  const state = synAcks === 0 ? 'closed' : rstsBefore > 0 ? 'mixed' : 'open'
  return {state, synAcks, rsts, rstsAfterSynAck}
}
