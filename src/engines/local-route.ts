// Does this host have a route to an address? A UDP connect() sends nothing: it fails (ENETUNREACH)
// only when the routing table has no way there. Used to tell "no route from here" (a local network
// error, exit 6) from an ICMP unreachable a router or the target's firewall sent back (the network
// says the target cannot be reached: exit 4), which the socket reports with the same codes.
import {createSocket} from 'node:dgram'
import {isIP} from 'node:net'

/** Whether this host has a route to addr: a connected UDP socket (nothing is sent) finds one or fails. */
export function hasLocalRoute(addr: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket(isIP(addr) === 6 ? 'udp6' : 'udp4')
    const done = (v: boolean): void => {
      try {
        sock.close()
      } catch {
        // already closed
      }
      resolve(v)
    }
    sock.once('error', () => done(false))
    // the callback gets connect()'s error (ENETUNREACH with no route here); no 'error' event comes
    sock.connect(port, addr, ((err?: Error | null) => done(err === undefined || err === null)) as () => void)
  })
}
