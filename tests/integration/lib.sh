# Shared by the integration tests (sourced, not run): counting checks and
# printing the closing line.  The sourcing script sets $out, the file the
# last command's output went to.
pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "  ok   $1"
}

bad() {
	fail=$((fail + 1))
	echo "  FAIL $1"
	if [ -n "${out:-}" ] && [ -s "$out" ]; then
		sed 's/^/       /' "$out" | head -60
	fi
}

# expect NAME EXIT CMD...: runs CMD with its output in $out and checks its
# exit code.
expect() {
	name=$1 want=$2
	shift 2
	"$@" >"$out" 2>&1
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$name"; else
		echo "       (exit $rc, expected $want)" >>"$out"
		bad "$name"
	fi
}

# expect_contract NAME RUN_DIR JOBS CMD...: runs CMD (a gameday run into
# RUN_DIR) and checks it ended with every one of JOBS jobs correct within
# its hard deadline: exit 0, or 1 for a missed expectation alone (at a
# compressed time scale Slurm's own delays can stretch a job).
expect_contract() {
	name=$1 dir=$2 jobs=$3
	shift 3
	"$@" >"$out" 2>&1
	rc=$?
	if [ "$rc" -le 1 ] && contract_met "$dir/result.json" "$jobs"; then ok "$name"; else
		echo "       (exit $rc)" >>"$out"
		explain_run "$dir"
		bad "$name"
	fi
}

# contains NAME TEXT: the last output holds TEXT.
contains() {
	if grep -q -- "$2" "$out"; then ok "$1"; else bad "$1 (no \"$2\")"; fi
}

# finish LABEL: the closing line, the counts for make check, the status.
finish() {
	echo "$1: $pass passed, $fail failed"
	[ -n "${GD_COUNTS:-}" ] && echo "$pass $fail" >>"$GD_COUNTS"
	[ $fail -eq 0 ]
}

# outcome_of RESULT_JSON JOB: a job's outcome in a run's result.json
# (written with sorted keys, so "id" comes before "outcome").
outcome_of() {
	awk -v id="\"id\": \"$2\"," '
		index($0, id) { found = 1 }
		found && /"outcome":/ { gsub(/[",]/, "", $2); print $2; exit }
	' "$1"
}

# explain_run RUN_DIR: appends to $out what a failed check on that run
# needs, since CI keeps only its output: the run's summary (reasons, the
# faults as played) and the events of every job that did not end correct.
explain_run() {
	for j in $(awk '/"id": "/ { id = $2 } /"outcome": "(unfinished|lost|failed|wrong)"/ { print id }' "$1/result.json" 2>/dev/null | tr -d '",'); do
		grep "\"job\":\"$j\"" "$1/events.jsonl" 2>/dev/null | cut -c1-240 | head -12 >>"$out"
		# what the job system logged of it, by its own id: a hold or
		# a refused launch names no job of gameday's
		id=$(grep "\"event\":\"job-submitted\",\"job\":\"$j\"" "$1/events.jsonl" 2>/dev/null |
			sed -n 's/.*"system_id":"\([0-9]*\)".*/\1/p' | head -1)
		[ -n "$id" ] && grep '"event":"system-log"' "$1/events.jsonl" 2>/dev/null |
			grep -E "JobId=$id[^0-9]|[Jj]ob $id[^0-9]" | cut -c1-240 | head -8 >>"$out"
	done
	# the faults as played, and their evidence where it failed
	[ -f "$1/summary.md" ] && grep '^| [a-z]' "$1/summary.md" | grep -v '^| measure\|^| fault' >>"$out"
	grep '"fault-not-\|"change-not-' "$1/events.jsonl" 2>/dev/null | cut -c1-300 >>"$out"
}

# contract_met RESULT_JSON N: all N jobs correct within their hard deadline
# and nothing but an expectation or a silent stall between the run and a
# pass.
contract_met() {
	grep -q "\"correct_on_time\": $2," "$1" &&
		! awk '/"reasons": \[\]/ { exit } /"reasons": \[/ { f = 1; next } f && /^  \]/ { exit } f' "$1" |
		grep -qv 'expectation missed\|silent failure: '
}

# it_begin BUILD_DIR [PROGRAM...]: skips (exit 77) without root or one of
# the programs; sets $build, $here, $gameday, a state directory $state
# (GAMEDAY_STATE_DIR and GAMEDAY_LOG_DIR below it, exported), $out, and a
# trap that cleans up whatever the test leaves.
it_begin() {
	build=$(cd "$1" && pwd)
	shift
	here=$(cd "$(dirname "$0")" && pwd)
	gameday=$build/gameday
	if [ "$(id -u)" != 0 ]; then
		echo "integration: skipped: needs root"
		exit 77
	fi
	for p in "$@"; do
		if [ ! -x "$p" ]; then
			echo "integration: skipped: $p is not installed (make deps)"
			exit 77
		fi
	done
	state=$(mktemp -d "${TMPDIR:-/tmp}/gameday-it.XXXXXX")
	export GAMEDAY_STATE_DIR=$state/state GAMEDAY_LOG_DIR=$state/logs
	out=$state/out.txt
	trap '"$gameday" cleanup >/dev/null 2>&1; keep_failed; rm -rf "$state"' EXIT INT TERM
}

# keep_failed: when a check failed, the test's run folders (result.json,
# events.jsonl, the jobs' logs, the nodes' Slurm logs) are kept for the
# next person to read, since a run folder that goes with its test leaves a
# failure unexplained: in $GAMEDAY_KEEP_FAILED (default
# /var/tmp/gameday-failed), the newest 10 tests' kept.
keep_failed() {
	[ "$fail" -gt 0 ] || return 0
	keep=${GAMEDAY_KEEP_FAILED:-/var/tmp/gameday-failed}
	dest=$keep/$(date -u +%Y%m%dT%H%M%S)-$(basename "$0" .sh)
	mkdir -p "$dest" || return 0
	for d in "$state"/*/; do
		[ -f "$d/events.jsonl" ] || [ -f "$d/result.json" ] || continue
		cp -r "$d" "$dest/" 2>/dev/null
	done
	cp "$out" "$dest/" 2>/dev/null
	echo "integration: the failed test's run folders are kept in $dest" >&2
	ls -1d "$keep"/*/ 2>/dev/null | head -n -10 | xargs -r rm -rf
}

# wait_event LOG_DIR PATTERN [COUNT]: waits, 30 s at most, until the run
# logging below LOG_DIR has COUNT (default 1) event lines matching PATTERN.
wait_event() {
	for i in $(seq 1 600); do
		n=$(cat "$1"/gd*/events.jsonl 2>/dev/null | grep -c -- "$2")
		[ "$n" -ge "${3:-1}" ] && return 0
		sleep 0.05
	done
	return 1
}

# corrupt_when_written GLOB: overwrites the first file matching GLOB with
# a forged output as soon as it appears (30 s at most).
corrupt_when_written() {
	for i in $(seq 1 600); do
		f=$(ls $1 2>/dev/null | head -1)
		if [ -n "$f" ]; then
			echo '{"forged": true}' >"$f"
			return 0
		fi
		sleep 0.05
	done
	return 1
}
