#!/bin/sh
# Integration test of netem steps on real Slurm (1 controller, 2 workers),
# on a kernel that has the netem qdisc: delay with jitter on one worker,
# loss on the other, each read back from the kernel and the delay seen in
# a TCP handshake from inside the node; iproute2's own 'tc' sees the qdisc
# come and go, the link's queue after the heal is what it was before;
# every job still ends correct in time; a run SIGKILLed with netem in
# place is cleaned up by 'gameday cleanup'.
#
# This machine's kernel has no netem: here the test checks that a run
# refuses (exit 3, saying so, nothing brought up), then runs itself again
# inside a User-mode Linux kernel that has it (tests/uml/boot.sh).
#   tests/integration/netem.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
it_begin "$1" /usr/sbin/slurmctld

clean_host() {
	left=$(ls "$state/state/runs" 2>/dev/null)
	cg=$(find /sys/fs/cgroup -maxdepth 3 -name 'gameday-gd*' 2>/dev/null | head -1)
	live=$(ps -eo stat=,comm= | awk '$2 == "gd-init" && $1 !~ /^Z/' | head -1)
	if [ -z "$left" ] && [ -z "$cg" ] && [ -z "$live" ]; then ok "$1"; else bad "$1 ($left $cg $live)"; fi
}

# Delay at 3m for 10m on w1, loss from 4m to 10m on w2 (scale 60: 3 s in,
# 10 s long): the jobs run through both.
cat >"$state/netem.json" <<'JSON'
{"gameday": 1, "duration": "1h", "time_scale": 60, "seed": 5,
 "cluster": {"system": "slurm", "nodes": [{"name": "ctl", "role": "controller"}, {"name": "w[1-2]", "role": "worker"}]},
 "workload": {"jobs": 4, "deadline": "1h", "expected": "15m"},
 "steps": [{"id": "slow-w1", "kind": "netem", "at": "3m", "for": "10m", "targets": "w1", "latency": "200ms", "jitter": "20ms"},
           {"id": "lossy-w2", "kind": "netem", "at": "4m", "for": "6m", "targets": "w2", "loss": "5%"}]}
JSON

echo "integration: netem${GD_IN_UML:+ (in User-mode Linux)}"
"$gameday" run --out "$state/r0" "$state/netem.json" >"$out" 2>&1
rc=$?
if [ $rc = 3 ] && grep -q "this kernel has none" "$out"; then
	# No netem here: refused before anything is brought up.
	ok "a kernel without netem: the run refuses, exit 3, saying why"
	clean_host "... and brings nothing up"
	if [ -n "${GD_IN_UML:-}" ]; then
		bad "the User-mode Linux kernel has netem"
		finish integration
		exit
	fi
	mkdir "$state/uml"
	sh "$here/../uml/boot.sh" "$state/uml" "$0" "$build" >"$out" 2>&1
	rc=$?
	[ -f "$state/uml/out" ] && sed 's/^/  /' "$state/uml/out"
	if [ $rc = 77 ]; then
		sed 's/^/  /' "$out"
		echo "  (the checks on a kernel with netem skipped)"
	elif [ -f "$state/uml/counts" ]; then
		# (the checks made there count on their own line)
		[ -n "${GD_COUNTS:-}" ] && cat "$state/uml/counts" >>"$GD_COUNTS"
	else
		bad "the checks ran to their end in User-mode Linux"
	fi
	finish integration || exit 1
	[ $rc = 0 ] || [ $rc = 77 ]
	exit
fi

# A kernel with netem: the run above was the real thing.
ev=$state/r0/events.jsonl
if [ $rc -le 1 ] && contract_met "$state/r0/result.json" 4; then ok "a run with netem on two workers: every job correct in time (exit $rc)"; else
	explain_run "$state/r0"
	bad "a run with netem on two workers: every job correct in time (exit $rc)"; fi
