#!/bin/sh
# make bench: time to bring a staging cluster up and down at 8, 64 and 256
# nodes, beside the same network topology built with the ip command (one
# fork/exec per call, the way scripts and Mininet do it): a namespace for
# the bridge, and per node a namespace, a veth pair into the bridge, lo up,
# an address, eth0 up.  gameday does more per node (pid, mount, UTS, IPC
# and cgroup namespaces, a cgroup, a dozen mounts, gd-init), so the ratio
# is conservative.  Beside them, "net floor": the network alone built the
# way gameday builds it (tests/bench/bench_netfloor.c: libnl, nothing else
# per node), in one process and in two at once (the kernel serialises most
# of it under one lock, so two barely help); "ip / floor" is the best
# ratio any tool building this topology could reach on this kernel.
# Prints figures; asserts nothing about time.
#   tests/bench/cluster_scale.sh BUILD_DIR
set -u
build=$(cd "$1" && pwd)
gameday=$build/gameday
if [ "$(id -u)" != 0 ]; then
	echo "bench cluster: skipped (needs root)"
	exit 0
fi
tmp=$(mktemp -d /tmp/gameday-bench.XXXXXX)
export GAMEDAY_STATE_DIR=$tmp/state GAMEDAY_LOG_DIR=$tmp/logs
trap '"$gameday" cleanup >/dev/null 2>&1; ip_down 256 >/dev/null 2>&1; rm -rf "$tmp"' EXIT INT TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The kernel frees network namespaces in the background after their last
# reference goes (cleanup_net): each measurement starts once the previous
# one's teardown has had time to finish, so none is charged for another's.
settle() { sleep 3; }

ip_up() {
	ip netns add gdbench-sw &&
		ip -n gdbench-sw link add br0 type bridge &&
		ip -n gdbench-sw link set br0 up || return 1
	i=0
	while [ "$i" -lt "$1" ]; do
		ns=gdbench-n$i
		ip netns add $ns &&
			ip -n gdbench-sw link add v$i type veth peer name eth0 netns $ns &&
			ip -n gdbench-sw link set v$i master br0 up &&
			ip -n $ns link set lo up &&
			ip -n $ns addr add 10.77.$(((i + 10) / 256)).$(((i + 10) % 256))/16 dev eth0 &&
			ip -n $ns link set eth0 up || return 1
		i=$((i + 1))
	done
}

ip_down() {
	i=0
	while [ "$i" -lt "$1" ]; do
		ip netns del gdbench-n$i 2>/dev/null
		i=$((i + 1))
	done
	ip netns del gdbench-sw 2>/dev/null
}

printf 'bench cluster: up + down, wall clock, %s cores\n' "$(nproc)"
printf '  %5s  %12s %9s  %12s %9s  %7s  %10s  %14s %8s  %10s\n' nodes "gameday up" "per node" "ip up" "per node" ratio "gameday down" "floor 1/2 proc" "per node" "ip / floor"
for n in 8 64 256; do
	file=$tmp/n$n.json
	printf '{"gameday": 1, "name": "bench%d", "system": "none", "nodes": [{"name": "n[1-%d]", "role": "worker"}]}\n' "$n" "$n" >"$file"

	settle
	t0=$(now_ms)
	if [ "$n" = 256 ] && [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$tmp/rss" "$gameday" cluster up "$file" >/dev/null || exit 1
	else
		"$gameday" cluster up "$file" >/dev/null || exit 1
	fi
	t1=$(now_ms)
	"$gameday" cluster down >/dev/null || exit 1
	t2=$(now_ms)

	settle
	t3=$(now_ms)
	ip_up "$n" || { echo "bench cluster: the ip baseline failed"; exit 1; }
	t4=$(now_ms)
	ip_down "$n"

	settle
	f=$("$build/tests/bench_netfloor" "$n") || { echo "bench cluster: the network floor failed"; exit 1; }
	settle
	f2=$("$build/tests/bench_netfloor" "$n" 2) || { echo "bench cluster: the network floor failed"; exit 1; }

	g=$((t1 - t0)) d=$((t2 - t1)) b=$((t4 - t3))
	awk -v n="$n" -v g="$g" -v b="$b" -v d="$d" -v f="$f" -v f2="$f2" 'BEGIN {
		best = f2 < f ? f2 : f
		printf "  %5d  %9d ms %6.2f ms  %9d ms %6.2f ms  %6.1fx  %9d ms  %5d /%4d ms %5.2f ms  %9.1fx\n",
			n, g, g / n, b, b / n, (g ? b / g : 0), d, f, f2, best / n, (best ? b / best : 0) }'
done
[ -s "$tmp/rss" ] && echo "  gameday peak memory bringing up 256 nodes: $(cat "$tmp/rss") KiB (max RSS)"
