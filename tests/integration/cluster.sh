#!/bin/sh
# Integration test of the staging cluster on real namespaces, cgroups and
# mounts: a three-node cluster, its network, its files, its supervisor,
# freeze and kill, and a host left exactly as found after 'down',
# 'cleanup', and a SIGKILL at every ledgered step of 'cluster up'.
#
#   tests/integration/cluster.sh BUILD_DIR
# Exit 77 (skipped) only when the privilege or kernel feature is missing.
set -u
. "$(dirname "$0")/lib.sh"
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
gameday=$build/gameday
cluster=$here/../cluster/three.json

if [ "$(id -u)" != 0 ]; then
	echo "integration: skipped: needs root (namespaces, cgroups, mounts)"
	exit 77
fi
if ! grep -q cgroup2 /proc/self/mountinfo; then
	echo "integration: skipped: no cgroup v2 hierarchy mounted"
	exit 77
fi

state=$(mktemp -d /tmp/gameday-it.XXXXXX)
export GAMEDAY_STATE_DIR=$state GAMEDAY_LOG_DIR=$state/logs
out=$(mktemp)

teardown() {
	"$gameday" cleanup >/dev/null 2>&1
	rm -rf "$state" "$out"
}
trap teardown EXIT INT TERM


# What a clean host looks like, for this state dir: no cgroup, mount, run
# directory or process of gameday's.  Killed processes are reaped by the
# host's init, which may take a moment: look a few times.
host_clean() {
	for try in 1 2 3 4 5 6 7 8 9 10; do
		host_clean_now && return 0
		sleep 0.2
	done
	return 1
}
host_clean_now() {
	left=""
	cgroot=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
	[ -n "$(ls "$cgroot" | grep '^gameday-gd')" ] && left="$left cgroups"
	grep -q " $state/" /proc/self/mountinfo && left="$left mounts"
	[ -n "$(ls "$state/runs" 2>/dev/null)" ] && left="$left run-dirs"
	for p in /proc/[0-9]*; do
		case $(cat "$p/comm" 2>/dev/null) in
		gd-init | gd-probe) left="$left process:${p#/proc/}" ;;
		esac
	done
	ip -o link 2>/dev/null | grep -q 'gd-' && left="$left host-links"
	echo "$left" >"$out"
	[ -z "$left" ]
}

g() { "$gameday" "$@"; }
run_dir() { ls -d "$state"/runs/gd* | head -1; }
events() { cat "$state"/logs/gd*/events.jsonl; }

echo "integration: cluster"
expect "cluster up" 0 g cluster up "$cluster"
contains "three nodes up" "gamma .*10.77.0.12 .*up"

expect "reach a node by name" 0 g cluster exec beta -- /srv/gameday/gd-probe connect alpha 7000
contains "the answer comes from alpha" "connected alpha:7000 alpha"
expect "reach a node by address" 0 g cluster exec gamma -- /srv/gameday/gd-probe connect 10.77.0.10 7000
expect "no route beyond the bridge" 1 g cluster exec beta -- /srv/gameday/gd-probe connect 192.0.2.1 80 300
contains "unreachable, not timed out" "ENETUNREACH"
expect "own hostname" 0 g cluster exec gamma -- /srv/gameday/gd-probe hostname
contains "hostname is gamma" "^gamma$"
expect "own /etc/hostname" 0 g cluster exec beta -- cat /etc/hostname
contains "/etc/hostname is beta" "^beta$"
expect "own /etc/passwd" 0 g cluster exec beta -- grep '^gdjob:' /etc/passwd
if grep -q '^gdjob:' /etc/passwd; then bad "host /etc/passwd untouched"; else ok "host /etc/passwd untouched"; fi
expect "own /etc/hosts" 0 g cluster exec alpha -- grep -w gamma /etc/hosts
expect "own /sys/class/net: its links only" 0 g cluster exec beta -- sh -c '[ "$(ls /sys/class/net | tr "\n" " ")" = "eth0 lo " ]'
expect "no cgroup of the host's reachable: /sys/fs/cgroup is empty" 0 g cluster exec beta -- sh -c '[ -z "$(ls -A /sys/fs/cgroup)" ] && ! grep -qE " cgroup2? " /proc/self/mounts'
# Layers: what provisioning may write is the node's own; the rest of the
# host's tree is read-only inside nodes.
mark=gameday-it-$$
expect "a node's /root and /home start empty: none of the host's homes or keys" 0 g cluster exec beta -- sh -c '[ -z "$(ls -A /root /home | grep -v "^/\|^$")" ]'
for d in /etc /opt /usr/local /home /root /var/lib /srv; do
	expect "a node writes $d (its own layer)" 0 g cluster exec beta -- sh -c "echo x > $d/$mark"
	if [ -e "$d/$mark" ]; then bad "... the host's $d untouched"; rm -f "$d/$mark"; else ok "... the host's $d untouched"; fi
	expect "... another node does not see it" 1 g cluster exec gamma -- test -e "$d/$mark"
