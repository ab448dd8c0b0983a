// Loopback targets and vantage points for command-level tests of multi-vantage runs:
// - a DNS server (UDP, 127.0.0.1, random port) that names its site in CHAOS hostname.bind / id.server;
// - an HTTP server that names its site in a cf-ray header;
// - vantage points: `--from local` and `--from ssh:NAME` run the real anyprobe from the sources
//   (REMOTE_COMMAND); ssh itself is test/fixtures/vantage/fake-ssh.sh put first on PATH (withFakeSsh),
//   which runs the command here and fails like an unreachable host when NAME contains "down".
import {createServer} from 'node:http'
import {mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ROOT} from './cli.js'
import {responseTo, startDnsServer, txtReply} from './dns-server.js'
import {closedPort, closeServer, listenLoopback} from './loopback-server.js'

/** --remote-command: the real anyprobe, from the sources */
export const REMOTE_COMMAND = `${process.execPath} --import tsx ${ROOT}test/helpers/anyprobe-src.ts`

export interface Loopback {
  port: number
  close(): Promise<void>
}

/** A DNS server at 127.0.0.1 whose hostname.bind / id.server is s1.SITE.anycast.example (or `identity`, as given). */
export function dnsIdentityServer(site: string, identity = `s1.${site}.anycast.example`): Promise<Loopback> {
  return startDnsServer({
    answer: ({query}) => {
      const question = query.questions?.[0]
      if (!question) return null
      const name = question.name.toLowerCase()
      return question.class === 'CH' && (name === 'hostname.bind' || name === 'id.server') ? txtReply(query, identity, {ttl: 0}) : {...responseTo(query), answers: []}
    },
  })
}

/** An HTTP server at 127.0.0.1 that answers every request with cf-ray: ...-SITE. */
export async function httpIdentityServer(site: string): Promise<Loopback> {
  const srv = createServer((_req, res) => {
    res.writeHead(200, {'content-type': 'text/plain', server: 'cloudflare', 'cf-ray': `8a1b2c3d4e5f6789-${site.toUpperCase()}`})
    res.end('ok\n')
  })
  return {port: await listenLoopback(srv), close: () => closeServer(srv)}
}

/** A loopback port nothing listens on, TCP or UDP (outside the ephemeral range: see loopback-server.ts). */
export {closedPort}

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
