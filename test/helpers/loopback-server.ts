// Servers on loopback for unit tests, the parts every test wrote again: listen on a random port of
// 127.0.0.1 (or ::1), close with the connections still open, a port nothing listens on (outside the
// ephemeral range: no socket can be given it as its own source port), and a
// target that only counts who connects (for "refused before anything is measured" tests).
import {createSocket} from 'node:dgram'
import {readFileSync} from 'node:fs'
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net'

/** Listen on a random port of `host` (127.0.0.1 unless given); the port. http(s).Server is a net.Server. */
export function listenLoopback(server: Server, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

/** Close a server, ending the connections still open (keep-alive ones would hold close() up). */
export function closeServer(server: Server): Promise<void> {
  ;(server as Server & {closeAllConnections?: () => void}).closeAllConnections?.()
  return new Promise((resolve) => server.close(() => resolve()))
}

/**
 * The kernel's ephemeral port range (net.ipv4.ip_local_port_range), where it draws the source
 * port of a socket that did not bind one.
 */
export function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (Number.isInteger(low) && Number.isInteger(high) && low! <= high!) return [low!, high!]
  } catch {
    // not Linux: the IANA range
  }
  return [49152, 65535]
}

/**
 * A port outside the ephemeral range, drawn at random from 20000 up to the range's start (or above
 * its end when it starts lower). A closed port inside the range was not always closed: a UDP socket
 * connected to it could be given that very port as its own source port, receive its own query and
 * time out instead of being refused (a TCP connect likewise connects to itself); the kernel never
 * picks a source port outside the range.
 */
function portOutsideEphemeral(): number {
  const [low, high] = ephemeralRange()
  const [from, to] = low > 20_000 ? [20_000, low - 1] : [high + 1, 65_535]
  // a range over (almost) every port, as some hardened hosts set: no port is safe from it, so one
  // inside it, where a self-connect is back to ~1 in the range's size, rather than no test at all
  if (to < from) return 1024 + Math.floor(Math.random() * (65_535 - 1024 + 1))
  return from + Math.floor(Math.random() * (to - from + 1))
}

/** Whether nothing holds `port` of `host` for TCP or UDP: both are bound for a moment, then closed. */
async function bindsBoth(port: number, host: string): Promise<boolean> {
  const tcp = createServer()
  const tcpOk = await new Promise<boolean>((res) => {
    tcp.once('error', () => res(false))
    tcp.listen({port, host, exclusive: true}, () => res(true))
  })
  if (!tcpOk) return false
  await closeServer(tcp)
  const udp = createSocket({type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false})
  const udpOk = await new Promise<boolean>((res) => {
    udp.once('error', () => res(false))
    udp.bind({port, address: host, exclusive: true}, () => res(true))
  })
  await new Promise<void>((res) => {
    try {
      udp.close(() => res())
    } catch {
      res() // never bound
    }
  })
  return udpOk
}

/**
 * A port of `host` nothing listens on, TCP or UDP: a connection is refused, a UDP query gets ICMP
 * port unreachable. Outside the ephemeral range (see portOutsideEphemeral), checked free by binding
 * it for a moment; another draw when something holds it.
 */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const port = portOutsideEphemeral()
    if (await bindsBoth(port, host)) return port
  }
  throw new Error(`no closed port of ${host} found outside the ephemeral range in 100 draws`)
}

/** A TCP port of `host` nothing listens on: a connection is refused. */
export const closedTcpPort = (host = '127.0.0.1'): Promise<number> => closedPort(host)

/** A UDP port of 127.0.0.1 nothing is bound to: a query gets ICMP port unreachable. */
export const closedUdpPort = (): Promise<number> => closedPort('127.0.0.1')

/**
 * What a UDP query from a connected socket to `port` of 127.0.0.1 gets: refused (ICMP port
 * unreachable), self (the socket was given `port` as its own source port and read its own query)
 * or timeout (nothing in 500 ms). For the closed-port tests.
 */
export function udpQueryOutcome(port: number): Promise<'refused' | 'self' | 'timeout'> {
  const s = createSocket('udp4')
  return new Promise<'refused' | 'self' | 'timeout'>((resolve) => {
    let again: NodeJS.Timeout | undefined
    const done = (r: 'refused' | 'self' | 'timeout'): void => {
      clearTimeout(timer)
      clearTimeout(again)
      s.close()
      resolve(r)
    }
    const timer = setTimeout(() => done('timeout'), 500)
    s.on('message', () => done('self'))
    s.on('error', () => done('refused'))
    s.connect(port, '127.0.0.1', () => {
      s.send(Buffer.from('query'))
      // the ICMP error reaches a connected socket as an 'error' event or on its next call
      again = setTimeout(() => s.send(Buffer.from('query'), (e) => e && done('refused')), 20)
    })
  })
}

export interface CountingTarget {
  port: number
  /** http://127.0.0.1:PORT/ */
  url: string
  /** how many connections reached it */
  connections(): number
  close(): Promise<void>
}

/** A TCP target on 127.0.0.1 that counts connections and drops each: a test that nothing may reach it reads 0. */
export async function countingTarget(): Promise<CountingTarget> {
  let connections = 0
  const server = createServer((s) => {
    connections++
    s.destroy()
  })
  const port = await listenLoopback(server)
  return {port, url: `http://127.0.0.1:${port}/`, connections: () => connections, close: () => closeServer(server)}
}

export interface RawTcpServer {
  port: number
  close(): Promise<void>
}

/**
 * A TCP server on `host` that does what the test says with a connection's first bytes (answer raw
 * bytes, close, reset): a hostile or broken server below HTTP. Socket errors are the test's to
 * cause, not failures; close() ends the connections still open.
 */
export async function rawTcpServer(onFirstData: (sock: Socket, data: Buffer) => void, host = '127.0.0.1'): Promise<RawTcpServer> {
  const sockets = new Set<Socket>()
  const server = createServer((sock) => {
    sockets.add(sock)
    sock.on('close', () => sockets.delete(sock))
    sock.on('error', () => {})
    sock.once('data', (d: Buffer) => onFirstData(sock, d))
  })
  const port = await listenLoopback(server, host)
  return {
    port,
    close: () => {
      for (const s of sockets) s.destroy()
      return closeServer(server)
    },
  }
}
