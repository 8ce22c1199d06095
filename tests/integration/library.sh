#!/bin/sh
# Integration test of the scenario library (scenarios/*.json) on real
# Slurm, each played at the largest scale it stays faithful at (gameday
# plan --scale max), at most 600, so the library fits in minutes of CI.
# Each scenario's verdict is asserted, with what it rests on: the verdicts
# are the ones the same scenarios get at scale 60 (scenarios/README.md,
# "The examples here"), where Slurm's floored timeouts are near their
# production values.
#   tests/integration/library.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
it_begin "$1" /usr/sbin/slurmctld
lib=$here/../../scenarios

scale() { # NAME: the largest faithful scale of scenarios/NAME.json, at most 600
	k=$("$gameday" plan --scale max "$lib/$1.json" | sed -n 's/^time scale  *\([0-9]*\).*/\1/p')
	if [ -z "$k" ] || [ "$k" -gt 600 ]; then k=600; fi
	echo "$k"
}
play() { # NAME: runs scenarios/NAME.json at that scale into $state/NAME
	"$gameday" run --quiet --scale "$(scale "$1")" --out "$state/$1" "$lib/$1.json" >"$out" 2>&1
	rc=$?
	# A run that fell behind compressed time is not scored (exit 3,
	# verdict invalid): the machine's hiccup, not the scenario's outcome.
	# Said, and played once more.
	if [ $rc = 3 ] && grep -q '"verdict": "invalid"' "$state/$1/result.json" 2>/dev/null; then
		echo "  note $1: $(grep -o 'invalid: [^"]*' "$state/$1/result.json" | head -1); playing it again" >&2
		rm -rf "$state/$1"
		"$gameday" run --quiet --scale "$(scale "$1")" --out "$state/$1" "$lib/$1.json" >"$out" 2>&1
		rc=$?
	fi
	# What the run said, for a failing check below to show.
	explain_run "$state/$1"
	echo $rc
}
reason() { # NAME TEXT: the run's reasons include TEXT
	awk '/"reasons": \[/ { f = 1; next } f && /^  \]/ { exit } f' "$state/$1/result.json" | grep -q -- "$2"
}
stall_ms() { # NAME: the longest stall, in ms
	sed -n 's/.*"longest_stall_ms": \([0-9]*\).*/\1/p' "$state/$1/result.json"
}
requeued() { # NAME: how many times Slurm requeued a job
	grep -c '"event":"job-requeued"' "$state/$1/events.jsonl"
}
all_drained() { # NAME: every node was drained when it went down
	grep '"drain_states"' "$state/$1/result.json" >"$state/drains"
	[ -s "$state/drains" ] && ! grep -q 'draining\|idle\|mixed\|alloc' "$state/drains"
}

echo "integration: scenario library"

# Tuesday as it happened: the contract holds; the expectation fails, the
# stall is silent for hours (Slurm reports every node healthy), the skew is
# never noticed, and the score says it was a bad day.
rc=$(play tardy-tuesday)
if [ "$rc" = 1 ] && contract_met "$state/tardy-tuesday/result.json" 40; then
	ok "tardy-tuesday: every job correct within 24h, and the verdict fails"; else bad "tardy-tuesday: every job correct within 24h, and the verdict fails (exit $rc)"; fi
if reason tardy-tuesday "jobs finished within their expected duration" && reason tardy-tuesday "silent failure: no job progressed for"; then
	ok "... on the expectation and a silent stall"; else bad "... on the expectation and a silent stall"; fi
