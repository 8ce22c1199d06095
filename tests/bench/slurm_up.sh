#!/bin/sh
# make bench: time from 'gameday cluster up' to every slurmd registered
# idle, for Slurm clusters of 4, 16 and 64 workers.  Prints figures.
#   tests/bench/slurm_up.sh BUILD_DIR
set -u
build=$(cd "$1" && pwd)
gameday=$build/gameday
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/slurmctld ]; then
	echo "bench slurm: skipped (needs root and Slurm)"
	exit 0
fi
tmp=$(mktemp -d /tmp/gameday-bench.XXXXXX)
export GAMEDAY_STATE_DIR=$tmp/state GAMEDAY_LOG_DIR=$tmp/logs
trap '"$gameday" cleanup >/dev/null 2>&1; rm -rf "$tmp"' EXIT INT TERM
now_ms() { echo $(($(date +%s%N) / 1000000)); }

echo "bench slurm: cluster up until every worker is idle (time scale 60)"
printf '  %7s  %10s  %12s  %10s\n' workers "nodes up" "slurm ready" "down"
for n in 4 16 64; do
	f=$tmp/s$n.json
	printf '{"gameday": 1, "duration": "1h", "time_scale": 60, "cluster": {"system": "slurm", "nodes": [{"name": "ctl", "role": "controller"}, {"name": "w[1-%d]", "role": "worker"}]}, "workload": {"jobs": 1, "deadline": "1h", "expected": "1m"}}\n' "$n" >"$f"
	t0=$(now_ms)
	"$gameday" cluster up "$f" >/dev/null || exit 1
	t1=$(now_ms)
	ok=0
	for i in $(seq 1 600); do
		idle=$("$gameday" cluster exec ctl -- sinfo -h -N -o %T 2>/dev/null | grep -c idle)
		[ "$idle" -ge "$n" ] && { ok=1; break; }
		sleep 0.1
	done
	t2=$(now_ms)
	"$gameday" cluster down >/dev/null || exit 1
	t3=$(now_ms)
	[ $ok = 1 ] || { echo "bench slurm: $n workers never all came up idle"; exit 1; }
	printf '  %7d  %7d ms  %9d ms  %7d ms\n' "$n" $((t1 - t0)) $((t2 - t0)) $((t3 - t2))
done
