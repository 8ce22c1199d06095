#!/bin/sh
# The team's provisioning on real nodes: its files copied into the nodes'
# own layers with their owners and modes, its script run as root at every
# boot before the services, its output kept per node and boot; a script
# that fails (or writes to the host's /usr) stops cluster up with its
# status and output and leaves nothing behind; on Slurm, a reboot's return
# says whether the script ran again, and the fault is not healed when it
# failed.
#   tests/integration/provision.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
it_begin "$1" /usr/sbin/slurmctld
echo "integration: the team's provisioning"
team=$here/provision
g() { "$gameday" "$@"; }
cgroot=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
nothing_left() {
	for try in 1 2 3 4 5 6 7 8 9 10; do
		if [ -z "$(ls -A "$GAMEDAY_STATE_DIR/runs" 2>/dev/null)" ] &&
			! ls -d "$cgroot"/gameday-gd* >/dev/null 2>&1; then
			ok "$1"
			return
		fi
		sleep 0.2
	done
	bad "$1"
}

cd "$team" || exit 1
expect "cluster up runs each node's provisioning" 0 g cluster up cluster.json
expect "a role's file is in the node, with its owner and mode" 0 g cluster exec alpha -- sh -c \
	'[ "$(stat -c %U:%G:%a /etc/docconv/app.conf)" = gdjob:gdjob:640 ] && grep -q scratch /etc/docconv/app.conf'
expect "a role's folder too, its folders searchable where they read" 0 g cluster exec beta -- sh -c \
	'[ "$(stat -c %U:%G:%a /opt/docconv/templates/legal)" = root:gdjob:750 ] && [ "$(stat -c %a /opt/docconv/templates/letter.tmpl)" = 640 ]'
expect "the script ran as root, with its argument" 0 g cluster exec alpha -- sh -c \
	'[ "$(stat -c %U /var/lib/docconv/scratch)" = gdjob ]'
expect "... before the services (they started after it)" 0 g cluster exec alpha -- sh -c \
	'cat /run/gameday/provisioned; test -e /run/gameday/ticker.pid'
contains "... at boot 1, status 0, by this boot's gd-init" "^1 0 [0-9][0-9]*$"
cat "$GAMEDAY_LOG_DIR"/gd*/events.jsonl >"$state/up-events" 2>/dev/null
p=$(grep -n '"node":"alpha","event":"node-provisioned".*"status":0' "$state/up-events" | head -1 | cut -d: -f1)
s=$(grep -n '"node":"alpha","event":"start","service":"ticker"' "$state/up-events" | head -1 | cut -d: -f1)
if [ -n "$p" ] && [ -n "$s" ] && [ "$p" -lt "$s" ]; then ok "... its services started once it had ended (the log's order)"; else
	bad "... its services started once it had ended (the log's order: provisioned at line ${p:-none}, ticker at ${s:-none})"; fi
expect "its output is the node's, per boot" 0 g cluster exec beta -- cat /var/log/gameday/provision/1.log
contains "... with the node, role and boot in its environment" "provisioning beta (app), boot 1"
for p in /etc/docconv /opt/docconv /var/lib/docconv; do
	if [ -e "$p" ]; then bad "the host has no $p"; else ok "the host has no $p"; fi
done
expect "a node's restart" 0 g cluster stop alpha
expect "... and start" 0 g cluster start alpha
for i in $(seq 1 100); do
	g cluster exec alpha -- cat /run/gameday/provisioned 2>/dev/null | grep -q "^2 " && break
	sleep 0.1
done
expect "provisions it again, at boot 2, over the layers it kept" 0 g cluster exec alpha -- cat /etc/docconv/boots
contains "... boot 1 then boot 2" "boot 2"
expect "cluster down" 0 g cluster down
nothing_left "... leaves nothing"

expect "a failing script stops cluster up (exit 3)" 3 g cluster up failing.json
contains "... naming the node, the script and its status" "node alpha: its provisioning script (failing.sh, \$.roles.app.provision) exited with status 3 at boot 1"
contains "... and what it said" "| firmware 2.1 is older than 2.4: refusing"
nothing_left "... and leaves nothing behind"
expect "a script writing to the host's /usr fails (exit 3)" 3 g cluster up usr.json
contains "... told the file system is read-only" "/usr/bin/docconv': Read-only file system"
if [ -e /usr/bin/docconv ] || [ -e /usr/local/bin/docconv ]; then
	bad "... and the host's /usr is untouched"; rm -f /usr/bin/docconv /usr/local/bin/docconv
