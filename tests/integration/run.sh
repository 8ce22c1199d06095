#!/bin/sh
# Integration test of 'gameday run' on real Slurm: a scenario without
# faults passes with every output matching the oracle, and its reports
# (scored before teardown, the same bytes again from the log alone, the
# scorecard rendered by headless chromium); a corrupted output is reported
# as wrong; the host is left clean either way.
#   tests/integration/run.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
it_begin "$1" /usr/sbin/slurmctld
scenario=$here/../../scenarios/baseline.json

# start_run LOGS OUT: a run in the background ($pid), returning once its
# first job is submitted.
start_run() {
	GAMEDAY_LOG_DIR=$state/$1 "$gameday" run --out "$state/$2" "$scenario" >"$out" 2>&1 &
	pid=$!
	wait_event "$state/$1" '"job-submitted"'
}

# progress_seen EVENTS: every job that ended correct reported progress
# (job-progress) from a node the job system started it on; else prints
# the jobs that did not.
progress_seen() {
	missing=""
	for j in $(grep '"event":"job-outcome"' "$1" | grep '"outcome":"correct"' | sed 's/.*"job":"\([^"]*\)".*/\1/'); do
		found=0
		for n in $(grep '"event":"job-started"' "$1" | grep "\"job\":\"$j\"" | sed 's/.*"node":"\([^"]*\)".*/\1/'); do
			grep '"event":"job-progress"' "$1" | grep "\"job\":\"$j\"" | grep -q "\"node\":\"$n\"" && found=1
		done
		[ $found = 1 ] || missing="$missing $j"
	done
	echo "$missing"
	[ -z "$missing" ]
}

echo "integration: run"
expect "a scenario without faults passes" 0 "$gameday" run --out "$state/r1" "$scenario"
contains "all twenty jobs on 1 controller + 3 workers are correct and on time" "20 jobs: 20 correct, 20 on time"
n=$(grep -c '"outcome": "correct"' "$state/r1/result.json")
if [ "$n" = 20 ]; then ok "result.json has twenty correct jobs"; else bad "result.json has twenty correct jobs ($n)"; fi
for e in run-started job-submitted job-started job-finished job-outcome run-finished; do
	if grep -q "\"event\":\"$e\"" "$state/r1/events.jsonl"; then ok "the event log has $e"; else bad "the event log has $e"; fi
done
if grep -q '"source":"supervisor".*"service":"slurmd"' "$state/r1/events.jsonl"; then
	ok "... and the supervisors' events"; else bad "... and the supervisors' events"; fi
if missing=$(progress_seen "$state/r1/events.jsonl"); then ok "... every job's progress, from the node it ran on"; else
	bad "... every job's progress, from the node it ran on (not:$missing)"; fi
n=0
for w in w1 w2 w3; do
	grep '"event":"node-state"' "$state/r1/events.jsonl" | grep "\"node\":\"$w\"" | grep -q '"state":"idle"' && n=$((n + 1))
done
if [ $n = 3 ] && ! grep '"event":"node-state"' "$state/r1/events.jsonl" | grep -q '"node":"ctl"'; then
	ok "... and what Slurm says of each worker (sinfo), idle at first"; else bad "... and what Slurm says of each worker (sinfo), idle at first ($n)"; fi
if [ -s "$state/r1/ctl/slurmctld.log" ] && [ -s "$state/r1/w1/slurmd.log" ]; then
	ok "the run directory keeps the job system's logs"; else bad "the run directory keeps the job system's logs"; fi
if [ -z "$(ls "$state/state/runs" 2>/dev/null)" ]; then ok "nothing is left of the cluster"; else bad "nothing is left of the cluster"; fi

# The reports: scored before teardown, the same again from the log alone,
# and a scorecard a real browser renders (headless chromium, offline: the
# page loads nothing).
for f in result.json junit.xml summary.md scorecard.html; do
	if [ -s "$state/r1/$f" ]; then ok "the run directory has $f"; else bad "the run directory has $f"; fi
done
mkdir -p "$state/again" && cp "$state/r1/events.jsonl" "$state/again/"
expect "gameday report scores the run again from its log" 0 "$gameday" report "$state/again"
for f in result.json junit.xml summary.md scorecard.html; do
	if cmp -s "$state/r1/$f" "$state/again/$f"; then ok "... into the same $f"; else bad "... into the same $f"; fi
