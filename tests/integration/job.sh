#!/bin/sh
# The document job on its own: resumes from its checkpoint after a kill,
# writes its output atomically, and stalls (retrying) when it cannot write;
# it reports each checkpointed step in a progress file per attempt
# (harness/run/progress.h), and none while it cannot checkpoint.
#   tests/integration/job.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
build=$(cd "$1" && pwd)
job=$build/gd-job
tmp=$(mktemp -d /tmp/gameday-job.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "integration: job"
"$build/tests/gd_oracle" 9 j1 "$tmp/j1.txt" "$tmp/j1.expected"
mkdir -p "$tmp/scratch" "$tmp/out" "$tmp/progress"
host=$(hostname | cut -d. -f1)

"$job" j1 "$tmp/j1.txt" "$tmp/out/j1.json" --scratch "$tmp/scratch" --runtime-ms 2000 --steps 10 \
	--progress-dir "$tmp/progress" 2>"$tmp/log1" &
pid=$!
sleep 0.7
kill -9 $pid
wait $pid 2>/dev/null
if [ -e "$tmp/out/j1.json" ]; then bad "a killed job leaves no output"; else ok "a killed job leaves no output"; fi
if grep -q '^step [1-9]' "$tmp/scratch/j1.ckpt" 2>/dev/null; then ok "it left a checkpoint"; else bad "it left a checkpoint"; fi
first=$tmp/progress/j1.$host.$pid
if [ "$(head -1 "$first" 2>/dev/null)" = "step 1/10" ]; then ok "... and reported its steps in j1.HOST.PID"; else
	bad "... and reported its steps in j1.HOST.PID ($(ls "$tmp/progress"))"; fi

"$job" j1 "$tmp/j1.txt" "$tmp/out/j1.json" --scratch "$tmp/scratch" --runtime-ms 2000 --steps 10 \
	--progress-dir "$tmp/progress" 2>"$tmp/log2"
if grep -q 'resuming at step [1-9]' "$tmp/log2"; then ok "restarted, it resumes from the checkpoint"; else bad "restarted, it resumes from the checkpoint"; fi
if cmp -s "$tmp/j1.expected" "$tmp/out/j1.json"; then ok "its output matches the oracle"; else bad "its output matches the oracle"; fi
if [ -e "$tmp/scratch/j1.ckpt" ]; then bad "the checkpoint is removed when done"; else ok "the checkpoint is removed when done"; fi
second=$(ls "$tmp/progress"/j1.$host.* | grep -vx "$first")
if [ "$(ls "$tmp/progress" | wc -l)" = 2 ] && [ "$(tail -1 "$second")" = "step 10/10" ] &&
	! grep -qx 'step 1/10' "$second"; then
	ok "the second attempt reports in a file of its own, from where it resumed to the end"; else
	bad "the second attempt reports in a file of its own, from where it resumed to the end"; fi
GAMEDAY_PROGRESS=$tmp/env-progress "$job" j1 "$tmp/j1.txt" "$tmp/out/j1.json" --runtime-ms 0 --steps 2 2>/dev/null
if [ "$(cat "$tmp/env-progress" 2>/dev/null | tr '\n' ,)" = "step 1/2,step 2/2," ]; then
	ok "without --progress-dir it reports to \$GAMEDAY_PROGRESS"; else bad "without --progress-dir it reports to \$GAMEDAY_PROGRESS"; fi

# An output directory it may not write: it retries, then gives up when told.
mkdir "$tmp/ro" && chmod 0555 "$tmp/ro"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	run_as() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	chmod 0755 "$tmp" && chmod 0644 "$tmp/j1.txt"
else
	run_as() { "$@"; }
fi
run_as "$job" j1 "$tmp/j1.txt" "$tmp/ro/j1.json" --runtime-ms 0 --give-up-after-ms 1500 2>"$tmp/log3"
rc=$?
if [ $rc -eq 1 ] && grep -q 'cannot write.*Permission denied; retrying' "$tmp/log3" &&
	grep -q 'giving up' "$tmp/log3"; then
	ok "a write it may not make stalls it, then it gives up"
else
	bad "a write it may not make stalls it, then it gives up (exit $rc: $(cat "$tmp/log3"))"
fi

# A checkpoint it may not write (a skew's read-only scratch): it stalls,
# and reports no progress while it does.
mkdir "$tmp/progress2" && chmod 1777 "$tmp/progress2"
run_as "$job" j1 "$tmp/j1.txt" "$tmp/out/j2.json" --scratch "$tmp/ro" --runtime-ms 200 --steps 2 \
	--give-up-after-ms 1500 --progress-dir "$tmp/progress2" 2>"$tmp/log4"
rc=$?
if [ $rc -eq 1 ] && grep -q 'cannot checkpoint to.*Permission denied; retrying' "$tmp/log4" &&
	[ -z "$(cat "$tmp/progress2"/* 2>/dev/null)" ]; then
	ok "a checkpoint it may not write stalls it, with no progress reported"
else
	bad "a checkpoint it may not write stalls it, with no progress reported (exit $rc: $(cat "$tmp/log4" "$tmp/progress2"/* 2>/dev/null))"
fi

finish integration