else ok "... and the host's /usr is untouched"; fi
nothing_left "... and leaves nothing behind"

"$gameday" cluster up slow.json >"$out" 2>&1 &
pid=$!
sleep 1.5
kill -TERM $pid
wait $pid
rc=$?
if [ $rc = 130 ]; then ok "SIGTERM while a node provisions ends cluster up (exit 130)"; else bad "SIGTERM while a node provisions ends cluster up (exit 130, got $rc)"; fi
contains "... saying so" "interrupted while node alpha was provisioned"
nothing_left "... and leaves nothing behind, the script's processes included"

# On Slurm: w1's template breaks at its second boot, w2's does not.
g run --quiet --out "$state/r" reboot.json >"$out" 2>&1
rc=$?
ev=$state/r/events.jsonl
if [ $rc = 1 ]; then ok "a run whose reboot comes back unprovisioned fails (exit 1)"; else
	explain_run "$state/r"; bad "a run whose reboot comes back unprovisioned fails (exit 1, got $rc)"; fi
grep '"event":"fault-not-healed"' "$ev" >"$out"
contains "... the reboot is not healed: w1 NOT provisioned at boot 2, status 100" "w1: NOT provisioned: its provisioning script (worker.sh, [^)]*) exited with status 100 at boot 2"
contains "... with what the script said" "no installation candidate"
contains "... and w2 provisioned at boot 2" "w2: provisioned at boot 2"
p=$(grep -n '"node":"w1","event":"node-provisioned".*"status":100' "$ev" | head -1 | cut -d: -f1)
if [ -n "$p" ] && ! tail -n +"$p" "$ev" | grep -q '"node":"w1","event":"start"'; then
	ok "... no service started on w1 after its failed provisioning"; else
	bad "... no service started on w1 after its failed provisioning"; fi
for f in w1/provision-1.log w1/provision-2.log w2/provision-2.log; do
	if [ -s "$state/r/$f" ]; then ok "the run folder keeps $f"; else bad "the run folder keeps $f"; fi
done
n=$(jq '[.jobs[] | select(.outcome == "correct")] | length' "$state/r/result.json")
if [ "$n" = 4 ]; then ok "... and the jobs finished on w2 meanwhile"; else bad "... and the jobs finished on w2 meanwhile ($n of 4)"; fi
nothing_left "... and the run leaves nothing behind"

# A reboot coming back renewed by the new template: the node's files
# kept aside, made fresh and provisioned by the other script; what it
# does differently is the evidence; at the change's end the old files
# come back (a boot with the old template again).
g run --quiet --out "$state/renew" renew.json >"$out" 2>&1
rc=$?
ev=$state/renew/events.jsonl
if [ $rc = 0 ]; then ok "a run with a node renewed by another template passes"; else
	explain_run "$state/renew"; bad "a run with a node renewed by another template passes (exit $rc)"; fi
grep '"event":"fault-healed"' "$ev" >"$out"
contains "... its return provisioned by the new script, at boot 2" "w1: provisioned at boot 2"
contains "... what that changed in the evidence" "w1: renewed by new-template.sh, 4 differences, first: user docsvc: uid 2002 (was 2001)"
cp "$state/renew/w1/provision-changes-2.txt" "$out" 2>/dev/null
contains "... every difference in the run folder: the group" "^group docsvc: gid 2002 (was 2001)$"
contains "... and the folder the new template lacks" "^/var/lib/docconv/scratch: gone (was folder docsvc:docsvc 0750)$"
grep '"event":"change-reverted"' "$ev" >"$out"
contains "... reverted at the change's end: its own files back" "w1: its own files back"
cp "$state/renew/w1/provision-3.log" "$out" 2>/dev/null
contains "... booted with the old template again" "old template applied"
nothing_left "... and the run leaves nothing behind"
finish integration