done
if grep -q '<testcase classname="baseline.jobs" name="jobs-20"' "$state/r1/junit.xml"; then ok "junit.xml has a test case per job"; else bad "junit.xml has a test case per job"; fi
if grep -q 'src=\|<link\|href="[a-z]*:\|href="/\|href="\.\.\|<script\|url(' "$state/r1/scorecard.html"; then bad "the scorecard loads nothing from outside"; else ok "the scorecard loads nothing from outside"; fi
if grep -q 'href="w1/slurmd.log"' "$state/r1/scorecard.html"; then ok "the scorecard links each node's logs in the run folder"; else bad "the scorecard links each node's logs in the run folder"; fi
if command -v chromium >/dev/null; then
	# (its profile and crash database in the test's state, not in the
	# user's home)
	XDG_CONFIG_HOME=$state/config timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$state/chromium" \
		--window-size=1100,1400 --screenshot="$state/scorecard.png" \
		"file://$state/r1/scorecard.html" >"$out" 2>&1
	size=$(stat -c %s "$state/scorecard.png" 2>/dev/null || echo 0)
	# A blank page is a few kilobytes; the scorecard's timeline and tables
	# are many more.
	if [ "$size" -gt 30000 ]; then ok "headless chromium renders the scorecard ($size bytes of PNG)"; else
		bad "headless chromium renders the scorecard ($size bytes of PNG)"; fi
	cp "$state/scorecard.png" "$build/scorecard-baseline.png" 2>/dev/null
else
	bad "headless chromium renders the scorecard (no chromium: make deps installs it)"
fi

# Corrupt the first job's output as soon as it appears.
"$gameday" run --out "$state/r2" "$scenario" >"$out" 2>&1 &
pid=$!
corrupt_when_written "$state/state/runs/gd*/shared/out/jobs-01.json"
wait $pid
rc=$?
if [ $rc -eq 1 ]; then ok "a run with a wrong output fails (exit 1)"; else bad "a run with a wrong output fails (exit $rc)"; fi
if outcome_of "$state/r2/result.json" jobs-01 | grep -qx wrong; then
	ok "the corrupted job is reported wrong"
else
	bad "the corrupted job is reported wrong"
fi
n=$(grep -c '"outcome": "correct"' "$state/r2/result.json")
if [ "$n" = 19 ]; then ok "the other nineteen are correct"; else bad "the other nineteen are correct ($n)"; fi

# Kill a worker by hand as the jobs start: Slurm notices (SlurmdTimeout,
# scaled), requeues the jobs it had there, and every job still finishes
# correctly; the event log shows the requeue.
start_run logs3 r3
"$gameday" cluster stop w1 >/dev/null 2>&1
wait $pid
rc=$?
# (the contract holds; the requeued job may miss its expected duration)
if [ $rc -le 1 ] && contract_met "$state/r3/result.json" 20; then ok "with a worker killed mid-run every job still finishes correctly"; else
	bad "with a worker killed mid-run every job still finishes correctly (exit $rc)"; fi
if grep -q '"event":"job-requeued"' "$state/r3/events.jsonl"; then ok "the event log shows the requeue"; else bad "the event log shows the requeue"; fi
n=$(grep -c '"attempts": 2' "$state/r3/result.json")
if [ "$n" -ge 1 ]; then ok "result.json counts the second attempts ($n)"; else bad "result.json counts the second attempts"; fi

# slurmctld stops answering for a few seconds: the run records the job
# system's errors and carries on.
start_run logs6 r6
"$gameday" cluster exec ctl -- sh -c 'pkill -STOP -x slurmctld; sleep 5; pkill -CONT -x slurmctld' >/dev/null 2>&1
wait $pid
rc=$?
if [ $rc -eq 0 ]; then ok "a controller that stalls for 5 s does not end the run"; else bad "a controller that stalls for 5 s does not end the run (exit $rc)"; fi
if grep -q '"event":"job-system-error"' "$state/r6/events.jsonl"; then ok "its errors are in the event log"; else bad "its errors are in the event log"; fi

# Ctrl-C during a run: it stops submitting, tears down, and still writes
# what it observed.
start_run logs4 r4
kill -INT $pid
wait $pid
rc=$?
if [ $rc -eq 130 ]; then ok "Ctrl-C ends a run (exit 130)"; else bad "Ctrl-C ends a run (exit $rc)"; fi
contains "... saying so" "interrupted"
if grep -q '"interrupted": true' "$state/r4/result.json" 2>/dev/null; then
	ok "... and still writes what was observed"; else bad "... and still writes what was observed"; fi
if [ -z "$(ls "$state/state/runs" 2>/dev/null)" ]; then ok "... and leaves nothing of the cluster"; else bad "... and leaves nothing of the cluster"; fi

# A job system that never comes up: exit 3 with its own words, no hang,
# nothing left.  (slurmctld cannot start when its port is taken.)
bad_cluster=$state/bad.json
cat >"$bad_cluster" <<'JSON'
{"gameday": 1, "duration": "1h", "time_scale": 600,
 "cluster": {"system": "slurm", "nodes": [{"name": "ctl", "role": "controller"}, {"name": "w1", "role": "worker"}],
   "roles": {"controller": {"services": [{"name": "squatter", "argv": ["/srv/gameday/gd-probe", "listen", "6817"]}]}}},
 "workload": {"jobs": 1, "deadline": "1h", "expected": "20m"}}
JSON
GAMEDAY_READY_MS=3000 expect "a job system that never comes up: exit 3" 3 "$gameday" run --out "$state/r5" "$bad_cluster"
contains "... saying why" "Slurm did not come up"
if [ -z "$(ls "$state/state/runs" 2>/dev/null)" ]; then ok "... and leaves nothing of the cluster"; else bad "... and leaves nothing of the cluster"; fi

finish integration
