// Preloaded by bench/ab-usage.mjs (node --require): at exit, this process's CPU time (user + system,
// microseconds) and peak RSS (KB) on fd 3, for the parent to read.
const fs = require('node:fs')
process.on('exit', () => {
  const r = process.resourceUsage()
  try {
    fs.writeSync(3, `${r.userCPUTime + r.systemCPUTime} ${r.maxRSS}\n`)
  } catch {}
})
