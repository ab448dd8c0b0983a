// The --from flags every measuring command shares (CLI layer). The check that decides whether a
// command measures here or elsewhere is ./from-elsewhere.ts; both are kept apart from ./multi-run.ts (the multi-vantage run, every backend,
// the catchment and all renderers) so a command that measures here never loads that code: a
// local trace is mostly start-up, and this was ~2 ms of it.
import * as Flags from '@oclif/core/flags'


export {MULTI_SCHEMA_VERSION} from '../model/probe.js'
export type {MultiResult, OutcomeLine} from '../model/probe.js'

/** Flags shared by every command that can measure from elsewhere. */
export const vantageFlags = {
  from: Flags.string({
    multiple: true,
    multipleNonGreedy: true,
    helpGroup: 'VANTAGE',
    description: 'where to measure from (repeatable): local | netns:NAME[,NAME...] | ssh:[user@]host[:port][,...] | atlas:SELECTOR | globalping:LOC[,LOC...][,limit=N] | @FILE (one spec per line, # comments). With several vantage points --json is {kind: "multi", outcomes}, and the exit code is 0 when the target answered every one of them, 9 some, 4 none',
  }),
  concurrency: Flags.integer({min: 1, max: 1024, default: 8, helpGroup: 'VANTAGE', description: 'vantage points measured at once'}),
  progress: Flags.boolean({allowNo: true, helpGroup: 'VANTAGE', description: 'progress line on stderr (default: when stderr is a terminal and there are several vantage points)'}),
  ndjson: Flags.boolean({helpGroup: 'VANTAGE', description: 'print one JSON outcome per line as each vantage point finishes (instead of --json)'}),
  'remote-command': Flags.string({
    helpGroup: 'VANTAGE',
    description: 'command that runs anyprobe at netns/ssh vantage points, e.g. "node /opt/anyprobe/bin/run.js" ({args} marks where the arguments go; default: this anyprobe for netns, `anyprobe` on the remote PATH for ssh)',
  }),
  'ssh-option': Flags.string({multiple: true, multipleNonGreedy: true, helpGroup: 'VANTAGE', description: 'an ssh -o option for ssh: vantage points, e.g. IdentityFile=~/.ssh/probe (repeatable)'}),
  'atlas-msm': Flags.integer({min: 1, helpGroup: 'VANTAGE', description: 'atlas: read the results of this existing RIPE Atlas measurement instead of creating one (public ones need no key)'}),
  'dry-run': Flags.boolean({helpGroup: 'VANTAGE', description: 'atlas: / globalping: print the measurement request and its cost, spend nothing, measure nothing'}),
  // no oclif default: unset means 60 s for local/netns/ssh and RIPE Atlas's own 10 min wait (a
  // one-off measurement takes minutes); set, it bounds the Atlas wait too
  'vp-timeout': Flags.string({helpGroup: 'VANTAGE', description: 'how long one vantage point may take before it is stopped and reported as E_VP_TIMEOUT (default 60s; atlas: how long to wait for results, default 10m)'}),
}

export const VANTAGE_FLAG_NAMES: ReadonlySet<string> = new Set([...Object.keys(vantageFlags), 'json'])

export type VantageFlagValues = {
  from?: string[]
  concurrency: number
  progress?: boolean
  ndjson: boolean
  'remote-command'?: string
  'ssh-option'?: string[]
  'vp-timeout'?: string
  'atlas-msm'?: number
  'dry-run'?: boolean
}
