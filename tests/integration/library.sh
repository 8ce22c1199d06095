#!/bin/sh
# Integration test of the scenario library (scenarios/*.json) on real
# Slurm, each played at the largest scale it stays faithful at (gameday
# plan --scale max), at most 600, so the library fits in minutes of CI:
# the contract, the Tuesday story and the faults the seed picked are
# asserted; the exact share of jobs within their expected duration is not,
# since Slurm's own start-up latency is minutes of scenario time at these
# scales.
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
	echo $rc
}
reason() { # NAME TEXT: the run's reasons include TEXT
	awk '/"reasons": \[/ { f = 1; next } f && /^  \]/ { exit } f' "$state/$1/result.json" | grep -q -- "$2"
}
stall_ms() { # NAME: the longest stall, in ms
	sed -n 's/.*"longest_stall_ms": \([0-9]*\).*/\1/p' "$state/$1/result.json"
}

echo "integration: scenario library"

# Tuesday, never fixed: the contract holds, the expectation visibly fails.
rc=$(play tardy-tuesday)
if [ "$rc" = 1 ] && contract_met "$state/tardy-tuesday/result.json" 40; then
	ok "tardy-tuesday: every job correct within 24h, and the verdict fails"; else bad "tardy-tuesday: every job correct within 24h, and the verdict fails (exit $rc)"; fi
if reason tardy-tuesday "jobs finished within their expected duration" && reason tardy-tuesday "no job made progress for"; then
	ok "... on the expectation and the stall"; else bad "... on the expectation and the stall"; fi
n=$(grep -l 'Permission denied; retrying' "$state"/tardy-tuesday/jobs/*.log 2>/dev/null | wc -l)
if [ "$n" -ge 4 ]; then ok "... the jobs sent to re-provisioned workers stalled ($n)"; else bad "... the jobs sent to re-provisioned workers stalled ($n)"; fi

# Fixed that afternoon: the contract holds, the delay shows, and the stall
# is far shorter than when the skew stays.
rc=$(play tardy-tuesday-fixed)
if [ "$rc" -le 1 ] && contract_met "$state/tardy-tuesday-fixed/result.json" 40; then
	ok "tardy-tuesday-fixed: every job correct within 24h"; else bad "tardy-tuesday-fixed: every job correct within 24h (exit $rc)"; fi
fixed=$(stall_ms tardy-tuesday-fixed) never=$(stall_ms tardy-tuesday)
if [ -n "$fixed" ] && [ -n "$never" ] && [ "$fixed" -lt "$never" ]; then
	ok "... its longest stall ($fixed ms) is shorter than Tuesday's ($never ms)"; else bad "... its longest stall ($fixed ms) is shorter than Tuesday's ($never ms)"; fi
if grep -q '"event":"change-reverted"' "$state/tardy-tuesday-fixed/events.jsonl"; then ok "... the skew is reverted mid-window"; else bad "... the skew is reverted mid-window"; fi

# Friday: the fresh nodes' scratch comes back read-only for an hour.
rc=$(play friday-refresh)
if [ "$rc" -le 1 ] && contract_met "$state/friday-refresh/result.json" 24; then
	ok "friday-refresh: every job correct within 24h"; else bad "friday-refresh: every job correct within 24h (exit $rc)"; fi
# (whether a job lands on a refreshed node in its hour is Slurm's choice;
# that each came back with its scratch read-only is not)
n=$(grep '"event":"fault-healed"' "$state/friday-refresh/events.jsonl" | grep -c '/srv/scratch is 555 root:root')
if [ "$n" = 4 ]; then ok "... every refreshed node came back with a read-only scratch, seen from inside"; else
	bad "... every refreshed node came back with a read-only scratch, seen from inside ($n)"; fi

# Clocks: past the credential lifetime munge rejects the worker (its own
# words in the events); Slurm may then run a job of it twice, never wrong.
rc=$(play clock-skew)
if [ "$rc" -le 1 ] && ! grep -q '"outcome": "\(wrong\|failed\|lost\|unfinished\)"' "$state/clock-skew/result.json"; then
	ok "clock-skew: every job ends with the right output (exit $rc)"; else bad "clock-skew: every job ends with the right output (exit $rc)"; fi
if grep '"event":"system-log"' "$state/clock-skew/events.jsonl" | grep -q 'Expired credential\|Rewound credential'; then
	ok "... munge's rejection is in the events"; else bad "... munge's rejection is in the events"; fi

# The monkey: the seed picks the victims, the same as the plan printed.
rc=$(play random-monkey)
if [ "$rc" -le 1 ] && contract_met "$state/random-monkey/result.json" 24; then
	ok "random-monkey: every job correct within 24h"; else bad "random-monkey: every job correct within 24h (exit $rc)"; fi
"$gameday" run --dry-run --scale "$(scale random-monkey)" "$lib/random-monkey.json" | sed -n 's/.* apply  *\([a-z]*\) \(monkey-[0-9]*\) on \([a-z0-9 ]*\):.*/\2 \3/p' >"$state/planned"
grep '"event":"fault-applied"' "$state/random-monkey/events.jsonl" |
	sed -n 's/.*"fault":"\(monkey-[0-9]*\)".*"nodes":\["\([a-z0-9]*\)"\].*/\1 \2/p' >"$state/played"
if [ -s "$state/planned" ] && cmp -s "$state/planned" "$state/played"; then ok "... the faults played are those planned for the seed"; else
	diff "$state/planned" "$state/played" >"$out"; bad "... the faults played are those planned for the seed"; fi

# The plan a team would file, with a graceful slurmctld restart: no job
# lost to it (its grace is never cut below what the daemon needs to save
# its state, whatever the scale).
rc=$(play rolling-maintenance)
if [ "$rc" -le 1 ] && contract_met "$state/rolling-maintenance/result.json" 24; then
	ok "rolling-maintenance: every job correct within 24h"; else bad "rolling-maintenance: every job correct within 24h (exit $rc)"; fi

# Network blips shorter than SlurmdTimeout, which Slurm rides out.
rc=$(play controller-partition)
if [ "$rc" -le 1 ] && contract_met "$state/controller-partition/result.json" 16; then
	ok "controller-partition: every job correct within 24h"; else bad "controller-partition: every job correct within 24h (exit $rc)"; fi
if ! grep -q '"event":"job-requeued"' "$state/controller-partition/events.jsonl"; then
	ok "... and Slurm requeued nothing, as in production"; else bad "... and Slurm requeued nothing, as in production"; fi

finish integration
