#!/bin/sh
# Runs the scenario fuzzer for a fixed time from a corpus seeded with every
# scenario in the tree.  Fails on a crash, leak, timeout or sanitizer report.
#   tests/fuzz/run.sh FUZZER SECONDS
set -u
fuzzer=$1
seconds=$2
here=$(dirname "$0")
corpus=$(dirname "$fuzzer")/corpus
artifacts=$(dirname "$fuzzer")/artifacts
mkdir -p "$corpus" "$artifacts"
cp "$here"/../../scenarios/*.json "$here"/../../scenarios/clusters/*.json \
	"$here"/../golden/invalid/*.json "$here"/../golden/plan/*.json "$corpus"/ 2>/dev/null
log=$(dirname "$fuzzer")/fuzz.log
if "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-max_len=65536 -dict="$here/scenario.dict" \
	-artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1; then
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
	echo "fuzz: ${runs:-?} inputs in ${seconds}s, no crash, leak or sanitizer report"
	echo "fuzz: 1 passed, 0 failed"
	[ -z "${GD_COUNTS:-}" ] || echo "1 0" >>"$GD_COUNTS"
else
	tail -60 "$log"
	echo "fuzz: failed; the input is in $artifacts/ (see $log)"
	echo "fuzz: 0 passed, 1 failed"
	[ -n "${GD_COUNTS:-}" ] && echo "0 1" >>"$GD_COUNTS"
	exit 1
fi
