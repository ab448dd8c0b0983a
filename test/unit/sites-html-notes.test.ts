// sites --input of RIPE Atlas results without --probes: the page says why its map is empty (the
// --probes hint, the document's inputNotes). The notes were set after the page was written, so
// only --json and stderr had them.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {atlasCampaignFiles} from '../helpers/sites-fixtures.js'

describe('sites --html: the input notes are on the page', () => {
  it('probes without a location: the page carries the --probes hint, as stderr does', async () => {
    const {results} = atlasCampaignFiles()
    const html = join(mkdtempSync(join(tmpdir(), 'anyprobe-sites-notes-')), 'sites.html')
    const r = await runCommand('sites', ['--input', results, '--html', html])
    assert.match(r.stderr, /no location here: give their metadata with --probes FILE/)
    const page = readFileSync(html, 'utf8')
    assert.match(page, /<p class="sub note" data-note>[^<]*no location here: give their metadata with --probes FILE/)
  })
})
