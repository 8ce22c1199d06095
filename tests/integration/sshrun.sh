#!/bin/sh
# A run on real machines: gameday run with an ssh inventory plays a pause,
# a kill and partitions on a lab of three (tests/lab/lab.sh: each its own kernel,
# systemd, sshd, munge and Slurm 22.05), reached only over SSH, and scores
# the lab's own Slurm's jobs; then every host is as it was found: no
# agent, no unit, no run folder, the job system's units running.  Then a
# kill -9 of gameday while a host is frozen: the host's agent thaws it
# within the heartbeat timeout.
#   sh tests/integration/sshrun.sh BUILD_DIR
set -u
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
gameday=$build/gameday
lab=$here/../lab/lab.sh
[ "$(id -u)" = 0 ] || {
	echo "sshrun: skipped (needs root)"
	exit 77
}
for t in sshd ssh mkfs.ext4 ethtool; do
	command -v $t >/dev/null 2>&1 || {
		echo "sshrun: skipped: no $t (make deps)"
		exit 77
	}
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gd-sshrun.XXXXXX")
out=$tmp/out
if [ -n "${SSHLAB_KEEP:-}" ]; then
	trap 'echo "sshrun: the lab is left up in $tmp"' EXIT
else
	trap 'sh "$lab" down "$tmp"; rm -rf "$tmp"' EXIT
fi
trap 'exit 130' INT TERM HUP

in_lab() { sh "$lab" exec "$tmp" env GAMEDAY_LIBEXEC="$build" "$@"; }
on() {
	h=$1
	shift
	sh "$lab" exec "$tmp" ssh -F "$tmp/ssh_config" "$h" "$@" </dev/null
}

echo "sshrun: booting three machines"
sh "$lab" up "$tmp" ctl:controller w1:worker w2:worker >"$out" 2>&1
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || {
	bad "lab up"
	finish sshrun
	exit 1
}
ok "lab up"

# The lab's shared storage is a folder of this machine mounted on every
# host (hostfs), so this machine sees it at $tmp/shared.  hostfs keeps no
# owners (a file a job's user makes is root's, which Slurm then cannot
# open for the job's output): the lab's jobs run as root.
cat >"$tmp/lab.json" <<EOF
{"gameday": 1, "name": "lab", "system": "slurm", "backend": "ssh",
 "ssh_config": "ssh_config", "storage": "/srv/gameday",
 "storage_here": "shared", "heartbeat_timeout": "10s",
 "service_user": "root",
 "nodes": [{"name": "ctl", "role": "controller", "host": "ctl"},
           {"name": "w1", "role": "worker", "host": "w1"},
           {"name": "w2", "role": "worker", "host": "w2"}]}
EOF
cat >"$tmp/day.json" <<EOF
{"gameday": 1, "name": "lab-day", "seed": 1, "cluster": "lab.json",
 "time_scale": 1, "duration": "1m30s",
 "workload": {"jobs": 4, "submit": {"over": "20s"}, "deadline": "6m",
              "expected": "30s..50s"},
 "steps": [{"kind": "pause", "at": "10s", "for": "20s", "targets": ["w1"]},
           {"kind": "kill", "at": "40s", "for": "20s", "targets": ["w2"]}]}
EOF

# snapshot HOST: what gameday may have touched on it.
snapshot() {
	on "$1" 'ls -A /var/lib/gameday 2>/dev/null; ls /var/tmp | grep gameday;
		ls /etc/systemd/system | grep gameday;
		systemctl is-active munge slurmd slurmctld 2>/dev/null | tr "\n" " ";
		md5sum /etc/passwd /etc/group'
}
for h in ctl w1 w2; do snapshot $h >"$tmp/before.$h"; done

"$gameday" validate "$tmp/day.json" >"$out" 2>&1 && ok "validate" ||
	bad "validate"
in_lab "$gameday" run --out "$tmp/r1" "$tmp/day.json" >"$out" 2>&1
rc=$?
cp "$out" "$tmp/r1.out"
if [ $rc -eq 0 ] || [ $rc -eq 1 ]; then ok "run on the lab ended (exit $rc)"; else
	bad "run on the lab (exit $rc)"; fi
ev=$tmp/r1/events.jsonl
applied() { grep "\"event\":\"fault-$1\"" "$ev" | grep -q "\"step\":\"$2\""; }
applied applied step1 && ok "the pause applied" || { out=$ev bad "pause applied"; }
grep -q '"evidence":"w1: every process frozen' "$ev" &&
	ok "  its evidence: every unit of w1 frozen, as the host says" ||
	bad "  pause evidence"
applied healed step1 && ok "  healed: w1 up" || bad "  pause healed"
applied applied step2 && ok "the kill applied" || bad "kill applied"
grep -q '"evidence":"w2: no process left' "$ev" &&
	ok "  its evidence: nothing of w2's job system runs" ||
	{ out=$ev bad "  kill evidence"; }
applied healed step2 && ok "  healed: w2 back, its hostname read on it" ||
	bad "  kill healed"
