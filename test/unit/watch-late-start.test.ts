// watch --duration with a vantage point slower to start than the duration (an ssh login, a netns
// child starting node): it probes for --duration from when it is up. Before, --duration counted
// from the watch's start, so such a child sent nothing and the watch ended "no probe was answered"
// (exit 4), which reads as an outage of the target. Through a fake `ssh` on PATH that waits 2 s and
// then runs the remote command here, against a DNS server on 127.0.0.1.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import type {WatchSummaryEvent} from '../../src/model/watch.js'
import {srcConfig} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {type DnsTestServer, startDnsServer, txtReply} from '../helpers/dns-server.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), 'anyprobe-watch-late-'))
let dns: DnsTestServer
let port = 0

before(async () => {
  dns = await startDnsServer({answer: ({query}) => txtReply(query, 's1.fra.anycast.example')})
  port = dns.port
  const bin = join(tmp, 'bin')
  mkdirSync(bin)
  // options up to "--", then the destination and the remote command line: logs in for 2 s, then runs it here
  writeFileSync(join(bin, 'ssh'), ['#!/bin/sh', 'while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done', 'shift', 'shift', 'sleep 2', 'exec sh -c "$1"', ''].join('\n'))
  chmodSync(join(bin, 'ssh'), 0o755)
  writeFileSync(join(tmp, 'anyprobe.mjs'), `const m = await import(${JSON.stringify(ROOT + 'src/commands/watch.ts')}); await m.default.run(process.argv.slice(3), ${JSON.stringify(srcConfig())})\n`)
})
after(async () => {
  await dns.close()
  rmSync(tmp, {recursive: true, force: true})
})

function watchCli(args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  const script = `const m = await import(${JSON.stringify(ROOT + 'src/commands/watch.ts')}); await m.default.run(${JSON.stringify(args)}, ${JSON.stringify(srcConfig())})`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, PATH: `${join(tmp, 'bin')}:${process.env.PATH}`}})
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`watch did not end: ${stderr}`))
    }, 60_000)
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
  })
}

describe('watch --duration and a vantage point slow to start', () => {
  it('an ssh vantage point up 2 s after the start of a 1 s watch probes for 1 s from then (exit 0), not nothing (exit 4)', async () => {
    const r = await watchCli(['127.0.0.1', '--port', String(port), '--from', 'ssh:probe@127.0.0.1', '--remote-command', `${process.execPath} --import tsx ${join(tmp, 'anyprobe.mjs')}`, '--interval', '100ms', '--timeout', '2s', '--duration', '1s', '--json'])
    assert.equal(r.code, 0, r.stderr)
    const sum = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as WatchSummaryEvent
    assert.deepEqual(schemaErrors('watch-event.schema.json', sum), [])
    const v = sum.vantagePoints.find((x) => x.vantageId === 'probe@127.0.0.1')
    assert.ok(v !== undefined, r.stdout)
    // 1 s at 100 ms: 10 rounds, less any a loaded machine made the child skip
    assert.ok(v.answered + v.skippedRounds >= 8 && v.answered <= 10, JSON.stringify(v))
    assert.equal(v.pop, 'FRA')
  })
})
