#!/bin/sh
# Integration test of the exec adapter on a second, independent job system:
# beanstalkd and gd-bsq workers (scenarios/clusters/beanstalk.json) run the
# same twenty document jobs as the Slurm baseline; maintenance drains
# workers through the adapter (nothing requeued); a worker killed mid-run
# costs nothing (beanstalkd hands its job to another worker); a job done
# twice is scored "duplicated"; jobs a restarted queue forgets are
# "lost"; adapters that break the contract end the
# run with exit 3, their own words and a clean host.
#   tests/integration/exec.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
it_begin "$1" /usr/bin/beanstalkd
scenario=$here/../../scenarios/beanstalk-baseline.json

clean_host() {
	if [ -z "$(ls "$state/state/runs" 2>/dev/null)" ]; then ok "$1"; else bad "$1"; fi
}

# running_on NODE: waits until a worker on NODE holds a job; prints its
# beanstalkd id.
running_on() {
	for i in $(seq 1 400); do
		for f in "$state"/state/runs/gd*/shared/bsq/*.node; do
			[ -f "$f" ] && [ "$(cat "$f" 2>/dev/null)" = "$1" ] || continue
			id=$(basename "$f" .node)
			[ -f "${f%.node}.done" ] && continue
			echo "$id"
			return 0
		done
		sleep 0.05
	done
	return 1
}

# busy_worker: a worker running a job now (waits 20 s at most).
busy_worker() {
	for i in $(seq 1 400); do
		for f in "$state"/state/runs/gd*/shared/bsq/*.node; do
			[ -f "$f" ] && [ ! -f "${f%.node}.done" ] || continue
			n=$(cat "$f" 2>/dev/null)
			case $n in w*) echo "$n"; return 0 ;; esac
		done
		sleep 0.05
	done
	return 1
}

echo "integration: exec adapter (beanstalkd)"
expect "twenty jobs through the exec adapter pass" 0 "$gameday" run --out "$state/r1" "$scenario"
contains "... all correct and on time" "20 jobs: 20 correct, 20 on time"
n=$(grep -c '"outcome": "correct"' "$state/r1/result.json")
if [ "$n" = 20 ]; then ok "result.json has twenty correct jobs"; else bad "result.json has twenty correct jobs ($n)"; fi
if grep -q '"system": "exec"' "$state/r1/result.json"; then ok "... run on the exec system"; else bad "... run on the exec system"; fi
for e in job-submitted job-started job-finished job-outcome; do
	if grep -q "\"event\":\"$e\"" "$state/r1/events.jsonl"; then ok "the event log has $e"; else bad "the event log has $e"; fi
done
n=$(grep '"event":"job-progress"' "$state/r1/events.jsonl" | sed 's/.*"job":"\([^"]*\)".*/\1/' | sort -u | wc -l)
if [ "$n" = 20 ]; then ok "... every job's progress"; else bad "... every job's progress ($n jobs)"; fi
n=$(grep '"event":"node-state"' "$state/r1/events.jsonl" | grep -c '"node":"w[1-3]","source":"gameday","state":"idle"')
if [ "$n" -ge 3 ] && ! grep '"event":"node-state"' "$state/r1/events.jsonl" | grep -q '"node":"queue"'; then
	ok "... and the adapter's word on each worker (nodes)"; else bad "... and the adapter's word on each worker (nodes)"; fi
if [ -s "$state/r1/queue/service-beanstalkd.log" ] || [ -f "$state/r1/queue/service-beanstalkd.log" ]; then
	ok "the run directory keeps the services' logs"; else bad "the run directory keeps the services' logs"; fi
clean_host "nothing is left of the cluster"

# Maintenance through the adapter's drain: w1 drained while it runs a job
# (its job ends before the reboot), w2 while it waits for work (the job it
# is handed goes back); nothing requeued, and both resumed when back.
expect "a drained maintenance through the exec adapter passes" 0 \
	"$gameday" run --quiet --out "$state/rd" "$here/scenarios/bsq-drain.json"
ev=$state/rd/events.jsonl
if grep '"event":"fault-drained"' "$ev" | grep -q '"evidence":"w1 draining".*"evidence_ok":true'; then
	ok "... the busy worker is draining when drained"; else bad "... the busy worker is draining when drained"; fi
if grep '"event":"fault-drained"' "$ev" | grep -q '"evidence":"w2 drained"'; then
	ok "... the idle one drained"; else bad "... the idle one drained"; fi
n=$(grep '"event":"fault-applied"' "$ev" | grep -c '"drain_states":"w[12] drained"')
if [ "$n" = 2 ]; then ok "... both drained when they went down"; else bad "... both drained when they went down ($n)"; fi
# (idle, or busy already: a job may reach it the moment it is resumed)
n=$(grep '"event":"fault-healed"' "$ev" | grep -c 'resumed in the job system: w[12] \(idle\|busy\)')
if [ "$n" = 2 ]; then ok "... both resumed when back"; else bad "... both resumed when back ($n)"; fi
if grep -q 'w2 is drained: job [0-9]* given back' "$state/rd/w2/service-worker.log" &&
	! grep -q '"event":"job-requeued"' "$ev" && ! grep -q '"attempts": [02-9]' "$state/rd/result.json"; then
	ok "... the job handed to the drained worker went back, and no job counts a second attempt"; else
	bad "... the job handed to the drained worker went back, and no job counts a second attempt"; fi
healed=$(grep '"event":"fault-healed"' "$ev" | grep '"fault":"w1-maintenance"' | sed 's/.*"t_ms":\([0-9]*\).*/\1/')
after=$(grep '"event":"job-started"' "$ev" | grep '"node":"w1"' | sed 's/.*"t_ms":\([0-9]*\).*/\1/' |
	awk -v h="$healed" '$1 > h' | wc -l)
if [ -n "$healed" ] && [ "$after" -ge 1 ]; then ok "... w1 takes work again once resumed"; else bad "... w1 takes work again once resumed"; fi
clean_host "nothing is left of the cluster"

# Kill a worker node while it runs a job (the first found busy): its
# connection closes, the queue gives the job to another worker, and every
# job still ends right.
"$gameday" run --out "$state/r2" "$scenario" >"$out" 2>&1 &
pid=$!
busy=$(busy_worker)
[ -n "$busy" ] && "$gameday" cluster stop "$busy" >/dev/null 2>&1
wait $pid
rc=$?
# (the contract holds; the requeued job may miss its expected duration)
if [ $rc -le 1 ] && contract_met "$state/r2/result.json" 20; then ok "with a worker killed mid-job every job still finishes correctly"; else
	bad "with a worker killed mid-job every job still finishes correctly (exit $rc)"; fi
if grep -q '"event":"job-requeued"' "$state/r2/events.jsonl"; then ok "the event log shows the job handed on"; else bad "the event log shows the job handed on"; fi
if grep -q '"attempts": 2' "$state/r2/result.json"; then ok "result.json counts the second attempt"; else bad "result.json counts the second attempt"; fi

# A job done twice: a second copy of one job run by hand to its end (as a
# worker frozen past the time-to-run would, when thawed) makes it
# "duplicated"; meanwhile a test corrupts another job's output.  (Freezing
# a worker is the real way, but beanstalkd 1.12 does not always time out
# the frozen worker's job, so the test would be flaky.)
"$gameday" run --out "$state/r3" "$scenario" >"$out" 2>&1 &
pid=$!
running_on w2 >/dev/null
"$gameday" cluster exec w1 -- runuser -u gdjob -- /srv/gameday/gd-job jobs-19 \
	/srv/shared/in/jobs-19.txt /srv/shared/out/jobs-19.json --record-dir /srv/shared/done >/dev/null 2>&1
corrupt_when_written "$state/state/runs/gd*/shared/out/jobs-20.json"
wait $pid
rc=$?
if [ $rc -eq 1 ]; then ok "a run with a duplicated and a wrong job fails (exit 1)"; else bad "a run with a duplicated and a wrong job fails (exit $rc)"; fi
if [ "$(outcome_of "$state/r3/result.json" jobs-19)" = duplicated ]; then ok "the job done twice is scored duplicated"; else
	bad "the job done twice is scored duplicated"; fi
if grep -q '"why": "2 attempts ran to the end (.*w1[.]' "$state/r3/result.json"; then ok "... saying by whom"; else bad "... saying by whom"; fi
if [ "$(outcome_of "$state/r3/result.json" jobs-20)" = wrong ]; then ok "the corrupted output is scored wrong (through the adapter's verify)"; else
	bad "the corrupted output is scored wrong (through the adapter's verify)"; fi
clean_host "nothing is left of the cluster"

# A queue server restarted without its binlog forgets its jobs: they are
# lost, and the event log says when each went missing.
cat >"$state/forgetful.json" <<'JSON'
{"gameday": 1, "duration": "1h", "time_scale": 600,
 "cluster": {"system": "exec", "nodes": [{"name": "q", "role": "queue"}, {"name": "w1", "role": "idle"}],
   "roles": {"queue": {"services": [{"name": "beanstalkd", "user": "root", "restart": "always", "min_interval": "100ms",
       "argv": ["/usr/bin/beanstalkd", "-l", "0.0.0.0", "-p", "11300"]}]}},
   "adapter": {"node": "q",
     "ready": ["/srv/gameday/gd-bsq", "--server", "q:11300", "ready", "--workers", "0"],
     "submit": ["/srv/gameday/gd-bsq", "--server", "q:11300", "submit"],
     "query": ["/srv/gameday/gd-bsq", "--server", "q:11300", "query"]}},
 "workload": {"jobs": 2, "deadline": "1h", "expected": "1m"}}
JSON
GAMEDAY_LOG_DIR=$state/logs8 "$gameday" run --out "$state/r8" "$state/forgetful.json" >"$out" 2>&1 &
pid=$!
wait_event "$state/logs8" '"job-submitted"' 2
sleep 0.5
"$gameday" cluster exec q -- pkill -x beanstalkd >/dev/null 2>&1
wait $pid
rc=$?
if [ $rc -eq 1 ]; then ok "jobs the job system forgets fail the run (exit 1)"; else bad "jobs the job system forgets fail the run (exit $rc)"; fi
if [ "$(outcome_of "$state/r8/result.json" jobs-1)" = lost ] && [ "$(outcome_of "$state/r8/result.json" jobs-2)" = lost ]; then
	ok "... and are scored lost"; else bad "... and are scored lost"; fi
if grep -q '"event":"job-missing"' "$state/r8/events.jsonl"; then ok "... the event log saying when they went missing"; else bad "... the event log saying when they went missing"; fi
if [ "$(grep -c '"event":"node-state"' "$state/r8/events.jsonl")" = 1 ] &&
	grep -q '"event":"node-state","node":"w1","source":"gameday","state":"unknown"' "$state/r8/events.jsonl"; then
	ok "an adapter without \"nodes\": each worker's state is unknown, once"; else
	bad "an adapter without \"nodes\": each worker's state is unknown, once"; fi
clean_host "... and leaves nothing of the cluster"

# Adapters that break the contract.
cluster_with() { # cluster_with FILE ADAPTER_JSON
	cat >"$1" <<JSON
{"gameday": 1, "duration": "2h", "time_scale": 600,
 "cluster": {"system": "exec", "nodes": [{"name": "q", "role": "queue"}, {"name": "w1", "role": "worker"}],
   "roles": {"queue": {"services": [{"name": "beanstalkd", "user": "root",
       "argv": ["/usr/bin/beanstalkd", "-l", "0.0.0.0", "-p", "11300"]}]},
     "worker": {"services": [{"name": "worker", "argv": ["/srv/gameday/gd-bsq", "--server", "q:11300", "worker"]}]}},
   "adapter": $2},
 "workload": {"jobs": 2, "deadline": "1h", "expected": "1m"}}
JSON
}
bsq='"/srv/gameday/gd-bsq", "--server", "q:11300"'
cluster_with "$state/never.json" '{"node": "q", "ready": ["/bin/sh", "-c", "echo no queue here >&2; exit 1"], "submit": ["/bin/true"], "query": ["/bin/true"]}'
GAMEDAY_READY_MS=2000 expect "a job system that never gets ready: exit 3" 3 "$gameday" run --out "$state/r4" "$state/never.json"
contains "... quoting the adapter" "no queue here"
clean_host "... and leaves nothing of the cluster"

cluster_with "$state/hang.json" '{"node": "q", "ready": ["/bin/sleep", "600"], "submit": ["/bin/true"], "query": ["/bin/true"]}'
start=$(date +%s)
GAMEDAY_READY_MS=2000 expect "a \"ready\" that hangs: exit 3" 3 "$gameday" run --out "$state/r5" "$state/hang.json"
took=$(($(date +%s) - start))
if [ $took -lt 30 ]; then ok "... within its time limit (${took} s)"; else bad "... within its time limit (${took} s)"; fi
contains "... saying it did not finish" "did not finish within"
clean_host "... and leaves nothing of the cluster"

cluster_with "$state/garbled.json" "{\"node\": \"q\", \"submit\": [\"/bin/echo\", \"accepted\"], \"query\": [$bsq, \"query\"]}"
GAMEDAY_UNRESPONSIVE_MS=1500 expect "a \"submit\" printing no JSON: exit 3" 3 "$gameday" run --out "$state/r6" "$state/garbled.json"
contains "... quoting what it printed" 'adapter "submit" printed accepted jobs-1'
clean_host "... and leaves nothing of the cluster"

adapter=$(cat <<'JSON'
{"node": "q", "ready": ["/srv/gameday/gd-bsq", "--server", "q:11300", "ready"],
 "submit": ["/srv/gameday/gd-bsq", "--server", "q:11300", "submit"],
 "query": ["/bin/sh", "-c", "echo '{\"jobs\": [{\"id\": 1, \"state\": \"sleeping\"}]}'", "sh"]}
JSON
)
cluster_with "$state/badquery.json" "$adapter"
GAMEDAY_UNRESPONSIVE_MS=1500 expect "a \"query\" breaking the contract: exit 3" 3 "$gameday" run --out "$state/r7" "$state/badquery.json"
contains "... naming the bad entry" '\$.jobs\[0\] has no "state" among queued, running, completed, failed'
if grep -q '"event":"job-system-error"' "$state/r7/events.jsonl" 2>/dev/null; then
	ok "... and the event log has the error"; else bad "... and the event log has the error"; fi
clean_host "... and leaves nothing of the cluster"

finish integration
