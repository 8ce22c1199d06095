#!/bin/sh
# Integration test of a workload of the team's own job ("kind": "command",
# docs/own-job.md) on real Slurm: a small job script over an inputs folder
# and a check written for it (scenarios/command/).  The input the job
# answers wrong is reported wrong by the check, a job that exits 3 is
# failed with its stderr linked from the scorecard, a check that crashes
# is a check-error and not a wrong job, the job's progress lines are
# events, and every attempt (output, stdout, stderr, done) is kept in the
# run folder.  Then the same workload, unchanged, through the exec
# adapter (beanstalkd).  Validation refuses an inputs folder past the cap.
#   tests/integration/command.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
it_begin "$1" /usr/sbin/slurmctld /usr/bin/beanstalkd
dir=$here/scenarios/command

# judged RUN JOB OUTCOME: the job's outcome in the run's result.json.
judged() {
	got=$(outcome_of "$state/$1/result.json" "$2")
	if [ "$got" = "$3" ]; then ok "$1: $2 is $3"; else
		explain_run "$state/$1"
		bad "$1: $2 is $3 (got ${got:-nothing})"
	fi
}

# common RUN: what both job systems must give the same workload.
common() {
	judged "$1" upper-1 correct
	judged "$1" upper-2 correct
	judged "$1" upper-3 wrong
	judged "$1" broken-1 failed
	judged "$1" crashcheck-1 check-error
	r=$state/$1
	if grep -q "expected 'CHARLIE BAD', got 'not what you wanted'" "$r/result.json" &&
		grep -q 'href="jobs/upper-3/1/stderr"' "$r/scorecard.html" &&
		grep -q 'upper-3 attempt 1 on w' "$r/scorecard.html"; then
		ok "$1: ... the check's words say why, the scorecard links and quotes its stderr"; else
		bad "$1: ... the check's words say why, the scorecard links and quotes its stderr"; fi
	# its last attempt's (gd-bsq tries a failing job three times)
	last=$(ls "$r/jobs/broken-1" | grep -E '^[0-9]+$' | sort -n | tail -1)
	if grep -q "\"why\": \"attempt $last on w[1-3] exited 3\"" "$r/result.json"; then
		ok "$1: the failed job's exit status"; else bad "$1: the failed job's exit status"; fi
	if grep -q 'cannot reach the licence server' "$r/jobs/broken-1/$last/stderr" &&
		grep -q "href=\"jobs/broken-1/$last/stderr\"" "$r/scorecard.html" &&
		grep -q 'cannot reach the licence server' "$r/scorecard.html"; then
		ok "$1: ... its stderr kept, linked and quoted by the scorecard"; else
		bad "$1: ... its stderr kept, linked and quoted by the scorecard"; fi
	if grep -q 'check' "$r/result.json" && grep -q '"check-error"' "$r/result.json" &&
		! grep -q "crashcheck-1.*wrong" "$r/result.json"; then
		ok "$1: a crashing check is its own error, not a wrong job"; else
		bad "$1: a crashing check is its own error, not a wrong job"; fi
	n=$(grep '"event":"job-progress"' "$r/events.jsonl" | grep '"job":"upper-' | grep -c '"line":"step [1-3]/3"')
	if [ "$n" = 9 ]; then ok "$1: the job's progress lines are events (9)"; else
		bad "$1: the job's progress lines are events ($n of 9)"; fi
	if [ "$(cat "$r/jobs/upper-1/1/output/result" 2>/dev/null)" = ALPHA ] &&
		grep -q '"exit": 0' "$r/jobs/upper-1/1/done" &&
		grep -q 'upper-1 attempt 1 on w' "$r/jobs/upper-1/1/stderr"; then
		ok "$1: every attempt's output, stderr and done record kept"; else
		bad "$1: every attempt's output, stderr and done record kept"; fi
}

echo "integration: command (the team's own job)"
"$gameday" run --out "$state/slurm" "$dir/command.json" >"$out" 2>&1
rc=$?
if [ $rc = 1 ]; then ok "slurm: the run fails, as it must with a wrong job"; else bad "slurm: the run fails, as it must with a wrong job (exit $rc)"; fi
contains "slurm: five jobs, two correct" "5 jobs: 2 correct"
common slurm
if [ -z "$(ls "$state/state/runs" 2>/dev/null)" ]; then ok "nothing is left of the cluster"; else bad "nothing is left of the cluster"; fi

"$gameday" run --out "$state/exec" "$dir/command-exec.json" >"$out" 2>&1
rc=$?
if [ $rc = 1 ]; then ok "exec: the same workload through the exec adapter"; else bad "exec: the same workload through the exec adapter (exit $rc)"; fi
common exec
n=$(ls "$state/exec/jobs/broken-1" | grep -c '^attempt\.')
if [ "$n" = 3 ]; then ok "exec: the adapter's three tries of the failing job seen as three attempts"; else
	bad "exec: the adapter's three tries of the failing job seen as three attempts ($n)"; fi

# past the cap on what is copied: a clear error naming the folder
mkdir -p "$state/big/many"
for i in $(seq 1 1001); do : >"$state/big/many/$i"; done
jq --arg d "$dir" '.cluster = $d + "/" + .cluster | .workload[0].inputs = "many" |
	.workload |= map(.command[0] |= (if startswith("/") then . else $d + "/" + . end) |
		if .check then .check[0] |= $d + "/" + . else . end)' "$dir/command.json" >"$state/big/big.json"
expect "an inputs folder past the cap is refused" 2 "$gameday" validate "$state/big/big.json"
contains "... naming the folder and the cap" 'inputs: the folder ".*many" holds more than gameday copies (1000 files, 256 MiB)'

finish "integration: command"