silent=$(jq '[.silent_failures[].length_ms] | max // 0' "$state/tardy-tuesday/result.json")
if [ "$silent" -gt 14400000 ]; then ok "... a silent failure of more than 4h ($silent ms)"; else bad "... a silent failure of more than 4h ($silent ms)"; fi
never=$(jq '[.faults.list[] | select(.kind == "change" and .noticed == null)] | length' "$state/tardy-tuesday/result.json")
noticed=$(jq '[.faults.list[] | select(.kind == "reboot" and .noticed != null)] | length' "$state/tardy-tuesday/result.json")
if [ "$never" = 2 ] && [ "$noticed" = 2 ]; then ok "... the uid skew never noticed, the reboots noticed"; else bad "... the uid skew never noticed ($never of 2), the reboots noticed ($noticed of 2)"; fi
tue=$(jq '.score.total' "$state/tardy-tuesday/result.json")
if [ "$tue" -lt 60 ]; then ok "... scored under 60 ($tue)"; else bad "... scored under 60 ($tue)"; fi
n=$(grep -l 'Permission denied; retrying' "$state"/tardy-tuesday/jobs/*.log 2>/dev/null | wc -l)
if [ "$n" -ge 4 ]; then ok "... the jobs sent to re-provisioned workers stalled ($n)"; else bad "... the jobs sent to re-provisioned workers stalled ($n)"; fi

# Caught early: the contract holds, the delay shows, and the day scores
# clearly better than when the skew stays for hours.
rc=$(play tardy-tuesday-fixed)
if [ "$rc" = 1 ] && contract_met "$state/tardy-tuesday-fixed/result.json" 40 && reason tardy-tuesday-fixed "jobs finished within their expected duration"; then
	ok "tardy-tuesday-fixed: every job correct within 24h, and the delay fails the expectation"; else bad "tardy-tuesday-fixed: every job correct within 24h, and the delay fails the expectation (exit $rc)"; fi
fixed=$(jq '.score.total' "$state/tardy-tuesday-fixed/result.json")
if [ "$fixed" -ge $((tue + 15)) ]; then ok "... scored at least 15 above Tuesday ($fixed against $tue)"; else bad "... scored at least 15 above Tuesday ($fixed against $tue)"; fi
if grep -q '"event":"change-reverted"' "$state/tardy-tuesday-fixed/events.jsonl"; then ok "... the skew is reverted mid-window"; else bad "... the skew is reverted mid-window"; fi

# Friday: each node drained before its renewal, so none of its jobs is
# killed; back with a read-only scratch for an hour, it stalls the jobs
# Slurm sends it, and those are the ones that miss their expected time.
rc=$(play friday-refresh)
if [ "$rc" = 1 ] && contract_met "$state/friday-refresh/result.json" 24 && reason friday-refresh "jobs finished within their expected duration"; then
	ok "friday-refresh: every job correct within 24h, and the stalls fail the expectation"; else
	bad "friday-refresh: every job correct within 24h, and the stalls fail the expectation (exit $rc)"; fi
n=$(grep '"event":"fault-healed"' "$state/friday-refresh/events.jsonl" | grep -c '/srv/scratch is 555 root:root')
if [ "$n" = 4 ]; then ok "... every refreshed node came back with a read-only scratch, seen from inside"; else
	bad "... every refreshed node came back with a read-only scratch, seen from inside ($n)"; fi
if all_drained friday-refresh && [ "$(requeued friday-refresh)" = 0 ]; then
	ok "... every node was drained when it went down, and no job was requeued"; else
	cp "$state/drains" "$out"; bad "... every node was drained when it went down, and no job was requeued ($(requeued friday-refresh))"; fi
# Whether a job misses its expected time is the Friday fault's doing:
# each one that did stalled on a read-only scratch.
slow=$(awk '/"id": "contracts-/ { id = $2 } /"within_expected": false/ { print id }' "$state/friday-refresh/result.json" | tr -d '",')
n=0 m=0
for j in $slow; do
	n=$((n + 1))
	grep -q 'Permission denied; retrying' "$state/friday-refresh/jobs/$j.log" 2>/dev/null && m=$((m + 1))
done
if [ "$n" -gt 0 ] && [ "$m" = "$n" ]; then ok "... each of the $n slow jobs stalled on a read-only scratch"; else
	bad "... each of the $n slow jobs stalled on a read-only scratch ($m did)"; fi

# Clocks: past the credential lifetime munge rejects the worker (its own
# words in the events); Slurm declares it DOWN and requeues its jobs while
# their first copies run on there to the end: run twice, never wrong.
rc=$(play clock-skew)
if [ "$rc" = 1 ] && reason clock-skew "ran to the end more than once" &&
	! grep -q '"outcome": "\(wrong\|failed\|lost\|unfinished\)"' "$state/clock-skew/result.json"; then
	ok "clock-skew: every job ends with the right output, the lost worker's run twice"; else
	bad "clock-skew: every job ends with the right output, the lost worker's run twice (exit $rc)"; fi
if grep '"event":"system-log"' "$state/clock-skew/events.jsonl" | grep -q 'Expired credential\|Rewound credential'; then
	ok "... munge's rejection is in the events"; else bad "... munge's rejection is in the events"; fi

# The monkey: the seed picks the victims, the same as the plan printed.
rc=$(play random-monkey)
if [ "$rc" = 0 ] && contract_met "$state/random-monkey/result.json" 24; then
	ok "random-monkey: passes"; else bad "random-monkey: passes (exit $rc)"; fi
"$gameday" run --dry-run --scale "$(scale random-monkey)" "$lib/random-monkey.json" | sed -n 's/.* apply  *\([a-z]*\) \(monkey-[0-9]*\) on \([a-z0-9 ]*\):.*/\2 \3/p' >"$state/planned"
grep '"event":"fault-applied"' "$state/random-monkey/events.jsonl" |
	sed -n 's/.*"fault":"\(monkey-[0-9]*\)".*"nodes":\["\([a-z0-9]*\)"\].*/\1 \2/p' >"$state/played"
if [ -s "$state/planned" ] && cmp -s "$state/planned" "$state/played"; then ok "... the faults played are those planned for the seed"; else
	diff "$state/planned" "$state/played" >"$out"; bad "... the faults played are those planned for the seed"; fi

# The plan a team would file: each rack drained ahead of its reboot, then
# a graceful slurmctld restart (its grace is never cut below what the
# daemon needs to save its state, whatever the scale): no job killed.
rc=$(play rolling-maintenance)
if [ "$rc" = 0 ] && contract_met "$state/rolling-maintenance/result.json" 24; then
	ok "rolling-maintenance: passes"; else bad "rolling-maintenance: passes (exit $rc)"; fi
if all_drained rolling-maintenance && [ "$(requeued rolling-maintenance)" = 0 ]; then
	ok "... every node was drained when it went down, and no job was requeued"; else
	cp "$state/drains" "$out"; bad "... every node was drained when it went down, and no job was requeued ($(requeued rolling-maintenance))"; fi

# Ctrl-C between a rack's drain and its reboot: the run resumes the
# drained nodes as it stops, as a heal would.
GAMEDAY_LOG_DIR=$state/logs-drain "$gameday" run --quiet --scale "$(scale rolling-maintenance)" --out "$state/drain-stop" "$lib/rolling-maintenance.json" >"$out" 2>&1 &
pid=$!
wait_event "$state/logs-drain" '"event":"fault-drained"'
kill -INT $pid
wait $pid
rc=$?
ev=$(cat "$state"/logs-drain/gd*/events.jsonl 2>/dev/null)
back=$(echo "$ev" | grep '"event":"fault-resumed"' | sed -n 's/.*resumed in the job system: \([^"]*\)".*/\1/p')
if [ $rc = 130 ] && echo "$back" | grep -q '^w1 .*, w2 ' && ! echo "$back" | grep -q drain &&
	! echo "$ev" | grep -q '"event":"fault-applied"'; then
	ok "... a run stopped while a rack is drained resumes it in Slurm"; else
	echo "$ev" | grep 'fault-' >>"$out"; bad "... a run stopped while a rack is drained resumes it in Slurm (exit $rc)"; fi

# Network blips shorter than SlurmdTimeout, which Slurm rides out.
rc=$(play controller-partition)
if [ "$rc" = 0 ] && contract_met "$state/controller-partition/result.json" 16; then
	ok "controller-partition: passes"; else bad "controller-partition: passes (exit $rc)"; fi
if [ "$(requeued controller-partition)" = 0 ]; then
	ok "... and Slurm requeued nothing, as in production"; else bad "... and Slurm requeued nothing, as in production"; fi

finish integration
