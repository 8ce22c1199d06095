#!/bin/sh
# Integration test of clock offsets against munge's credential lifetime
# (300 s) on real Slurm and munge, at the scale 'gameday plan --scale max'
# picks: workers 5 s within it, behind and ahead, keep working (jobs run
# there), workers 5 s beyond it, ahead and behind, are rejected (munge
# says "Expired credential" or "Rewound credential", Slurm takes them
# DOWN).  A clock offset is real seconds at every scale, so the lifetime is
# not compressed in a scenario that moves a clock; the plan calls both
# faithful, and the run, without --unfaithful, agrees.
#   tests/integration/clock_ttl.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
it_begin "$1" /usr/sbin/slurmctld /usr/sbin/munged
echo "integration: clock offsets against munge's credential lifetime"

# The jobs come 79 minutes after the clocks move: at the largest faithful
# scale (about 400, bounded by how long the rejected workers stay unheard)
# that is some 12 s real, twice what Slurm takes to take them DOWN, so
# Slurm never sends a job to a worker munge rejects, as in production
# (where it has long noticed).
cat >"$state/ttl.json" <<'JSON'
{"gameday": 1, "duration": "2h", "time_scale": 60, "seed": 7,
 "cluster": {"system": "slurm", "nodes": [{"name": "ctl", "role": "controller"}, {"name": "w[1-4]", "role": "worker"}]},
 "workload": {"jobs": 2, "submit": {"at": "1h20m"}, "deadline": "6h", "expected": "20m..40m"},
 "steps": [{"id": "behind-within", "kind": "clock", "at": "1m", "targets": "w1", "offset": "-4m55s"},
           {"id": "ahead-within", "kind": "clock", "at": "1m", "targets": "w2", "offset": "+4m55s"},
           {"id": "ahead-beyond", "kind": "clock", "at": "1m", "targets": "w3", "offset": "+5m5s"},
           {"id": "behind-beyond", "kind": "clock", "at": "1m", "targets": "w4", "offset": "-5m5s"}]}
JSON
"$gameday" plan --scale max "$state/ttl.json" >"$out" 2>&1
k=$(sed -n 's/^time scale  *\([0-9]*\).*/\1/p' "$out")
if [ -n "$k" ] && grep -q "^fidelity    faithful up to scale $k\$" "$out"; then
	ok "the plan calls all four offsets faithful up to scale $k"; else bad "the plan calls all four offsets faithful (scale '$k')"; fi
# ... and at every scale below, the offsets compare with the lifetime as
# in production (no issue names it).
"$gameday" plan --scale 1 "$state/ttl.json" >"$out" 2>&1
contains "... and at scale 1" "^fidelity    faithful up to scale $k\$"

d=$state/r
GAMEDAY_LOG_DIR=$state/logs1 "$gameday" run --scale "$k" --out "$d" "$state/ttl.json" >"$state/run.txt" 2>&1 &
pid=$!
wait_event "$state/logs1" '"run-started"'
"$gameday" cluster exec ctl -- grep '^AuthInfo=' /etc/slurm/slurm.conf >"$state/conf.txt" 2>&1
wait $pid
rc=$?
cp "$state/run.txt" "$out"
if [ $rc = 0 ]; then ok "the run plays it at scale $k without --unfaithful"; else
	echo "       (exit $rc)" >>"$out"; bad "the run plays it at scale $k without --unfaithful"; fi
if grep -q '"correct_on_time": 2,' "$d/result.json"; then ok "both jobs correct on time"; else
	explain_run "$d"; bad "both jobs correct on time"; fi
ev=$d/events.jsonl
for w in w1 w2; do
	if grep '"event":"job-started"' "$ev" | grep -q "\"node\":\"$w\""; then ok "$w, its clock 4m55s off, runs a job"; else
		bad "$w, its clock 4m55s off, runs a job"; fi
	if ! grep -q 'Munge decode failed' "$d/$w/slurmd.log"; then ok "... and munge there rejects nothing"; else
		grep 'Munge decode failed' "$d/$w/slurmd.log" | head -3 >"$out"; bad "... and munge there rejects nothing"; fi
done
# 5 s beyond: the worker rejects the controller's pings, in munge's words
# (a worker, once registered, sends the controller nothing of its own
# until a job ends: the controller hears only silence).
if grep -q 'Munge decode failed: Expired credential' "$d/w3/slurmd.log" &&
	grep -q 'Munge decode failed: Rewound credential' "$d/w4/slurmd.log"; then
	ok "munge on w3 (5m5s ahead) says Expired, on w4 (5m5s behind) Rewound"; else
	bad "munge on w3 (5m5s ahead) says Expired, on w4 (5m5s behind) Rewound"; fi
if grep -q 'REQUEST_PING has authentication error' "$d/w3/slurmd.log" &&
	grep -q 'REQUEST_PING has authentication error' "$d/w4/slurmd.log"; then
	ok "... rejecting the controller's pings"; else bad "... rejecting the controller's pings"; fi
for w in w3 w4; do
	if grep '"event":"node-state"' "$ev" | grep "\"node\":\"$w\"" | grep -q '"state":"down'; then
		ok "Slurm takes $w DOWN"; else bad "Slurm takes $w DOWN"; fi
	if ! grep '"event":"job-started"' "$ev" | grep -q "\"node\":\"$w\""; then ok "... and runs no job there"; else
		bad "... and runs no job there"; fi
done
# What compression alone adds to a requeued job's wait, stated with the
# verdict (docs/fidelity.md): none was requeued here, but one could be.
if grep -q '"bias_notes": \[' "$d/result.json" && grep -q '"requeued_ms": [1-9]' "$d/result.json"; then
	ok "result.json states the bias a requeue would carry at scale $k"; else
	bad "result.json states the bias a requeue would carry at scale $k"; fi
# The lifetime as configured: production's, not the scale's.
cp "$state/conf.txt" "$out"
contains "slurm.conf keeps AuthInfo ttl=300 at scale $k" '^AuthInfo=ttl=300,'

finish integration
