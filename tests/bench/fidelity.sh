#!/bin/sh
# make bench, fidelity: one scenario (tests/bench/fidelity.json) played on
# real Slurm at several time scales; each run compared job by job with the
# slowest one, the reference.  Prints, per scale, the real time it took,
# whether the verdict and every job's outcome agree, and how far the jobs'
# finishes moved in scenario time.  Scales past the largest faithful one
# (gameday plan) are played with --unfaithful, to show what goes wrong.
#   tests/bench/fidelity.sh BUILD_DIR [SCALE...]
set -u
build=$(cd "$1" && pwd)
shift
gameday=$build/gameday
here=$(cd "$(dirname "$0")" && pwd)
scenario=$here/fidelity.json
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/slurmctld ]; then
	echo "bench fidelity: skipped (needs root and Slurm)"
	exit 0
fi
[ $# -gt 0 ] || set -- 30 60 120 240 600 1200
tmp=$(mktemp -d /tmp/gameday-bench.XXXXXX)
export GAMEDAY_STATE_DIR=$tmp/state GAMEDAY_LOG_DIR=$tmp/logs
trap '"$gameday" cleanup >/dev/null 2>&1; rm -rf "$tmp"' EXIT INT TERM
now_ms() { echo $(($(date +%s%N) / 1000000)); }

max=$("$gameday" plan --scale max "$scenario" | sed -n 's/^time scale  *\([0-9]*\).*/\1/p')
echo "bench fidelity: $(basename "$scenario") at scales $*; the largest faithful is $max"
results=
for k in "$@"; do
	t0=$(now_ms)
	"$gameday" run --quiet --unfaithful --scale "$k" --out "$tmp/r$k" "$scenario" >"$tmp/out$k" 2>&1
	rc=$?
	t1=$(now_ms)
	if [ ! -f "$tmp/r$k/result.json" ]; then
		echo "  scale $k: no result (exit $rc)"
		sed 's/^/    /' "$tmp/out$k"
		continue
	fi
	echo "  scale $k: $(((t1 - t0) / 1000)) s real (exit $rc)"
	results="$results $tmp/r$k/result.json"
done
# shellcheck disable=SC2086
[ -n "$results" ] && "$build/tests/bench_fidelity" $results
