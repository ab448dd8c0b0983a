// Every command, for oclif's "explicit" command discovery (package.json oclif.commands), and the
// entry point bin/run.js calls. scripts/bundle.mjs bundles this file with everything it imports
// into dist/anyprobe.bundle.cjs: loading one file instead of some 300 modules halves start-up,
// which is most of the wall time of a short trace.
import Catchment from './commands/catchment.js'
import Dns from './commands/dns.js'
import Geohint from './commands/geohint.js'
import Http from './commands/http.js'
import Report from './commands/report.js'
import Trace from './commands/trace.js'
import Watch from './commands/watch.js'

export const COMMANDS = {catchment: Catchment, dns: Dns, geohint: Geohint, http: Http, report: Report, trace: Trace, watch: Watch}

export {execute} from '@oclif/core'
