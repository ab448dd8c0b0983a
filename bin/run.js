#!/usr/bin/env node
// Entry point for the built CLI. oclif reads oclif.manifest.json so --help need not load every command.
import {execute} from '@oclif/core'

await execute({dir: import.meta.url})
