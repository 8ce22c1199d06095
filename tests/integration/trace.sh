#!/bin/sh
# Integration test of a trace replay ("kind": "trace", docs/trace.md) on
# real Slurm: the first quarter of an hour of scenarios/traces/ml-week.sacct
# (six jobs) at scale 60.  Each job is submitted at its recorded offset
# from the window's start (its job-submitted event's t_scenario_ms against
# the export, within a round of the runner's poll), asks Slurm for its
# recorded CPUs (Slurm's completion log, ProcCnt), and is judged correct by
# the oracle within its deadline.
#   tests/integration/trace.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
it_begin "$1" /usr/sbin/slurmctld
dir=$here/scenarios/trace
run=$state/trace

echo "integration: trace (a recorded morning replayed)"
expect "the scenario validates" 0 "$gameday" validate "$dir/trace.json"
expect "plan prints the submission curve" 0 "$gameday" plan "$dir/trace.json"
contains "... its peak and what was dropped" "dropped 59 outside the window"
expect_contract "six jobs of the trace, all correct" "$run" 6 \
	"$gameday" run --out "$run" "$dir/trace.json"

# JOB OFFSET_S CPUS, from the export: Submit - 08:00:00, NCPUS
while read -r job at cpus; do
	t=$(grep "\"event\":\"job-submitted\",\"job\":\"morning-$job\"" "$run/events.jsonl" |
		sed -n 's/.*"t_scenario_ms":\([0-9]*\).*/\1/p' | head -1)
	# a round of the runner is 250 ms real, 15 s of scenario time at 60
	if [ -n "$t" ] && [ "$t" -ge $((at * 1000)) ] && [ "$t" -lt $((at * 1000 + 16000)) ]; then
		ok "$job submitted at ${t} ms, recorded at ${at} s"; else
		bad "$job submitted at ${t:-never} ms, recorded at ${at} s"; fi
	n=$(grep -h "Name=morning-$job " "$run"/*/jobcomp.log 2>/dev/null |
		sed -n 's/.*ProcCnt=\([0-9]*\).*/\1/p' | head -1)
	if [ "$n" = "$cpus" ]; then ok "... with its $cpus CPUs"; else
		bad "... with its $cpus CPUs (Slurm says ${n:-nothing})"; fi
	o=$(outcome_of "$run/result.json" "morning-$job")
	if [ "$o" = correct ]; then ok "... and judged correct"; else bad "... and judged correct (${o:-nothing})"; fi
done <<'JOBS'
48211 191 4
48212 347 2
48213 382 2
48214 389 1
48215 542 1
48216 811 2
JOBS

finish "integration: trace"
