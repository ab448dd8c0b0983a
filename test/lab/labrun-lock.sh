# shellcheck shell=bash
# The lab-run lock, sourced by every script that brings the shared lab up and changes it
# (test/lab/run-lab-tests.sh, scripts/screenshots.sh, scripts/demo.sh).
#
# Why: there is one lab (the ap-* namespaces). `lab.sh up` reuses a running one, so two runs at
# once share it: one's cut/withdraw moves the other's traffic, one's `down` pulls the lab from
# under the other, and trace-raw.test.ts deletes any aptr-* namespaces it finds. lab.sh's own lock
# (/run/anyprobe-lab.lock) only serialises single commands; this one is held for a whole run.
#
# How: `labrun_lock "$0" "$@"` returns at once when this process already runs under the lock, and
# otherwise re-executes the script under `flock /tmp/anyprobe-labrun.lock` (waiting for the holder:
# a whole lab run can take ~20 min). flock(1) keeps the lock in its own process (its descriptor is
# close-on-exec), so daemons that lab.sh starts never inherit it and it ends with the run.
# "Already under the lock" is either
#   - ANYPROBE_LABRUN_LOCKED non-empty: set by the re-exec, for everything the run starts; a caller
#     that holds the lock some other way sets it too (empty or unset: take the lock);
#   - the lock held by an ancestor process, as in the hand-typed
#     `flock /tmp/anyprobe-labrun.lock bash test/lab/run-lab-tests.sh`: a second flock on the same
#     file from a child would wait for its own parent forever, so /proc/locks is asked first.
# (ANYPROBE_LABRUN_LOCK_FILE: another file, for the tests of this script)
LABRUN_LOCK=${ANYPROBE_LABRUN_LOCK_FILE:-/tmp/anyprobe-labrun.lock}

# is LABRUN_LOCK flock'ed by this shell or one of its ancestors?
labrun_lock_held_by_ancestor() {
  local dev holders p fd st
  [[ -e $LABRUN_LOCK && -r /proc/locks ]] || return 1
  # /proc/locks: "1: FLOCK  ADVISORY  WRITE 27185 fe:00:2147450 0 EOF" (waiters have "->" in field 2),
  # the device as major:minor in hex. stat's %d (decimal dev_t) is split here: %Hd/%Ld need
  # coreutils 9, which Debian 11 and Ubuntu 22.04 do not have.
  st=$(stat -c '%d %i' "$LABRUN_LOCK") || return 1
  local d=${st% *} ino=${st#* }
  dev=$(printf '%02x:%02x:%s' $(( ((d >> 8) & 0xfff) | ((d >> 32) & ~0xfff) )) $(( (d & 0xff) | ((d >> 12) & 0xffffff00) )) "$ino")
  holders=" $(awk -v id="$dev" '$2 == "FLOCK" && $6 == id {printf "%s ", $5}' /proc/locks) "
  # nobody holds it: not held by us either (an open file of it inherited from the caller holds
  # nothing; taking the lock on it would outlive this run, held by whatever shares that file)
  [[ $holders == "  " ]] && return 1
  # held, maybe on an open file inherited from the caller, as in
  # `( flock 9; bash run-lab-tests.sh ) 9>/tmp/anyprobe-labrun.lock`: /proc/locks names the flock(1)
  # that took it, long gone. Locking that same open file again succeeds at once only when it is
  # the one that holds the lock.
  for fd in /proc/$$/fd/*; do
    [[ $fd -ef $LABRUN_LOCK ]] || continue
    flock -n "${fd##*/}" 2>/dev/null && return 0
  done
  p=$$
  while [[ -n $p && $p != 0 ]]; do
    [[ $holders == *" $p "* ]] && return 0
    [[ $p == 1 ]] && break
    p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)
  done
  return 1
}

# labrun_lock SCRIPT [ARGS...]: returns when this process runs under the lock; otherwise re-execs
# `bash SCRIPT ARGS...` under it (never returns)
labrun_lock() {
  local script
  [[ -n ${ANYPROBE_LABRUN_LOCKED:-} ]] && return 0
  if labrun_lock_held_by_ancestor; then
    export ANYPROBE_LABRUN_LOCKED=1
    return 0
  fi
  script=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  shift
  if ! flock -n "$LABRUN_LOCK" true 2>/dev/null; then
    echo "$(basename "$script"): waiting for $LABRUN_LOCK (another lab run holds it)" >&2
  fi
  ANYPROBE_LABRUN_LOCKED=1 exec flock "$LABRUN_LOCK" bash "$script" "$@"
}
