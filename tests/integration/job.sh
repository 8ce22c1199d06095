#!/bin/sh
# The document job on its own: resumes from its checkpoint after a kill,
# writes its output atomically, and stalls (retrying) when it cannot write.
#   tests/integration/job.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
build=$(cd "$1" && pwd)
job=$build/gd-job
tmp=$(mktemp -d /tmp/gameday-job.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "integration: job"
"$build/tests/gd_oracle" 9 j1 "$tmp/j1.txt" "$tmp/j1.expected"
mkdir -p "$tmp/scratch" "$tmp/out"

"$job" j1 "$tmp/j1.txt" "$tmp/out/j1.json" --scratch "$tmp/scratch" --runtime-ms 2000 --steps 10 2>"$tmp/log1" &
pid=$!
sleep 0.7
kill -9 $pid
wait $pid 2>/dev/null
if [ -e "$tmp/out/j1.json" ]; then bad "a killed job leaves no output"; else ok "a killed job leaves no output"; fi
if grep -q '^step [1-9]' "$tmp/scratch/j1.ckpt" 2>/dev/null; then ok "it left a checkpoint"; else bad "it left a checkpoint"; fi

"$job" j1 "$tmp/j1.txt" "$tmp/out/j1.json" --scratch "$tmp/scratch" --runtime-ms 2000 --steps 10 2>"$tmp/log2"
if grep -q 'resuming at step [1-9]' "$tmp/log2"; then ok "restarted, it resumes from the checkpoint"; else bad "restarted, it resumes from the checkpoint"; fi
if cmp -s "$tmp/j1.expected" "$tmp/out/j1.json"; then ok "its output matches the oracle"; else bad "its output matches the oracle"; fi
if [ -e "$tmp/scratch/j1.ckpt" ]; then bad "the checkpoint is removed when done"; else ok "the checkpoint is removed when done"; fi

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

finish integration
