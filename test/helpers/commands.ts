// The command list for tests that run commands from the sources (see srcConfig in ./cli.ts):
// src/cli.ts require()s its commands lazily for the CommonJS bundle, which an ES module run of the
// sources cannot do; this is the same list, imported.
import catchment from '../../src/commands/catchment.js'
import dns from '../../src/commands/dns.js'
import geohint from '../../src/commands/geohint.js'
import http from '../../src/commands/http.js'
import report from '../../src/commands/report.js'
import trace from '../../src/commands/trace.js'
import watch from '../../src/commands/watch.js'

export const COMMANDS = {catchment, dns, geohint, http, report, trace, watch}
