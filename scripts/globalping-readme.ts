// The Globalping examples of the README, run for real against the replay server on 127.0.0.1
// (test/helpers/globalping-replay.ts, test/fixtures/globalping): prints each command and its output
// as the README shows them. Run: node --import tsx scripts/globalping-readme.ts
import {runCommand} from '../test/helpers/cli.js'
import {measurementRoutes, startGlobalpingReplay} from '../test/helpers/globalping-replay.js'

const srv = await startGlobalpingReplay()
process.env.ANYPROBE_GLOBALPING_URL = srv.url
delete process.env.ANYPROBE_GLOBALPING_TOKEN

const runs: Array<{id: string; fixtures: [string, string]; command: string; argv: string[]}> = [
  {id: '2Kq7cXw4RtPz9LmNa00120hQv', fixtures: ['http-inprogress.json', 'http-finished.json'], command: 'catchment', argv: ['https://cdn.example.com/', '--method', 'http', '--from', 'globalping:world,limit=40']},
  {id: '2Tb4nWq9PzXc7LmKe00120hQw', fixtures: ['dns-inprogress.json', 'dns-finished.json'], command: 'catchment', argv: ['193.0.14.129', '--method', 'dns', '--from', 'globalping:world,limit=6']},
  {id: '2Pw3zTr8KvQm4XsYa00120hQx', fixtures: ['trace-inprogress.json', 'trace-finished.json'], command: 'catchment', argv: ['cdn.example.com', '--method', 'trace', '--from', 'globalping:world,limit=6']},
  {id: '2Fr7pNg5QwXc8LmKe00120hQz', fixtures: ['ping-inprogress.json', 'ping-finished.json'], command: 'sites', argv: ['192.5.5.241', '--from', 'globalping:world,limit=6']},
]
for (const r of runs) {
  srv.routes.push(...measurementRoutes(r.id, 6, ...r.fixtures))
  const out = await runCommand(r.command, r.argv)
  console.log('```')
  console.log(`$ anyprobe ${r.command} ${r.argv.join(' ')}`)
  process.stdout.write(out.stdout + out.stderr)
  if (out.status !== 0) console.log(`(exit ${out.status})`)
  console.log('```\n')
}
await srv.close()
