#!/bin/sh
# make check-library: every scenario of the library with its steps
# removed (no fault at all) must pass: no stall past its limit, no silent
# failure, nothing missed.  A verdict that fails a day with no fault in it
# is a verdict nobody can trust.  Each runs on real Slurm (or its own job
# system) at the largest scale it stays faithful at, at most 600: about
# fifteen minutes for the library, so not part of make check.
#   tests/library/nofault.sh BUILD_DIR [NAME...]
set -u
build=$(cd "$1" && pwd)
shift
gameday=$build/gameday
lib=$(cd "$(dirname "$0")/../../scenarios" && pwd)
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/slurmctld ]; then
	echo "library without faults: skipped (needs root and Slurm)"
	exit 77
fi
[ $# -gt 0 ] || set -- $(cd "$lib" && ls *.json | sed 's/\.json$//')
tmp=$(mktemp -d /tmp/gameday-nofault.XXXXXX)
export GAMEDAY_STATE_DIR=$tmp/state GAMEDAY_LOG_DIR=$tmp/logs
trap '"$gameday" cleanup >/dev/null 2>&1; rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
for name in "$@"; do
	# the same scenario, its cluster file and a command group's program,
	# check and inputs (docs/own-job.md) named absolutely, no steps
	jq --arg lib "$lib" 'def abs: if startswith("/") then . else $lib + "/" + . end;
		def own: if .kind == "command" then .command[0] |= abs |
			(if .check then .check[0] |= abs else . end) |
			(if .inputs then .inputs |= abs else . end) else . end;
		.steps = [] |
		if (.cluster | type) == "string" then .cluster = ($lib + "/" + .cluster) else . end |
		.workload |= (if type == "array" then map(own) else own end)' \
		"$lib/$name.json" >"$tmp/$name.json" || { fail=$((fail + 1)); continue; }
	k=$("$gameday" plan --scale max "$tmp/$name.json" 2>/dev/null | sed -n 's/^time scale  *\([0-9]*\).*/\1/p')
	# A team's own job runs at its own real pace, tuned to the scenario's
	# time_scale (scenarios/byo/docconv.conf): at another scale its
	# expected duration would not hold, faults or not.
	if jq -e '[.workload] | flatten | any(.kind == "command")' "$tmp/$name.json" >/dev/null; then
		k=$(jq '.time_scale // 1' "$tmp/$name.json")
	fi
	if [ -z "$k" ]; then
		echo "  skip $name: nothing to play (no job system)"
		continue
	fi
	[ "$k" -gt 600 ] && k=600
	"$gameday" run --quiet --scale "$k" --out "$tmp/$name" "$tmp/$name.json" >"$tmp/out" 2>&1
	rc=$?
	v=$(jq -r '"\(.verdict) \(.score.total) stall \(.measures.longest_stall_ms / 60000 | floor)m of \(.measures.stall_limit_ms / 60000 | floor)m"' "$tmp/$name/result.json" 2>/dev/null)
	if [ $rc = 0 ]; then
		pass=$((pass + 1))
		echo "  ok   $name at $k: $v"
	else
		fail=$((fail + 1))
		echo "  FAIL $name at $k (exit $rc): $v"
		jq -r '.reasons[]' "$tmp/$name/result.json" 2>/dev/null | sed 's/^/         /'
	fi
done
echo "library without faults: $pass passed, $fail failed"
[ $fail = 0 ]
