#!/bin/sh
# make bench-library: the fidelity of the scenario library as CI plays it.
# Each scenario runs on real Slurm at a reference scale (60 by default,
# where Slurm's floored timeouts are near their production values) and at
# the scale library.sh uses (its largest faithful one, at most 600); the
# two are compared job by job (tests/bench/bench_fidelity): verdict,
# outcomes, within-expected, finish times.  About an hour and a half for
# the whole library at 60; prints figures, asserts nothing.
#   tests/bench/library_fidelity.sh BUILD_DIR [REF_SCALE [NAME...]]
set -u
build=$(cd "$1" && pwd)
ref=${2:-60}
[ $# -ge 2 ] && shift 2 || shift $#
gameday=$build/gameday
lib=$(cd "$(dirname "$0")/../../scenarios" && pwd)
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/slurmctld ]; then
	echo "bench library: skipped (needs root and Slurm)"
	exit 0
fi
[ $# -gt 0 ] || set -- tardy-tuesday tardy-tuesday-fixed friday-refresh clock-skew random-monkey rolling-maintenance controller-partition
tmp=$(mktemp -d /tmp/gameday-bench.XXXXXX)
export GAMEDAY_STATE_DIR=$tmp/state GAMEDAY_LOG_DIR=$tmp/logs
trap '"$gameday" cleanup >/dev/null 2>&1; rm -rf "$tmp"' EXIT INT TERM

echo "bench library: each scenario at scale $ref (the reference) and at its CI scale"
for name in "$@"; do
	ci=$("$gameday" plan --scale max "$lib/$name.json" | sed -n 's/^time scale  *\([0-9]*\).*/\1/p')
	if [ -z "$ci" ] || [ "$ci" -gt 600 ]; then ci=600; fi
	echo "$name (CI scale $ci):"
	for k in "$ref" "$ci"; do
		"$gameday" run --quiet --scale "$k" --out "$tmp/$name-$k" "$lib/$name.json" >"$tmp/out" 2>&1
		if [ ! -f "$tmp/$name-$k/result.json" ]; then
			echo "  scale $k: no result"
			sed 's/^/    /' "$tmp/out"
		fi
	done
	[ -f "$tmp/$name-$ref/result.json" ] && [ -f "$tmp/$name-$ci/result.json" ] &&
		"$build/tests/bench_fidelity" "$tmp/$name-$ref/result.json" "$tmp/$name-$ci/result.json"
done
