// RIPE Atlas API documents that are not results, given as input by mistake (shapes from the API's
// own responses: atlas.ripe.net/docs/apis/rest-api-manual/): the error says what the file is and
// what to give instead.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {classify} from '../../src/store/read.js'

const probe = {id: 6036, asn_v4: 719, asn_v6: null, country_code: 'FI', geometry: {type: 'Point', coordinates: [24.94, 60.17]}, status: {id: 1, name: 'Connected'}}

describe('input that is RIPE Atlas metadata, not results', () => {
  it('names an API error, a measurement description, probe pages and probes', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{error: {detail: 'Not found.', status: 404, title: 'Not Found', code: 104}}, /^a RIPE Atlas API error \(404 Not Found\): Not found\./],
      [{id: 1001, type: 'ping', af: 4, target: 'k.root-servers.net', result: 'https://atlas.ripe.net/api/v2/measurements/1001/results/'}, /measurement 1001.*\/api\/v2\/measurements\/1001\/results\/\?format=json/],
      [{count: 1, next: null, previous: null, results: [probe]}, /probe metadata.*--probes FILE/],
      [{meta: {}, objects: [{id: 1, latitude: 1, longitude: 2, country_code: 'NL'}]}, /probe metadata/],
      [probe, /probe metadata/],
    ]
    for (const [v, re] of cases) assert.match(String(classify(v)), re, JSON.stringify(v))
  })

  it('anything else keeps the plain message; an anyprobe error document stays one', () => {
    assert.equal(classify({hello: 1}), 'neither an anyprobe result nor a RIPE Atlas result')
    assert.match(String(classify({error: {code: 'E_NETWORK', message: 'x'}})), /anyprobe error document \(E_NETWORK\)/)
  })
})