done
expect "a node cannot write the host's /usr" 2 g cluster exec beta -- sh -c "echo x > /usr/bin/$mark"
contains "... it is told the file system is read-only" "Read-only file system"
if [ -e /usr/bin/$mark ]; then bad "... the host's /usr untouched"; rm -f /usr/bin/$mark; else ok "... the host's /usr untouched"; fi
expect "nor anything else of the host's" 1 g cluster exec beta -- touch /$mark
expect "/tmp is the node's own" 0 g cluster exec beta -- sh -c "echo x > /tmp/$mark"
expect "/dev holds a node's devices alone: no host disk" 0 g cluster exec beta -- sh -c \
	'[ "$(ls /dev | tr "\n" " ")" = "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero " ] && echo x >/dev/null'
swappiness=$(cat /proc/sys/vm/swappiness)
expect "a node cannot retune the host's kernel (/proc/sys)" 1 g cluster exec beta -- sh -c "echo 7 > /proc/sys/vm/swappiness || exit 1"
if [ "$(cat /proc/sys/vm/swappiness)" = "$swappiness" ]; then ok "... the host's vm.swappiness untouched"; else bad "... the host's vm.swappiness untouched"; fi
expect "nor write to /sys" 1 g cluster exec beta -- sh -c "echo 1 > /sys/kernel/mm/ksm/run || exit 1"
contains "... read-only" "Read-only file system"
expect "exec passes the exit status" 7 g cluster exec alpha -- sh -c 'exit 7'
expect "exec of an unknown node" 2 g cluster exec nosuch -- true
expect "shared storage is shared" 0 g cluster exec alpha -- /srv/gameday/gd-probe write /srv/shared/from-alpha
expect "... and seen by another node" 0 g cluster exec gamma -- cat /srv/shared/from-alpha
expect "scratch is local" 1 g cluster exec gamma -- test -e /srv/scratch/from-alpha
expect "a service runs as the service user" 0 g cluster exec alpha -- sh -c 'ps -o user= -C gd-probe | grep -qx gdjob'

# The supervisor: "flaky" crashes after 300 ms, is restarted with backoff
# and given up after 3 restarts.
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
	events | grep -q '"give-up"' && break
	sleep 0.2
done
events >"$out"
contains "a crashed service's exit is logged with its signal" '"event":"exit","service":"flaky".*"signal":6'
contains "it is restarted" '"event":"restart","service":"flaky"'
contains "it is given up after 3 restarts" '"event":"give-up","service":"flaky","restarts":3'

# Freeze and thaw: the ticker on beta stops counting while frozen.
ticks=$(run_dir)/nodes/beta/scratch/ticks
expect "pause a node" 0 g cluster pause beta
a=$(cat "$ticks"); sleep 0.3; b=$(cat "$ticks")
if [ "$a" = "$b" ]; then ok "a paused node makes no progress"; else bad "a paused node makes no progress ($a -> $b)"; fi
g cluster status >"$out"; contains "status shows it frozen" "beta .*frozen"
expect "resume it" 0 g cluster resume beta
sleep 0.3; c=$(cat "$ticks")
if [ "$c" -gt "$b" ]; then ok "a resumed node goes on"; else bad "a resumed node goes on ($b -> $c)"; fi

# A node kill leaves no process of the node alive.
cg=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)/gameday-$(basename "$(run_dir)")/alpha
if [ -e "$(run_dir)/ns/alpha.net" ]; then bad "a running node's network namespace is not pinned"; else
	ok "a running node's network namespace is not pinned (its processes hold it)"; fi
