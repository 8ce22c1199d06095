#!/bin/sh
# A run on real machines: gameday run with an ssh inventory plays a pause,
# kills (a power cut, the units), a reboot, partitions and a clock shift
# on a lab of three (tests/lab/lab.sh: each its own kernel, systemd, sshd,
# munge and Slurm 22.05), reached only over SSH, scores the lab's own
# Slurm's jobs and fetches the hosts' logs; then every host is as it was
# found: no agent, no unit, no run folder, the job system's units running.
# Then a kill -9 of gameday while a host is frozen and another cut off:
# their agents thaw the one and remove the other's chains within the
# heartbeat timeout.
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
# open for the job's output): the lab's jobs run as root.  w2 has a power
# switch (the lab's), so a kill of it is a power cut and its heal a boot;
# w1 has none, so a kill of it would be its job system's units killed.
cat >"$tmp/lab.json" <<EOF
{"gameday": 1, "name": "lab", "system": "slurm", "backend": "ssh",
 "ssh_config": "ssh_config", "storage": "/srv/gameday",
 "storage_here": "shared", "heartbeat_timeout": "30s",
 "service_user": "root",
 "nodes": [{"name": "ctl", "role": "controller", "host": "ctl"},
           {"name": "w1", "role": "worker", "host": "w1"},
           {"name": "w2", "role": "worker", "host": "w2",
            "power": {"off": ["sh", "$lab", "power", "$tmp", "{node}", "off"],
                      "on": ["sh", "$lab", "power", "$tmp", "{node}", "on"],
                      "status": ["sh", "$lab", "power", "$tmp", "{node}", "status"]}}]}
EOF
cat >"$tmp/day.json" <<EOF
{"gameday": 1, "name": "lab-day", "seed": 1, "cluster": "lab.json",
 "time_scale": 1, "duration": "2m30s",
 "workload": {"jobs": 4, "submit": {"over": "20s"}, "deadline": "8m",
              "expected": "30s..50s"},
 "steps": [{"kind": "pause", "at": "10s", "for": "20s", "targets": ["w1"]},
           {"kind": "kill", "at": "40s", "for": "20s", "targets": ["w2"]},
           {"kind": "kill", "at": "70s", "for": "10s", "targets": ["w1"]},
           {"kind": "reboot", "at": "90s", "for": "20s", "targets": ["w1"]}]}
EOF

# snapshot HOST: what gameday may have touched on it.
snapshot() {
	on "$1" 'ls -A /var/lib/gameday 2>/dev/null; ls /var/tmp | grep gameday;
		ls /etc/systemd/system | grep gameday;
		systemctl is-active munge slurmd slurmctld 2>/dev/null | tr "\n" " ";
		systemctl is-enabled munge slurmd 2>/dev/null | tr "\n" " ";
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
applied applied step2 && ok "w2's power cut" || bad "w2's power cut applied"
grep -q '"evidence":"w2: no process left' "$ev" &&
	ok "  its evidence: its power status says off" ||
	{ out=$ev bad "  power cut evidence"; }
applied healed step2 && ok "  healed: w2 back, its hostname read on it" ||
	bad "  power cut healed"
grep '"event":"node-started"' "$ev" | grep '"node":"w2"' >"$out"
b=$(sed 's/.*"boot_id":"\([^"]*\)".*/\1/' "$out")
w=$(sed 's/.*"boot_id_before":"\([^"]*\)".*/\1/' "$out")
[ -n "$b" ] && [ -n "$w" ] && [ "$b" != "$w" ] &&
	ok "  a new boot: boot_id $w before, $b after" || bad "  boot_id"
applied applied step3 && ok "w1's job system killed (no power switch)" ||
	bad "w1's kill applied"
grep -q '"evidence":"w1: no process left' "$ev" &&
	ok "  its evidence: nothing of its units or job scopes runs, asked on w1" ||
	{ out=$ev bad "  kill evidence"; }
applied healed step3 && ok "  healed: its units started again" ||
	bad "  kill healed"
applied applied step4 && ok "w1 rebooted (systemctl reboot, no power switch)" ||
	{ out=$ev bad "w1's reboot applied"; }
grep '"fault-applied"' "$ev" | grep '"step":"step4"' |
	grep -q '"evidence":"w1: no process left' &&
	ok "  its evidence: gone down, its connection dropped by the shutdown" ||
	bad "  reboot evidence"
applied healed step4 && ok "  healed: its units held down through the boot, started" ||
	{ out=$ev bad "  reboot healed"; }
grep '"event":"node-started"' "$ev" | grep '"node":"w1"' | tail -1 >"$out"
b=$(sed 's/.*"boot_id":"\([^"]*\)".*/\1/' "$out")
w=$(sed 's/.*"boot_id_before":"\([^"]*\)".*/\1/' "$out")
[ -n "$b" ] && [ -n "$w" ] && [ "$b" != "$w" ] &&
	ok "  a new boot: boot_id $w before, $b after" || bad "  w1's boot_id"
[ -s "$tmp/r1/w1/slurmd.service.journal" ] &&
	grep -q 'slurmd' "$tmp/r1/w1/slurmd.service.journal" &&
	ok "w1's slurmd journal for the run fetched into the run folder" ||
	{ out=$tmp/r1.out bad "w1's journal fetched"; }
grep -q ' do: ' "$tmp/r1/w1/gd-agent.log" 2>/dev/null &&
	ok "  and w1's agent log (every change it journalled)" ||
	bad "  w1's agent log fetched"
grep -q 'href="ctl/slurmctld.service.journal"' "$tmp/r1/scorecard.html" &&
	ok "  the scorecard links them" || bad "  scorecard links the logs"
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
            "mode": "unreachable"},
           {"kind": "clock", "at": "5s", "for": "20s", "targets": ["w2"],
            "offset": "+100s"}]}
