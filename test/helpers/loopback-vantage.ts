// Loopback targets and vantage points for command-level tests of multi-vantage runs:
// - a DNS server (UDP, 127.0.0.1, random port) that names its site in CHAOS hostname.bind / id.server;
// - an HTTP server that names its site in a cf-ray header;
// - vantage points: `--from local` and `--from ssh:NAME` run the real anyprobe from the sources
//   (REMOTE_COMMAND); ssh itself is test/fixtures/vantage/fake-ssh.sh put first on PATH (withFakeSsh),
//   which runs the command here and fails like an unreachable host when NAME contains "down".
import {createSocket} from 'node:dgram'
import {createServer} from 'node:http'
import {mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {AddressInfo} from 'node:net'

import dnsPacket from 'dns-packet'

import {ROOT} from './cli.js'

/** --remote-command: the real anyprobe, from the sources */
export const REMOTE_COMMAND = `${process.execPath} --import tsx ${ROOT}test/helpers/anyprobe-src.ts`

export interface Loopback {
  port: number
  close(): Promise<void>
}

/** A DNS server at 127.0.0.1 whose hostname.bind / id.server is s1.SITE.anycast.example (or `identity`, as given). */
export async function dnsIdentityServer(site: string, identity = `s1.${site}.anycast.example`): Promise<Loopback> {
  const udp = createSocket('udp4')
  await new Promise<void>((res) => udp.bind(0, '127.0.0.1', () => res()))
  udp.on('message', (msg, rinfo) => {
    let q: dnsPacket.DecodedPacket
    try {
      q = dnsPacket.decode(msg)
    } catch {
      return
    }
    const question = q.questions?.[0]
    if (!question) return
    const base = {type: 'response' as const, id: q.id, questions: q.questions, flags: dnsPacket.AUTHORITATIVE_ANSWER}
    const name = question.name.toLowerCase()
    const reply: dnsPacket.Packet =
      question.class === 'CH' && (name === 'hostname.bind' || name === 'id.server')
        ? {...base, answers: [{type: 'TXT', class: 'CH', name: question.name, ttl: 0, data: identity}]}
        : {...base, answers: []}
    udp.send(dnsPacket.encode(reply), rinfo.port, rinfo.address)
  })
  return {port: udp.address().port, close: () => new Promise<void>((res) => udp.close(() => res()))}
}

/** An HTTP server at 127.0.0.1 that answers every request with cf-ray: ...-SITE. */
export async function httpIdentityServer(site: string): Promise<Loopback> {
  const srv = createServer((_req, res) => {
    res.writeHead(200, {'content-type': 'text/plain', server: 'cloudflare', 'cf-ray': `8a1b2c3d4e5f6789-${site.toUpperCase()}`})
    res.end('ok\n')
  })
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()))
  return {
    port: (srv.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((res) => {
        srv.closeAllConnections()
        srv.close(() => res())
      }),
  }
}

/** A loopback port nothing listens on (UDP and TCP: bound, then closed). */
export async function closedPort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()))
  const port = s.address().port
  await new Promise<void>((res) => s.close(() => res()))
  return port
}

/** Put the fake ssh first on PATH (for child processes started from now on); returns the undo. */
export function withFakeSsh(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'anyprobe-fake-ssh-'))
  symlinkSync(join(ROOT, 'test/fixtures/vantage/fake-ssh.sh'), join(dir, 'ssh'))
  const saved = process.env.PATH
  process.env.PATH = `${dir}:${saved ?? ''}`
  return () => {
    process.env.PATH = saved
    rmSync(dir, {recursive: true, force: true})
  }
}