contains "... both faults applied with evidence" "2 faults: 2 applied with evidence"
applied() { grep '"event":"fault-applied"' "$ev" | grep "\"fault\":\"$1\""; }
healed() { grep '"event":"fault-healed"' "$ev" | grep "\"fault\":\"$1\""; }
if applied slow-w1 | grep -q 'read back: w1 eth0: netem delay 200ms jitter 20ms;'; then
	ok "delay and jitter read back from w1's kernel"; else bad "delay and jitter read back from w1's kernel"; fi
ms=$(applied slow-w1 | sed -n 's/.*w1 -> [a-z0-9]* handshake \([0-9.]*\) ms.*/\1/p')
if [ -n "$ms" ] && awk -v ms="$ms" 'BEGIN { exit !(ms >= 180) }'; then
	ok "a handshake from inside w1 takes the delay ($ms ms)"; else bad "a handshake from inside w1 takes the delay ($ms ms)"; fi
if applied lossy-w2 | grep -q 'read back: w2 eth0: netem loss 5%"'; then
	ok "loss read back from w2's kernel"; else bad "loss read back from w2's kernel"; fi
if healed slow-w1 | grep -q 'read back: w1 eth0: noqueue;' && healed lossy-w2 | grep -q 'read back: w2 eth0: noqueue"'; then
	ok "both heal: the links have their own queue back"; else bad "both heal: the links have their own queue back"; fi
ms=$(healed slow-w1 | sed -n 's/.*w1 -> [a-z0-9]* handshake \([0-9.]*\) ms.*/\1/p')
if [ -n "$ms" ] && awk -v ms="$ms" 'BEGIN { exit !(ms < 100) }'; then
	ok "... and a handshake from w1 is fast again ($ms ms)"; else bad "... and a handshake from w1 is fast again ($ms ms)"; fi
clean_host "nothing is left of the cluster"

# iproute2's tc, run inside w1, sees the qdisc come and go; after the heal
# the link's queue is as before.
qstate() { "$gameday" cluster exec w1 -- tc qdisc show dev eth0 2>&1; }
GAMEDAY_LOG_DIR=$state/logs2 "$gameday" run --out "$state/r2" "$state/netem.json" >"$out" 2>&1 &
pid=$!
seen=0
wait_event "$state/logs2" '"run-started"' && seen=$((seen + 1))
qstate >"$state/before"
wait_event "$state/logs2" '"event":"fault-applied".*"fault":"slow-w1"' && seen=$((seen + 1))
qstate >"$state/during"
wait_event "$state/logs2" '"event":"fault-healed".*"fault":"slow-w1"' && seen=$((seen + 1))
qstate >"$state/after"
wait $pid
if [ $seen = 3 ]; then ok "the run's start, the delay and its heal came in turn"; else bad "the run's start, the delay and its heal came in turn ($seen of 3 seen)"; fi
if grep -q 'qdisc netem .* delay 200ms  *20ms' "$state/during"; then ok "tc shows netem on w1 while the step is in place"; else
	cp "$state/during" "$out"; bad "tc shows netem on w1 while the step is in place"; fi
if [ -s "$state/before" ] && cmp -s "$state/before" "$state/after"; then ok "... and after its heal the same queue as before ($(head -c 40 "$state/before"))"; else
	diff "$state/before" "$state/after" >"$out"; bad "... and after its heal the same queue as before"; fi

# SIGKILL with netem in place; 'gameday cleanup' leaves the host as found.
GAMEDAY_LOG_DIR=$state/logk "$gameday" run --out "$state/rk" "$state/netem.json" >"$out" 2>&1 &
pid=$!
if wait_event "$state/logk" '"event":"fault-applied"'; then ok "a run with netem in place, to be killed"; else bad "a run with netem in place, to be killed"; fi
kill -KILL $pid
wait $pid 2>/dev/null
"$gameday" cleanup >"$out" 2>&1
clean_host "SIGKILL during a netem fault, then cleanup: the host is clean"

finish integration
