// `sites` with vantage points that carry no place (local, netns, ssh: only --location gives one):
// it ended "undecided" with "left out 1 without location" and no word of how to give one, and said
// "0 usable vantage point(s)". Now the table says the flag where it counts them, stderr names the
// vantage points to write it for, and counts agree with their nouns (review finding).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {findSites} from '../../src/analysis/sites/index.js'
import {sitesDocument} from '../../src/analysis/sites/document.js'
import type {SiteObservation} from '../../src/model/sites.js'
import {noLocationNote, renderSites} from '../../src/render/sites.js'
import {runCommand} from '../helpers/cli.js'

const unplaced = (vp: string): SiteObservation => ({vp, lat: null, lon: null, rttMs: 0.4, identity: null})
// the lab's vantage points, the --location a user would give (Berlin, as the README's example)
const ber: SiteObservation = {vp: 'ap-vp-ber', lat: 52.52, lon: 13.4, rttMs: 1.8, identity: null, locationGiven: true}

describe('sites: vantage points without a location', () => {
  it('the table says how to give a place where it counts those left out', () => {
    const text = renderSites(sitesDocument([unplaced('ap-vp-ber'), unplaced('ap-vp-nyc')], {target: '198.51.100.10', method: 'ping'}))
    assert.match(text, /\nleft out {4}2 without location\n {12}give a vantage point its place with --location NAME=LAT,LON \(repeatable\) or --locations FILE \(lines of ID LAT LON \[CC\]\)/)
    assert.match(text, /anycast {5}undecided: 0 usable vantage points: at least 3/)
  })

  it('every vantage point placed: no hint', () => {
    assert.doesNotMatch(renderSites(sitesDocument([ber], {target: 'x', method: 'ping'})), /--location/)
  })

  it('the reason counts with its noun: 1 usable vantage point, 2 usable vantage points', () => {
    assert.match(findSites([ber]).anycastReason, /^1 usable vantage point: /)
    assert.match(findSites([ber, {...ber, vp: 'ap-vp-ber2'}]).anycastReason, /^2 usable vantage points: /)
  })

  it('the note names them and the flag for each', () => {
    assert.equal(noLocationNote([]), null)
    assert.equal(noLocationNote(['ap-vp-ber']), '1 vantage point has no location (ap-vp-ber), so no RTT disc: give each with --location NAME=LAT,LON, e.g. --location ap-vp-ber=LAT,LON, or --locations FILE')
    const many = noLocationNote(['a', 'b', 'c', 'd', 'e', 'f', 'g'])!
    assert.match(many, /^7 vantage points have no location \(a, b, c, d, e and 2 more\)/)
  })

  it('sites 127.0.0.1 from this host (no place): the note on stderr, the hint in the table', async () => {
    const r = await runCommand('sites', ['127.0.0.1', '--no-progress'])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /left out {4}1 without location\n {12}give a vantage point its place with --location NAME=LAT,LON/)
    assert.match(r.stderr, /note: 1 vantage point has no location \(local\), so no RTT disc: give each with --location NAME=LAT,LON, e\.g\. --location local=LAT,LON/)
  })
})
