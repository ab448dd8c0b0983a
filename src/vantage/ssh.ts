// ssh:[user@]host[:port] — a host reached with the system ssh client, which runs `anyprobe ... --json`
// from the remote PATH (or --remote-command) and prints the result back. BatchMode=yes: no password
// or host-key prompt can hang a run; a host that cannot be reached or logged into ends as E_VP_CONNECT
// (ssh exit 255), one whose anyprobe is missing as E_VP_SPAWN (exit 127). --ssh-option adds `-o`
// options (IdentityFile=..., StrictHostKeyChecking=..., ProxyJump=...); `sshCommand` replaces `ssh`
// (tests use a fake). The remote command line is built from shell-quoted words: ssh hands it to the
// remote user's shell, and a target or header must not become shell syntax there.
import type {SshSpec} from './from.js'
import {ChildBackend, type ChildCommand, type ChildOptions, type Place, shellQuote, splitWords, vantageOf} from './local.js'

interface SshPlace extends Place {
  host: SshSpec
}

export interface SshOptions extends ChildOptions {
  /** -o options for ssh, e.g. "IdentityFile=/tmp/key" */
  sshOptions?: string[]
  /** seconds for ssh's ConnectTimeout; default 10 */
  connectTimeoutS?: number
  /** argv of the ssh client; default ["ssh"] */
  sshCommand?: string[]
}

export class SshBackend extends ChildBackend<SshPlace> {
  protected via = 'ssh' as const
  // a child's observations come through ssh from another host
  protected override readonly liveSlackMs = 1000
  private readonly ssh: string[]

  constructor(specs: SshSpec[], private readonly sshOpts: SshOptions = {}) {
    super(`ssh:${specs.map((s) => s.id).join(',')}`, specs.map((s) => ({host: s, vantage: vantageOf('ssh', s.id, s.host)})), sshOpts)
    this.ssh = sshOpts.sshCommand ?? ['ssh']
  }

  protected anyprobe(): string[] {
    // kept as words and re-quoted, so a template with quoted paths survives the remote shell
    return this.opts.remoteCommand ? splitWords(this.opts.remoteCommand) : ['anyprobe']
  }

  /** the ssh argv for one host: options, then "--", then the destination and one command string */
  protected wrap(place: SshPlace, argv: string[]): ChildCommand {
    const h = place.host
    const args = [
      ...this.ssh.slice(1),
      '-o', 'BatchMode=yes',
      '-o', `ConnectTimeout=${this.sshOpts.connectTimeoutS ?? 10}`,
      ...(h.port === null ? [] : ['-p', String(h.port)]),
      ...(this.sshOpts.sshOptions ?? []).flatMap((o) => ['-o', o]),
      '--',
      `${h.user === null ? '' : `${h.user}@`}${h.host}`,
      argv.map(shellQuote).join(' '),
    ]
    return {file: this.ssh[0]!, args}
  }
}
