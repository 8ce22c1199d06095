#!/bin/sh
# A shortened Friday with the team's own artefacts (scenarios/byo/, the
# demo's scenarios/friday-provisioning.json cut to one renewed worker) on
# real Slurm: w1 comes back from Friday's template, which no longer makes
# the scratch folder docconv's configuration names.  The change's evidence
# must name the missing folder (found by comparing the node before and
# after, not declared), the jobs Slurm sends to w1 must stall there,
# retrying without progress, until w1 is re-imaged, and the day must read
# as Friday did: every job correct within its deadline, the expectation
# missed.  About a minute of real time at scale 120.
#   tests/integration/byo.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
it_begin "$1" /usr/sbin/slurmctld
echo "integration: the team's own job, config and templates (a short Friday)"
cd "$here/scenarios/byo" || exit 1
r=$state/friday
res=$r/result.json

expect_contract "the short Friday: every job correct within its deadline" "$r" 4 \
	"$gameday" run --quiet --out "$r" friday-short.json
if jq -e '.verdict == "fail" and ([.expectations[] | select(.name | test("of jobs within their expected duration")) | .met] == [false])' "$res" >/dev/null 2>&1; then
	ok "... and the verdict fails on the expectation (jobs within their expected time)"
else explain_run "$r"; bad "... and the verdict fails on the expectation"; fi
ev=$(jq -r '.faults.list[] | select(.kind == "change") | .evidence' "$res" 2>/dev/null)
case $ev in
*"/var/lib/docconv/scratch: gone (was folder docsvc:docsvc 0750)"*) ok "the change's evidence names the missing scratch folder" ;;
*) echo "evidence: $ev" >"$out"; bad "the change's evidence names the missing scratch folder" ;;
esac
if grep -qx '/var/lib/docconv/scratch: gone (was folder docsvc:docsvc 0750)' "$r"/w1/provision-changes-*.txt 2>/dev/null; then
	ok "... as the run folder's w1/provision-changes-BOOT.txt says"; else bad "... as the run folder's w1/provision-changes-BOOT.txt says"; fi
# The stalled job: an attempt on w1 that said it was retrying for its
# scratch folder, reported no progress, and did not end by itself (the
# re-image ended it); the job then finished correct on another attempt.
stalled=
for d in "$r"/jobs/*/[0-9]*/; do
	grep -q 'scratch /var/lib/docconv/scratch missing or not writable on w1' "$d/stderr" 2>/dev/null || continue
	[ -e "$d/done" ] && grep -q '"exit": 0' "$d/done" && continue
	job=$(basename "$(dirname "$d")") n=$(basename "$d")
	# its progress events name the attempt "JOB.NODE.N"
	prog=$(grep '"event":"job-progress"' "$r/events.jsonl" | grep -c "\"attempt\":\"$job\.w1\.$n\"")
	[ "$prog" = 0 ] && stalled="$stalled $job/$n"
done
if [ -n "$stalled" ]; then ok "jobs sent to w1 stalled there, retrying without progress:$stalled"; else
	explain_run "$r"; bad "jobs sent to w1 stalled there, retrying without progress"; fi
job=${stalled# }
job=${job%%/*}
if [ -n "$job" ] && [ "$(outcome_of "$res" "$job")" = correct ] &&
	jq -e --arg j "$job" '.jobs[] | select(.id == $j) | .within_expected == false and .attempts >= 2' "$res" >/dev/null 2>&1; then
	ok "... $job then finished correct on another attempt, late against its expectation"
else bad "... the stalled job then finished correct on another attempt, late against its expectation"; fi
finish "integration (byo)"
