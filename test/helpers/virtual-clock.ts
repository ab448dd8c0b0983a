// A clock for live rounds in tests that replay a scenario (not its timing): time moves only when the
// rounds sleep, so a round is never late however long the machine takes over a request (a real
// 40 ms interval on a loaded machine made rounds skipped, as a watch skips them: the cadence is kept).
export function virtualClock(start = Date.now()): {now: () => number; sleep: (ms: number) => Promise<void>} {
  let t = start
  return {
    now: () => t,
    sleep: async (ms) => {
      if (ms > 0) t += ms
      // a turn of the event loop, as a real sleep gives
      await new Promise((resolve) => setImmediate(resolve))
    },
  }
}
