// `anyprobe` run from the TypeScript sources, for --remote-command in tests: the vantage points of a
// multi-vantage test run the real commands (real probes to loopback servers), no build needed.
//   node --import tsx test/helpers/anyprobe-src.ts dns 127.0.0.1 --port 5353 --json
// Each child costs what a child of an unbuilt tree costs to start (a run of sites has 10 of them),
// so it loads only its own command (./src-command.ts) and reads the place data the test wrote
// (./src-geo-data.ts) instead of decoding the GeoNames package again.
import {flush, handle} from '@oclif/core'

import {ROOT, srcConfig} from './cli.js'
import {COMMAND, COMMANDS} from './src-command.js'
import {useTestGeoData} from './src-geo-data.js'

useTestGeoData()
const C = COMMANDS[COMMAND] as {run(argv: string[], config: unknown): Promise<unknown>}
await C.run(process.argv.slice(3), srcConfig(ROOT, './test/helpers/src-command.ts')).then(
  () => flush(),
  (e: Error) => handle(e),
)
