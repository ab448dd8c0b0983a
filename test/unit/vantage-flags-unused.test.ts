// A vantage flag that no vantage point of the run uses is refused (E_USAGE, exit 2), never dropped:
// `trace 127.0.0.1 --dry-run` ran a real trace although --dry-run says "measure nothing", and
// --atlas-msm / --ssh-option / --remote-command without a matching --from did nothing.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {refuseUnusedVantageFlags} from '../../src/console/vantage-flags.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {runCommand} from '../helpers/cli.js'

function refusal(fn: () => void): AnyprobeError {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof AnyprobeError, String(error))
    return error
  }
  assert.fail('expected E_USAGE')
}

test('each kind-bound vantage flag is refused without its --from kind, with the --from that uses it', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{'dry-run': true}, /atlas:SELECTOR.*globalping:LOC/],
    [{'atlas-msm': 123}, /--from atlas:/],
    [{'ssh-option': ['Foo=bar']}, /--from ssh:/],
  ]
  for (const [flags, hint] of cases) {
    const e = refusal(() => refuseUnusedVantageFlags(['local'], flags))
    assert.equal(e.code, 'E_USAGE')
    assert.equal(e.exitCode, 2)
    assert.match(e.hint ?? '', hint)
    assert.match(e.message, /--from local/)
  }
  // netns: takes --remote-command but not --ssh-option
  refuseUnusedVantageFlags(['netns'], {'remote-command': 'node x.js'})
  assert.match(refusal(() => refuseUnusedVantageFlags(['atlas'], {'remote-command': 'node x.js'})).hint ?? '', /--from netns:NAME or --from ssh:/)
  assert.match(refusal(() => refuseUnusedVantageFlags(['netns'], {'ssh-option': ['a=b']})).message, /no ssh: vantage point \(--from netns:\)/)
})

test('a flag some vantage point uses passes, and unset / false flags are not checked', () => {
  refuseUnusedVantageFlags(['local', 'atlas'], {'dry-run': true, 'atlas-msm': 5})
  refuseUnusedVantageFlags(['globalping'], {'dry-run': true})
  refuseUnusedVantageFlags(['ssh'], {'ssh-option': ['a=b'], 'remote-command': 'x'})
  refuseUnusedVantageFlags(['local'], {'dry-run': false, concurrency: 4, 'vp-timeout': '5s'})
})

test('--vp-timeout and --remote-command are refused only when the command measures here', () => {
  assert.match(refusal(() => refuseUnusedVantageFlags(['local'], {'vp-timeout': '5s'}, {here: true})).hint ?? '', /--timeout/)
  const here = refusal(() => refuseUnusedVantageFlags(['local'], {'remote-command': 'x'}, {here: true}))
  assert.match(here.message, /measures here/)
  // its hint must not lead to the next refusal: --from local alone has no child --remote-command starts
  assert.doesNotMatch(here.hint ?? '', /--from local/)
  // a local vantage point of a multi-vantage run is a child anyprobe: --vp-timeout applies
  refuseUnusedVantageFlags(['local'], {'vp-timeout': '5s'}, {here: false})
})

test('--remote-command is for netns / ssh vantage points: refused when the run has none (audit finding 9)', () => {
  // `catchment --from local --remote-command /x` ran /x as this host's anyprobe: E_VP_SPAWN, no hint
  const e = refusal(() => refuseUnusedVantageFlags(['local'], {'remote-command': 'x'}, {here: false}))
  assert.match(e.message, /^--remote-command .*; this run has no netns: \/ ssh: vantage point \(--from local\)$/)
  assert.match(e.hint ?? '', /--from netns:NAME or --from ssh:/)
  assert.equal(refusal(() => refuseUnusedVantageFlags(['local', 'atlas'], {'remote-command': 'x'})).exitCode, 2)
  // beside a netns or ssh vantage point it is used (and a local one of the same run runs it too)
  refuseUnusedVantageFlags(['local', 'ssh'], {'remote-command': 'x'})
  refuseUnusedVantageFlags(['local', 'netns'], {'remote-command': 'x'})
})

test('catchment --from local --remote-command /x exits 2 before anything runs', async () => {
  const r = await runCommand('catchment', ['127.0.0.1', '--method', 'dns', '--from', 'local', '--remote-command', '/x'])
  assert.equal(r.status, 2, r.stdout + r.stderr)
  assert.match(r.stderr, /E_USAGE: --remote-command .*no netns: \/ ssh: vantage point/)
  assert.doesNotMatch(r.stdout + r.stderr, /E_VP_SPAWN/)
})

