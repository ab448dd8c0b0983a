// Start-up and phase timings for performance work: ANYPROBE_TIMING=1 prints, on stderr, how many
// milliseconds after the process started each named point was reached. Off, it costs one env read.
import {performance} from 'node:perf_hooks'

const on = process.env.ANYPROBE_TIMING === '1'

export function mark(label: string): void {
  if (on) process.stderr.write(`timing ${performance.now().toFixed(1).padStart(7)} ms  ${label}\n`)
}

if (on) process.once('exit', () => mark('exit'))
