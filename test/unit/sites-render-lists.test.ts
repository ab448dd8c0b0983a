// The sites table's score lists (missed, unlisted, unplaced) show each code whole: they were cut at
// 20 characters, so root-servers.org's COUNTRY-Town names read "BN-BANDAR_SERI_BEGAW…", naming no
// site. Long lists wrap under their label and, past a few lines, the rest is counted (--json has all).
// Codes below are of root-servers.org's shape (Country + Town, https://root-servers.org/ site pages).
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {sitesDocument} from '../../src/analysis/sites/document.js'
import type {SitesScore} from '../../src/model/sites.js'
import {listLines, renderSites} from '../../src/render/sites.js'
import {runCommand} from '../helpers/cli.js'

// as store/truth-json.ts names them: COUNTRY-Town, blanks as underscores
const LONG = ['BN-Bandar_Seri_Begawan', 'US-San_Francisco', 'ZA-Johannesburg', 'NZ-Christchurch', 'AR-Ciudad_Autónoma_de_Buenos_Aires', 'VC-Kingstown', 'PG-Port_Moresby', 'KN-Basseterre', 'TT-Port_of_Spain', 'SB-Honiara']

function scored(missed: string[]): string {
  const doc = sitesDocument([], {target: 't', method: null})
  const score: SitesScore = {precision: null, recall: 0, hits: 0, found: 0, truth: missed.length, hitKm: 100, missed, unmatched: [], unplaced: []}
  return renderSites({...doc, score})
}

describe('sites table: whole codes in the score lists', () => {
  it('every missed code is shown whole, lines wrapped under the label within 100 columns', () => {
    const text = scored(LONG)
    for (const c of LONG) assert.ok(text.includes(c), `${c} in\n${text}`)
    assert.doesNotMatch(text, /…/)
    const lines = text.split('\n').filter((l) => l.startsWith('missed') || (l.startsWith(' '.repeat(12)) && !l.trim().startsWith('(')))
    assert.ok(lines.length >= 2 && lines.every((l) => l.length <= 100), lines.join('\n'))
  })

  it('a long list wraps and then counts the rest; a terminal escape in a code is sanitised', () => {
    const many = Array.from({length: 400}, (_, i) => `XX-Town${i}`)
    const lines = listLines('missed', many, ' ')
    assert.ok(lines.length <= 8, String(lines.length))
    const shown = lines.join(' ').match(/XX-Town\d+/g)!.length
    assert.match(lines.at(-1)!, new RegExp(`\\.\\.\\. ${400 - shown} more \\(--json lists them all\\)$`))
    assert.match(lines[1]!, /^ {12}XX-Town/)
    assert.doesNotMatch(listLines('unplaced', ['AB\u001b[2Jcd'], ' ').join('\n'), /\u001b/)
  })

  it('sites --truth with a root-servers.org list: the missed town is named whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anyprobe-sites-lists-'))
    const table = join(dir, 't.tsv')
    writeFileSync(table, '1 50.11 8.68 1.0\n2 40.71 -74.01 1.0\n3 35.69 139.69 1.0\n')
    const truth = join(dir, 'root_servers_X.json')
    writeFileSync(truth, JSON.stringify({Sites: [{Country: 'DE', Town: 'Frankfurt', Latitude: 50.11, Longitude: 8.68}, {Country: 'BN', Town: 'Bandar Seri Begawan', Latitude: 4.94, Longitude: 114.95}]}))
    const r = await runCommand('sites', ['--input', table, '--truth', truth])
    assert.equal(r.status, 0, r.stderr)
    const missed = r.stdout.split('\n').find((l) => l.startsWith('missed'))
    assert.ok(missed !== undefined && /BN-Bandar_Seri_Begawan\b/i.test(missed) && !missed.includes('…'), r.stdout)
  })
})
