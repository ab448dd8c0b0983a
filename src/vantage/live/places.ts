// The command line of a watch child at a netns or ssh vantage point. The wrappers are the vantage
// layer's own (NetnsBackend, SshBackend in src/vantage): the same `ip netns exec`, the same ssh
// options (BatchMode=yes, ConnectTimeout, -p, --ssh-option, "--" before the destination) and the
// same shell quoting of the remote command as every other command's --from; only the arguments
// differ (a long-lived `watch ... --observations` instead of a one-shot `--json`).
import type {VantagePoint} from '../../model/vantage.js'
import type {NetnsSpec, SshSpec} from '../from.js'
import type {ChildCommand} from '../local.js'
import {NetnsBackend, type NetnsOptions} from '../netns.js'
import {SshBackend, type SshOptions} from '../ssh.js'

export interface PlaceOptions {
  /** --remote-command: replaces the anyprobe command ("{args}" marks where the arguments go) */
  remoteCommand?: string | null
  /** --ssh-option values (ssh -o) */
  sshOptions?: string[]
  /** test seams: the ssh client and the namespace wrapper */
  sshCommand?: string[]
  ipCommand?: string[]
}

export interface PlaceCommand extends ChildCommand {
  vantage: VantagePoint
  via: 'netns' | 'ssh'
  /** how messages name the command run there */
  command: string
}

/** The argv that runs `anyprobe <args>` at one netns or ssh vantage point. */
export function placeCommand(spec: NetnsSpec | SshSpec, args: string[], opts: PlaceOptions = {}): PlaceCommand {
  if (spec.kind === 'netns') {
    const o: NetnsOptions = {remoteCommand: opts.remoteCommand ?? null, ...(opts.ipCommand ? {ipCommand: opts.ipCommand} : {})}
    return new NetnsBackend([spec], o).commandsAt(args)[0] as PlaceCommand
  }
  const o: SshOptions = {remoteCommand: opts.remoteCommand ?? null, sshOptions: opts.sshOptions ?? [], ...(opts.sshCommand ? {sshCommand: opts.sshCommand} : {})}
  return new SshBackend([spec], o).commandsAt(args)[0] as PlaceCommand
}