n=$(grep -c '"outcome":"correct"' "$ev")
[ "$n" = 4 ] && ok "every job correct ($n of 4), the lab's own Slurm ran them" ||
	{ out=$tmp/r1.out bad "jobs correct ($n of 4)"; }
for h in ctl w1 w2; do
	snapshot $h >"$tmp/after.$h"
	if cmp -s "$tmp/before.$h" "$tmp/after.$h"; then
		ok "$h as found: no agent, unit or scratch left, units running"
	else
		diff "$tmp/before.$h" "$tmp/after.$h" >"$out"
		bad "$h as found"
	fi
done
ls "$tmp/shared" | grep -q gameday- && bad "the run's folder left in storage" ||
	ok "the run's folder in the shared storage removed"

# ---- partitions: w1 isolated (silent), then w2 (unreachable) ----
cat >"$tmp/part.json" <<EOF
{"gameday": 1, "name": "lab-part", "seed": 1, "cluster": "lab.json",
 "time_scale": 1, "duration": "1m",
 "workload": {"jobs": 2, "submit": {"over": "10s"}, "deadline": "6m",
              "expected": "30s..50s"},
 "steps": [{"kind": "partition", "at": "10s", "for": "20s", "targets": ["w1"]},
           {"kind": "partition", "at": "35s", "for": "10s", "targets": ["w2"],
            "mode": "unreachable"}]}
EOF
in_lab "$gameday" run --out "$tmp/r3" "$tmp/part.json" >"$tmp/r3.out" 2>&1 &
pid=$!
cut=no
for i in $(seq 60); do
	sleep 1
	on w1 'iptables-legacy -S' >"$out" 2>&1
	grep -q -- '-j DROP' "$out" && {
		cut=yes
		break
	}
done
if [ $cut = yes ]; then
	ok "w1 isolated: its run's chain drops what ctl and w2 send"
	grep -q -- "--dport 22 -j ACCEPT" "$out" &&
		ok "  gameday's own connection let through first" ||
		bad "  control connection rule"
	on w1 true && ok "  and gameday still reaches w1 over SSH" ||
		bad "  SSH to w1 during its isolation"
else bad "w1 isolated"; fi
wait $pid
rc=$?
out=$tmp/r3.out
[ $rc -eq 0 ] && ok "the partitions' run passes (exit 0)" ||
	bad "partitions' run (exit $rc)"
ev=$tmp/r3/events.jsonl
grep '"fault-applied"' "$ev" | grep -q 'w1 -> ctl: error ETIMEDOUT' &&
	ok "  silent: a connection from w1 to ctl times out" ||
	bad "  silent evidence"
grep '"fault-applied"' "$ev" | grep -q 'w2 -> ctl: error EHOSTUNREACH' &&
	ok "  unreachable: w2 hears EHOSTUNREACH at once" ||
	bad "  unreachable evidence"
[ "$(grep -c '"fault-healed"' "$ev")" = 2 ] &&
	ok "  both healed: ECONNREFUSED again (reachable, nothing listens)" ||
	bad "  healed"
out=$tmp/out
for h in ctl w1 w2; do
	n=$(on $h 'iptables-legacy -S | grep -c gd-')
	[ "$n" = 0 ] && ok "$h: no chain of the run left" ||
		bad "$h: $n rules of the run left"
done

# ---- kill -9 of gameday while w1 is frozen ----
cat >"$tmp/frozen.json" <<EOF
{"gameday": 1, "name": "lab-frozen", "seed": 1, "cluster": "lab.json",
 "time_scale": 1, "duration": "10m",
 "workload": {"jobs": 1, "deadline": "20m", "expected": "30s..50s"},
 "steps": [{"kind": "pause", "at": "5s", "for": "9m", "targets": ["w1"]}]}
EOF
in_lab "$gameday" run --out "$tmp/r2" "$tmp/frozen.json" >"$out" 2>&1 &
pid=$!
frozen=no
for i in $(seq 60); do
	sleep 1
	on w1 'systemctl show -P FreezerState slurmd.service' 2>/dev/null |
		grep -q frozen && { frozen=yes; break; }
done
[ $frozen = yes ] && ok "w1 frozen by the run" || bad "w1 frozen by the run"
pkill -KILL -f "gameday run --out $tmp/r2"
wait $pid 2>/dev/null
s=$(date +%s)
thawed=no
for i in $(seq 40); do
	sleep 1
	on w1 'systemctl show -P FreezerState slurmd.service munge.service' |
		grep -q frozen || { thawed=yes; break; }
done
if [ $thawed = yes ]; then
	ok "gameday killed -9: w1's agent thawed it in $(($(date +%s) - s)) s (timeout 10 s)"
else bad "w1 thawed by its agent"; fi
sleep 3
on w1 'ls -A /var/lib/gameday 2>/dev/null; ls /etc/systemd/system | grep gameday' >"$out"
[ -s "$out" ] && bad "w1: the agent left something" ||
	ok "  and removed itself, its unit and its folder"
# (the lost run's folder on this machine is gameday cleanup's)
"$gameday" cleanup >/dev/null 2>&1
finish sshrun