EOF
in_lab "$gameday" run --out "$tmp/r3" "$tmp/part.json" >"$tmp/r3.out" 2>&1 &
pid=$!
cut=no faked=no
for i in $(seq 60); do
	sleep 1
	[ $faked = yes ] || on w2 'tr "\0" "\n" </proc/$(pidof munged)/environ' 2>/dev/null |
		grep -q FAKETIME_TIMESTAMP_FILE=/etc/faketimerc && faked=yes
	on w1 'iptables-legacy -S' >"$out" 2>&1
	grep -q -- '-j DROP' "$out" && {
		cut=yes
		break
	}
done
[ $faked = yes ] && ok "w2's munged restarted under libfaketime (a runtime drop-in)" ||
	bad "w2's munged under libfaketime"
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
[ "$(grep -c '"fault-healed"' "$ev")" = 3 ] &&
	ok "  both healed: ECONNREFUSED again (reachable, nothing listens)" ||
	bad "  healed"
grep '"fault-applied"' "$ev" | grep '"step":"step3"' |
	grep -q 'w2: its clock reads +\(99\|100\)\.' &&
	ok "  clock: w2's reads +100 s (a command there, on its daemons' offset)" ||
	bad "  clock evidence"
grep '"fault-healed"' "$ev" | grep '"step":"step3"' |
	grep -q 'w2: its clock reads [+-]0\.' &&
	ok "  and the host's again at the heal" || bad "  clock healed"
out=$tmp/out
on w2 'ls /etc/faketimerc /run/systemd/system/*.d/gameday-* 2>/dev/null;
	tr "\0" "\n" </proc/$(pidof munged)/environ | grep LD_PRELOAD' >"$out"
[ -s "$out" ] && bad "w2's clock: something of the run left" ||
	ok "w2: no drop-in nor faketimerc left, munged restarted on the real clock"
for h in ctl w1 w2; do
	n=$(on $h 'iptables-legacy -S | grep -c gd-')
	[ "$n" = 0 ] && ok "$h: no chain of the run left" ||
		bad "$h: $n rules of the run left"
done

# ---- kill -9 of gameday while w1 is frozen and w2 cut off ----
cat >"$tmp/frozen.json" <<EOF
{"gameday": 1, "name": "lab-frozen", "seed": 1, "cluster": "lab.json",
 "time_scale": 1, "duration": "10m",
 "workload": {"jobs": 1, "deadline": "20m", "expected": "30s..50s"},
 "steps": [{"kind": "pause", "at": "5s", "for": "9m", "targets": ["w1"]},
           {"kind": "partition", "at": "5s", "for": "9m", "targets": ["w2"]}]}
EOF
in_lab "$gameday" run --out "$tmp/r2" "$tmp/frozen.json" >"$out" 2>&1 &
pid=$!
frozen=no cut=no
for i in $(seq 60); do
	sleep 1
	[ $frozen = yes ] ||
		on w1 'systemctl show -P FreezerState slurmd.service' 2>/dev/null |
		grep -q frozen && frozen=yes
	[ $cut = yes ] || on w2 'iptables-legacy -S' 2>/dev/null |
		grep -q -- '-j DROP' && cut=yes
	[ $frozen = yes ] && [ $cut = yes ] && break
done
[ $frozen = yes ] && ok "w1 frozen by the run" || bad "w1 frozen by the run"
[ $cut = yes ] && ok "w2 cut off by the run" || bad "w2 cut off by the run"
pkill -KILL -f "gameday run --out $tmp/r2"
wait $pid 2>/dev/null
s=$(date +%s)
thawed=no healed=no
for i in $(seq 70); do
	sleep 1
	[ $thawed = yes ] || on w1 'systemctl show -P FreezerState slurmd.service munge.service' |
		grep -q frozen || thawed=yes
	[ $healed = yes ] || [ "$(on w2 'iptables-legacy -S | grep -c gd-')" != 0 ] ||
		healed=yes
	[ $thawed = yes ] && [ $healed = yes ] && break
done
if [ $thawed = yes ]; then
	ok "gameday killed -9: w1's agent thawed it in $(($(date +%s) - s)) s (timeout 30 s)"
else bad "w1 thawed by its agent"; fi
[ $healed = yes ] && ok "  and w2's agent removed the run's chains (nothing else touched)" ||
	bad "w2's chains removed by its agent"
sleep 3
for h in w1 w2; do
	on $h 'ls -A /var/lib/gameday 2>/dev/null; ls /etc/systemd/system | grep gameday' >"$out"
	[ -s "$out" ] && bad "$h: the agent left something" ||
		ok "  $h's agent removed itself, its unit and its folder"
done
# (the lost run's folder on this machine is gameday cleanup's)
"$gameday" cleanup >/dev/null 2>&1
finish sshrun
