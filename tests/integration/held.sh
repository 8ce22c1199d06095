#!/bin/sh
# A job Slurm holds for good, and gameday saying so: the worker is cut off
# long enough for Slurm to requeue its jobs, which finish there meanwhile;
# when it returns it is the only worker, so the requeued jobs are sent back
# to it while their first attempts' slurmstepd still wait to report their
# completion (retried every 15 real seconds).  slurmd refuses the launch as
# a duplicate and Slurm holds the jobs ("launch failed requeued held",
# priority 0).  Slurm's race, which production has too, in a 15 s window:
# the job the faults test once lost.  gameday must log the hold, never a
# start that did not happen, and say why the job never finished.
#   tests/integration/held.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
it_begin "$1" /usr/sbin/slurmctld
echo "integration: a job the job system holds"

cat >"$state/held.json" <<'JSON'
{"gameday": 1, "seed": 7, "duration": "1h", "time_scale": 72,
 "cluster": {"system": "slurm", "nodes": [{"name": "ctl", "role": "controller"}, {"name": "w1", "role": "worker"}],
             "roles": {"worker": {"cpus": 2}}},
 "workload": {"jobs": 2, "deadline": "1h30m", "expected": "20m..25m"},
 "steps": [{"id": "cut-w1", "kind": "partition", "at": "5m", "for": "40m", "targets": "w1", "mode": "unreachable"}]}
JSON
"$gameday" run --quiet --out "$state/r" "$state/held.json" >"$out" 2>&1
rc=$?
ev=$state/r/events.jsonl
held=$(grep -c '"event":"job-held".*"reason":"launch failed requeued held"' "$ev" 2>/dev/null)
if [ "${held:-0}" = 0 ]; then
	# Slurm's race went the other way this time: then every job must
	# have ended correct, and nothing be said held
	if [ $rc = 0 ]; then ok "Slurm held no job this time, and every job ended correct"; else
		explain_run "$state/r"; bad "Slurm held no job this time, and every job ended correct (exit $rc)"; fi
	finish integration
	exit $?
fi
ok "Slurm held $held job(s), and gameday logged each hold with Slurm's reason"
# a held job's third attempt never ran: no start may say it did
if grep '"event":"job-started"' "$ev" | grep -q '"attempt":3'; then
	grep '"event":"job-\(started\|requeued\|held\)"' "$ev" | cut -c1-200 >"$out"
	bad "... and no start for an attempt that never ran"; else ok "... and no start for an attempt that never ran"; fi
n=$(jq '[.jobs[] | select(.outcome == "unfinished" and (.why | test("^held by the job system")))] | length' "$state/r/result.json")
if [ "$rc" = 1 ] && [ "$n" = "$held" ]; then ok "... each such job never finished, held by the job system, and says so"; else
	explain_run "$state/r"; bad "... each such job never finished, held by the job system, and says so ($n of $held, exit $rc)"; fi
if grep -q '"event":"run-ended-held"' "$ev"; then ok "... and the run ends once every open job is held, not at the last deadline"; else
	bad "... and the run ends once every open job is held, not at the last deadline"; fi
if jq -e '.faults.list[0].noticed.by | test("^node w1 .*\\*|requeued|held")' "$state/r/result.json" >/dev/null; then
	ok "... and the cut is noticed: Slurm said w1 was not responding, or what it did to its jobs"; else
	bad "... and the cut is noticed: Slurm said w1 was not responding, or what it did to its jobs"; fi
finish integration
