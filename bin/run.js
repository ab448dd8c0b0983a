#!/usr/bin/env node
// Entry point for the built CLI. Every command and oclif are in one bundle loaded with V8's code
// cache (src/bundle-loader.ts), and oclif reads oclif.manifest.json, so nothing else is loaded.
// CommonJS (bin/package.json): Node starts a CommonJS entry sooner than an ES module one.
'use strict'
const {join} = require('node:path')
// ANYPROBE_TIMING=1: when start-up reached this file and had the bundle loaded (src/util/timing.ts)
const T = (l) => process.env.ANYPROBE_TIMING === '1' && process.stderr.write(`timing ${performance.now().toFixed(1).padStart(7)} ms  ${l}\n`)
T('bin')

const {loadBundle} = require('../dist/bundle-loader.cjs')

const {exports: cli, cached} = loadBundle(join(__dirname, '../dist/anyprobe.bundle.cjs'))
// a cache V8 rejected (another Node, other V8 flags) costs ~25 ms of compiling: say so
T(cached ? 'bundle loaded' : 'bundle loaded, compiled from source (no usable code cache)')
// a reader that goes away (`| head`) ends the run quietly, for every command and oclif's own output
cli.guardStdio()
// oclif finds package.json (and the manifest) from this directory upwards
cli.execute({dir: join(__dirname, '..')})
