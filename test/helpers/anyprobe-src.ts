// `anyprobe` run from the TypeScript sources, for --remote-command in tests: the vantage points of a
// multi-vantage test run the real commands (real probes to loopback servers), no build needed.
//   node --import tsx test/helpers/anyprobe-src.ts dns 127.0.0.1 --port 5353 --json
import {flush, handle} from '@oclif/core'

import {ROOT, srcConfig} from './cli.js'

const [command, ...argv] = process.argv.slice(2)
const {default: C} = (await import(`${ROOT}src/commands/${command}.ts`)) as {default: {run(argv: string[], config: unknown): Promise<unknown>}}
await C.run(argv, srcConfig()).then(
  () => flush(),
  (e: Error) => handle(e),
)