expect "alpha writes a layer" 0 g cluster exec alpha -- sh -c "echo x > /opt/$mark && echo y > /tmp/$mark"
expect "kill a node" 0 g cluster stop alpha
if [ -z "$(cat "$cg/cgroup.procs")" ]; then ok "no process of the killed node is left"; else bad "no process of the killed node is left"; fi
if [ -e "$(run_dir)/ns/alpha.net" ]; then ok "... its network namespace kept (pinned)"; else bad "... its network namespace kept (pinned)"; fi
expect "it is unreachable" 1 g cluster exec beta -- /srv/gameday/gd-probe connect alpha 7000 300
expect "start it again" 0 g cluster start alpha
sleep 0.2
expect "it answers again" 0 g cluster exec beta -- /srv/gameday/gd-probe connect alpha 7000
expect "a layer is kept across a restart" 0 g cluster exec alpha -- test -e /opt/$mark
expect "... and /tmp is fresh" 1 g cluster exec alpha -- test -e /tmp/$mark

# Released: the node's namespaces go, its link with them; start makes
# and wires new ones.
expect "kill a node and release its namespaces" 0 g cluster stop --release gamma
if [ -e "$(run_dir)/ns/gamma.net" ]; then bad "its network namespace is let go"; else ok "its network namespace is let go"; fi
expect "start it again" 0 g cluster start gamma
sleep 0.2
expect "it is wired again" 0 g cluster exec gamma -- /srv/gameday/gd-probe connect alpha 7000 300
expect "... with its old address" 0 g cluster exec gamma -- sh -c 'grep -q 10.77.0.12 /proc/net/fib_trie'

expect "cluster list shows it" 0 g cluster list
contains "... with its run id" "^gd[0-9a-f]\{8\}  three .*3 nodes"

expect "cluster down" 0 g cluster down
if host_clean; then ok "down leaves the host as found"; else bad "down leaves the host as found"; fi
expect "cleanup after down" 0 g cleanup
contains "nothing left to clean" "nothing to clean up"

# SIGKILL right after each ledger entry of 'cluster up' in turn (the
# entry is written, the change it announces not yet made), then 'gameday
# cleanup', until an 'up' runs to the end.
n=1
while :; do
	GAMEDAY_CRASH_AT=$n "$gameday" cluster up "$cluster" >/dev/null 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		"$gameday" cluster down >/dev/null 2>&1
		if [ $n -gt 10 ]; then ok "an 'up' has $((n - 1)) ledgered steps; all were tried"; else
			bad "an 'up' has only $((n - 1)) ledgered steps"; fi
		break
	fi
	"$gameday" cleanup >/dev/null 2>&1
	if [ $rc -ne 137 ]; then
		bad "SIGKILL after ledger entry $n (exit $rc, expected 137)"
	elif host_clean; then
		ok "SIGKILL after ledger entry $n, then cleanup: host clean"
	else
		bad "SIGKILL after ledger entry $n, then cleanup: host clean"
	fi
	n=$((n + 1))
	[ $n -gt 100 ] && { bad "'up' never finished"; break; }
done

# Without root: exit 3, saying what is missing, and nothing made.
if command -v setpriv >/dev/null 2>&1; then
	expect "without root: exit 3" 3 setpriv --reuid=65534 --regid=65534 --clear-groups "$gameday" cluster up "$cluster"
	contains "... saying root is needed" "needs root"
fi

# SIGTERM while a bigger cluster comes up: it finishes the step it is in,
# then takes everything down again.
big=$state/big.json
printf '{"gameday": 1, "system": "none", "nodes": [{"name": "n[1-48]", "role": "worker"}]}\n' >"$big"
"$gameday" cluster up "$big" >/dev/null 2>"$out" &
pid=$!
sleep 0.05
kill -TERM $pid
wait $pid
rc=$?
case $rc in
130 | 143) ok "SIGTERM during up ends it (exit $rc)" ;;
*) bad "SIGTERM during up ends it (exit $rc)" ;;
esac
if host_clean; then ok "... and leaves the host clean"; else bad "... and leaves the host clean"; fi

if host_clean; then ok "host clean at the end"; else bad "host clean at the end"; fi

finish integration
