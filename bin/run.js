#!/usr/bin/env node
// Entry point for the built CLI. Every command and oclif are in one bundle loaded with V8's code
// cache (src/bundle-loader.ts), and oclif reads oclif.manifest.json, so nothing else is loaded.
import {fileURLToPath} from 'node:url'

import {loadBundle} from '../dist/bundle-loader.js'

const {exports: cli} = loadBundle(fileURLToPath(new URL('../dist/anyprobe.bundle.cjs', import.meta.url)))
await cli.execute({dir: import.meta.url})