test('trace 127.0.0.1 --dry-run exits 2 and measures nothing', async () => {
  const r = await runCommand('trace', ['127.0.0.1', '--dry-run'])
  assert.equal(r.status, 2, r.stdout + r.stderr)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /E_USAGE: --dry-run .*no atlas: \/ globalping: vantage point/)
})

test('dns --ssh-option without ssh: exits 2 before asking anything', async () => {
  const r = await runCommand('dns', ['127.0.0.1', '--ssh-option', 'Foo=bar'])
  assert.equal(r.status, 2, r.stdout + r.stderr)
  assert.match(r.stderr, /--ssh-option/)
})

test('sites --input refuses --dry-run and --atlas-msm (it reads results already made)', async () => {
  const r = await runCommand('sites', ['--input', '/nonexistent/results.json', '--atlas-msm', '12'])
  assert.equal(r.status, 2, r.stdout + r.stderr)
  assert.match(r.stderr, /--atlas-msm asks the probes of a measurement; --input reads one already made/)
})

test('watch --ssh-option / --remote-command without a vantage point that uses them exits 2 before probing', async () => {
  const ssh = await runCommand('watch', ['127.0.0.1', '--from', 'atlas:', '--atlas-msm', '1', '--ssh-option', 'Foo=bar'])
  assert.equal(ssh.status, 2, ssh.stdout + ssh.stderr)
  assert.match(ssh.stderr, /E_USAGE: --ssh-option .*no ssh: vantage point/)
  const rc = await runCommand('watch', ['127.0.0.1', '--from', 'atlas:', '--atlas-msm', '1', '--remote-command', 'node x.js'])
  assert.equal(rc.status, 2, rc.stdout + rc.stderr)
  assert.match(rc.stderr, /E_USAGE: --remote-command /)
  // watch probes local in its own process: no child to run with --remote-command (review finding)
  const local = await runCommand('watch', ['127.0.0.1', '--remote-command', '/bin/false', '--count', '1'])
  assert.equal(local.status, 2, local.stdout + local.stderr)
  assert.match(local.stderr, /E_USAGE: --remote-command /)
})

test('watch\'s own rules: --dry-run and --keep with atlas: only (a Globalping watch has no dry run), local probed in process', () => {
  const w = {watch: true}
  refuseUnusedVantageFlags(['atlas'], {'dry-run': true, keep: true, 'atlas-msm': 5}, w)
  refuseUnusedVantageFlags(['local', 'atlas'], {'dry-run': true}, w)
  refuseUnusedVantageFlags(['netns'], {'remote-command': 'x'}, w)
  const gp = refusal(() => refuseUnusedVantageFlags(['globalping'], {'dry-run': true}, w))
  assert.match(gp.message, /^--dry-run .*; this run has no atlas: vantage point \(--from globalping:\)$/)
  assert.match(gp.hint ?? '', /Globalping watch has no dry run/)
  const keep = refusal(() => refuseUnusedVantageFlags(['local'], {keep: true}, w))
  assert.match(keep.message, /^--keep leaves the RIPE Atlas measurement .*no atlas: vantage point \(--from local\)$/)
  assert.equal(keep.exitCode, 2)
  assert.match(refusal(() => refuseUnusedVantageFlags(['local'], {'remote-command': 'x'}, w)).message, /no netns: \/ ssh: vantage point \(--from local\)/)
  // --keep is watch's alone: other commands never see it set, and without watch's rules it is no vantage flag
  refuseUnusedVantageFlags(['local'], {keep: true})
})

test('watch --keep, --atlas-msm without atlas:, --dry-run with only globalping: exit 2 naming the flag, nothing measured', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--keep', '--count', '1'], /E_USAGE: --keep .*no atlas: vantage point \(--from local\)/],
    [['--atlas-msm', '1423386', '--count', '1'], /E_USAGE: --atlas-msm .*no atlas: vantage point \(--from local\)/],
    [['--from', 'globalping:DE', '--dry-run'], /E_USAGE: --dry-run .*no atlas: vantage point \(--from globalping:\)/],
  ]
  for (const [argv, re] of cases) {
    const r = await runCommand('watch', ['127.0.0.1', ...argv])
    assert.equal(r.status, 2, r.stdout + r.stderr)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, re)
  }
})
