// Servers on loopback for unit tests, the parts every test wrote again: listen on a random port of
// 127.0.0.1 (or ::1), close with the connections still open, a port nothing listens on, and a
// target that only counts who connects (for "refused before anything is measured" tests).
import {createSocket} from 'node:dgram'
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

/** A TCP port of `host` nothing listens on (listened on, then closed): a connection is refused. */
export async function closedTcpPort(host = '127.0.0.1'): Promise<number> {
  const s = createServer()
  const port = await listenLoopback(s, host)
  await closeServer(s)
  return port
}

/** A UDP port of 127.0.0.1 nothing is bound to (bound, then closed): a query gets ICMP port unreachable. */
export async function closedUdpPort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()))
  const port = s.address().port
  await new Promise<void>((res) => s.close(() => res()))
  return port
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
