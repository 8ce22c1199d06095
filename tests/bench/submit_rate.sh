#!/bin/sh
# make bench: how many jobs per real second gameday's own submission path
# takes (each an sbatch run in the controller node, one after another in
# the runner's round): a trace of N jobs all submitted in the same second,
# replayed at scale 1 on a controller and two workers, timed by the
# job-submitted events' wall clock (t_ms).  The figure bounds the scale of
# a trace replay (docs/fidelity.md, GD_SUBMIT_PER_S).
#   tests/bench/submit_rate.sh BUILD_DIR [N]
set -u
build=$(cd "$1" && pwd)
n=${2:-60}
gameday=$build/gameday
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/slurmctld ]; then
	echo "bench submit: skipped (needs root and Slurm)"
	exit 0
fi
tmp=$(mktemp -d /tmp/gameday-bench.XXXXXX)
export GAMEDAY_STATE_DIR=$tmp/state GAMEDAY_LOG_DIR=$tmp/logs
trap '"$gameday" cleanup >/dev/null 2>&1; rm -rf "$tmp"' EXIT INT TERM

{
	echo 'JobID|Submit|Start|End|Elapsed|NCPUS|Partition|State|Timelimit'
	i=1
	while [ $i -le "$n" ]; do
		echo "$((1000 + i))|2026-11-20T08:00:00|2026-11-20T08:00:00|2026-11-20T08:00:01|00:00:01|1|docs|COMPLETED|01:00:00"
		i=$((i + 1))
	done
} >"$tmp/burst.sacct"
cat >"$tmp/burst.json" <<JSON
{"gameday": 1, "time_scale": 1, "duration": "2m",
 "cluster": {"system": "slurm", "nodes": [{"name": "ctl", "role": "controller"}, {"name": "w[1-2]", "role": "worker"}], "roles": {"worker": {"cpus": 8}}},
 "workload": {"name": "burst", "kind": "trace", "trace": "burst.sacct", "deadline": "10m", "expected": {"elapsed_plus": "5m"}}}
JSON
"$gameday" run --unfaithful --out "$tmp/run" "$tmp/burst.json" >"$tmp/out.txt" 2>&1 || {
	echo "bench submit: the run failed"
	tail -20 "$tmp/out.txt"
	exit 1
}
grep '"event":"job-submitted"' "$tmp/run/events.jsonl" |
	sed -n 's/.*"t_ms":\([0-9]*\).*/\1/p' | sort -n |
	awk -v n="$n" 'NR == 1 { first = $1 } { last = $1; c++ }
		END {
			if (c != n || last == first) { print "bench submit: " c " of " n " submitted"; exit 1 }
			printf "bench submit: %d jobs submitted in %d ms: %.1f per second (%.1f ms each)\n",
				c, last - first, (c - 1) * 1000 / (last - first), (last - first) / (c - 1)
		}'
