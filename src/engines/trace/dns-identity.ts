// What a DNS probe's answer (UDP to port 53: CH TXT id.server with an NSID request) says of its
// server, and which of the two sources said it: a server that answers id.server but sends no NSID
// (or the other way round) was labelled "(id.server, NSID)" all the same.
import {decodeReply, identityStrings, type ParsedReply, readReply} from '../dns/packet.js'

export type IdentitySource = 'id.server' | 'NSID'

export interface ProbeIdentity {
  /** id.server TXT strings, then the NSID text, without repeats (identityStrings) */
  strings: string[]
  /** the sources that answered with something readable, in that order */
  sources: IdentitySource[]
}

/** The identity of a parsed answer, with the sources that gave it. */
export function probeIdentity(r: ParsedReply): ProbeIdentity {
  const sources: IdentitySource[] = []
  // identityStrings keeps a NOERROR answer's non-blank TXT strings, then a text NSID (a binary one has no text to show)
  if (r.rcode === 'NOERROR' && r.answers.some((a) => a.trim() !== '')) sources.push('id.server')
  if (r.nsid?.text) sources.push('NSID')
  return {strings: identityStrings(r), sources}
}

/** probeIdentity of a raw datagram; nothing when it is not a DNS message. */
export function dnsProbeIdentity(buf: Buffer): ProbeIdentity {
  const decoded = decodeReply(buf)
  return decoded === null ? {strings: [], sources: []} : probeIdentity(readReply(decoded, buf))
}
