#!/bin/sh
# The SSH backend on real machines: a lab of three (tests/lab/lab.sh:
# each its own User-mode Linux kernel with systemd as PID 1, sshd, munge
# and Slurm), reached only through SSH with the lab's ssh_config.  What
# gameday asks of the hosts before a run (plan's preflight) and what it
# says when one is not ready: powered off, not root, a tool missing, its
# clock off, an earlier run's agent left, a node the job system does not
# know.
#   sh tests/integration/sshlab.sh BUILD_DIR
set -u
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
gameday=$build/gameday
lab=$here/../lab/lab.sh
[ "$(id -u)" = 0 ] || {
	echo "sshlab: skipped (needs root)"
	exit 77
}
for t in sshd ssh mkfs.ext4 ethtool; do
	command -v $t >/dev/null 2>&1 || {
		echo "sshlab: skipped: no $t (make deps)"
		exit 77
	}
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gd-sshlab.XXXXXX")
out=$tmp/out
# SSHLAB_KEEP=1 leaves the lab up and its folder, to look at a failure
# (then: sh tests/lab/lab.sh down DIR).
if [ -n "${SSHLAB_KEEP:-}" ]; then
	trap 'echo "sshlab: the lab is left up in $tmp"' EXIT
else
	trap 'sh "$lab" down "$tmp"; rm -rf "$tmp"' EXIT
fi
trap 'exit 130' INT TERM HUP

in_lab() { sh "$lab" exec "$tmp" "$@"; }
on() {
	h=$1
	shift
	in_lab ssh -F "$tmp/ssh_config" "$h" "$@" </dev/null
}

echo "sshlab: booting three machines"
s=$(date +%s)
sh "$lab" up "$tmp" ctl:controller w1:worker w2:worker >"$out" 2>&1
rc=$?
[ $rc -eq 77 ] && exit 77
if [ $rc -ne 0 ]; then
	bad "lab up"
	finish sshlab
	exit 1
fi
ok "lab up: three machines answer over SSH in $(($(date +%s) - s)) s"

# inventory NAME HOST_OF_W1 [EXTRA_NODE]: a cluster file for the lab.
inventory() {
	cat >"$tmp/$1.json" <<EOF
{"gameday": 1, "name": "lab", "system": "slurm", "backend": "ssh",
 "ssh_config": "ssh_config",
 "nodes": [{"name": "ctl", "role": "controller", "host": "ctl"},
           {"name": "w1", "role": "worker", "host": "$2"},
           {"name": "${3:-w2}", "role": "worker", "host": "w2"}]}
EOF
}
# scenario NAME CLUSTER KIND: one step of KIND on w1.
scenario() {
	cat >"$tmp/$1.json" <<EOF
{"gameday": 1, "name": "$1", "seed": 1, "cluster": "$2.json",
 "duration": "1h",
 "workload": {"jobs": 2, "deadline": "24h", "expected": "20m..40m"},
 "steps": [{"kind": "$3", "at": "2m", "for": "1m", "targets": ["w1"]}]}
EOF
}
inventory lab w1
scenario cut lab partition
scenario freeze lab pause

# row NAME NODE_COLUMN WORD: the table's row NAME says WORD for the node
# in column 1..3 (ctl w1 w2).
row() {
	awk -v r="$1" -v c="$2" -v w="$3" '
		index($0, "  " r " ") == 1 {
			sub("^  " r " +", ""); split($0, f, " +")
			found = f[c] == w
		}
		END { exit !found }' "$out"
}

expect "plan: every host ready for a partition" 0 \
	in_lab "$gameday" plan "$tmp/cut.json"
if row reachable 2 ok && row firewall 3 ok && row "job system" 2 ok &&
	row libfaketime 1 -; then
	ok "plan: the table says ok for what a partition needs, - for the rest"
else bad "plan: the table"; fi
expect "plan --offline asks no host" 0 \
	in_lab "$gameday" plan --offline "$tmp/cut.json"
if grep -q preflight "$out"; then bad "plan --offline printed a preflight"; else
	ok "plan --offline printed no preflight"; fi

# ---- a tool missing: only a fault that needs it fails ----
fw="nft iptables iptables-legacy"
on w2 "for t in $fw; do mv /usr/sbin/\$t /usr/sbin/\$t.gone; done"
expect "plan: a partition on a host without nft or iptables fails" 3 \
	in_lab "$gameday" plan "$tmp/cut.json"
contains "  the reason names the host and the tools" \
	"FAIL w2: no iptables works on w2"
row firewall 3 FAIL && ok "  in the firewall row, w2's column" ||
	bad "  firewall row"
expect "plan: a pause needs no firewall" 0 \
	in_lab "$gameday" plan "$tmp/freeze.json"
on w2 "for t in $fw; do mv /usr/sbin/\$t.gone /usr/sbin/\$t; done"

# ---- a clock off ----
on w1 'date -s "$(date -d "+5 sec" "+%F %T.%N")" >/dev/null'
expect "plan: a host's clock 5 s ahead fails" 3 \
	in_lab "$gameday" plan "$tmp/freeze.json"
contains "  the reason says how far" "FAIL w1: the clock of w1 is [45]\.[0-9]* s ahead of"
on w1 'date -s "$(date -d "-5 sec" "+%F %T.%N")" >/dev/null'

# ---- an earlier run's agent ----
on ctl 'mkdir -p /var/lib/gameday/20261201-old && : >/var/lib/gameday/20261201-old/journal'
expect "plan: an earlier run's journal on a host fails" 3 \
	in_lab "$gameday" plan "$tmp/freeze.json"
contains "  the reason names the run and cleanup" \
	"run 20261201-old left gameday's agent on ctl.*gameday cleanup"
on ctl 'rm -rf /var/lib/gameday/20261201-old'

# ---- a node the job system does not know ----
inventory unknown w1 w9
scenario unknownnode unknown pause
expect "plan: a node Slurm does not know fails" 3 \
	in_lab "$gameday" plan "$tmp/unknownnode.json"
contains "  the reason lists Slurm's nodes" \
	"does not know a node named w9 (sinfo lists: w1 w2)"

# ---- not root: sudo without a password, or none ----
on w1 'useradd -m ops && mkdir -m 700 ~ops/.ssh &&
	cp /root/.ssh/authorized_keys ~ops/.ssh/ && chown -R ops: ~ops/.ssh'
inventory ops ops@w1
scenario asops ops pause
expect "plan: a login that is not root and has no sudo fails" 3 \
	in_lab "$gameday" plan "$tmp/asops.json"
row root 2 FAIL && row reachable 2 ok && row systemd 2 - &&
	ok "  reachable, but the root row fails and the rest is not asked" ||
	bad "  root row"
contains "  the reason says sudo refuses" "ops@w1 is not root and \"sudo -n\" refuses it"
on w1 'echo "ops ALL=(ALL) NOPASSWD: ALL" >/etc/sudoers.d/ops && chmod 440 /etc/sudoers.d/ops'
expect "plan: the same login with passwordless sudo passes" 0 \
	in_lab "$gameday" plan "$tmp/asops.json"

# ---- powered off, then on again: a new boot ----
boot1=$(on w2 cat /proc/sys/kernel/random/boot_id)
sh "$lab" power "$tmp" w2 off
expect "plan: a powered-off host fails" 3 \
	in_lab "$gameday" plan "$tmp/freeze.json"
row reachable 3 FAIL && row reachable 2 ok && row units 3 - &&
	ok "  its reachable row alone fails, the rest of it not asked" ||
	bad "  reachable row"
contains "  the reason is ssh's own" "FAIL w2: cannot reach w2: .*"
sh "$lab" power "$tmp" w2 on
t=$(($(date +%s) + 120))
until on w2 true 2>/dev/null || [ "$(date +%s)" -gt $t ]; do sleep 1; done
boot2=$(on w2 cat /proc/sys/kernel/random/boot_id)
if [ -n "$boot2" ] && [ "$boot1" != "$boot2" ]; then
	ok "a power cycle through the lab's switch boots w2 anew (boot id changed)"
else bad "power cycle: boot ids $boot1 / $boot2"; fi
expect "plan: every host ready again" 0 \
	in_lab "$gameday" plan "$tmp/freeze.json"

# ---- the agent on real hosts: systemd runs it, it reverts on its own ----
on_in() {
	h=$1
	shift
	in_lab ssh -F "$tmp/ssh_config" "$h" "$@"
}
fp() { on "$1" 'sha256sum /etc/passwd | cut -c1-16; stat -c %u:%g:%a /etc/passwd'; }
for h in ctl w1 w2; do
	on_in $h 'cat >/root/gd-agent && chmod 755 /root/gd-agent' <"$build/gd-agent"
done
# change HOST RUN: munge's uid skewed and a chain of gameday's in
# iptables, each through the run's agent (undo first).  (iptables-legacy:
# Debian's User-mode Linux kernel has no nftables ip or inet family.)
change() {
	# the undo as the backend will write it: a chain a reboot or a
	# power cut already took is undone
	on "$1" "a=/var/lib/gameday/$2/gd-agent
		undo='iptables-legacy -n -L gd_$2 >/dev/null 2>&1 || exit 0; iptables-legacy -X gd_$2'
		sed 's/^munge:x:[0-9]*:/munge:x:4242:/' /etc/passwd |
			\$a put --run $2 --tag skew /etc/passwd &&
		\$a do --run $2 --tag cut --undo-argv 3 sh -c \"\$undo\" \\
			-- iptables-legacy -N gd_$2"
}
changed() {
	[ "$(on "$1" 'id -u munge')" = 4242 ] &&
		on "$1" "iptables-legacy -n -L gd_$2" >/dev/null 2>&1
}
# gone HOST RUN: nothing of the run left: unit, link, folder.
gone() {
	on "$1" "systemctl show -p LoadState --value gameday-agent-$2.service;
		ls /etc/systemd/system/multi-user.target.wants/ | grep gameday;
		ls /var/lib/gameday 2>/dev/null" >"$out" 2>&1
	[ "$(cat "$out")" = not-found ]
}
# reverted_within HOST FINGERPRINT SECONDS
reverted_within() {
	t=$(($(date +%s) + $3))
	while [ "$(date +%s)" -le $t ]; do
		[ "$(fp "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 1
	done
	return 1
}

before=$(fp w1)
on w1 '/root/gd-agent install --run t1 --timeout 10' >"$out" 2>&1
[ "$(on w1 systemctl is-active gameday-agent-t1.service)" = active ] &&
	ok "agent: installed as a unit systemd runs" || bad "agent: install"
change w1 t1 >"$out" 2>&1
changed w1 t1 && ok "agent: the skew and the iptables chain are made" ||
	bad "agent: change"
s=$(date +%s)
if reverted_within w1 "$before" 30; then
	ok "agent: without a beat for 10 s, /etc/passwd is back byte for byte, owner and mode ($(($(date +%s) - s)) s)"
else bad "agent: passwd not reverted"; fi
on w1 'iptables-legacy -n -L gd_t1' >/dev/null 2>&1 &&
	bad "agent: the iptables chain is left" || ok "agent: the iptables chain is gone"
gone w1 t1 && ok "agent: its unit, link and folder are gone" ||
	bad "agent: left behind"

before=$(fp w2)
boot1=$(on w2 cat /proc/sys/kernel/random/boot_id)
on w2 '/root/gd-agent install --run t2 --timeout 20' >"$out" 2>&1
change w2 t2 >"$out" 2>&1
on w2 '/var/lib/gameday/t2/gd-agent beat --run t2; systemctl reboot' >/dev/null 2>&1
sleep 5
t=$(($(date +%s) + 120))
until [ "$(on w2 cat /proc/sys/kernel/random/boot_id 2>/dev/null)" != "" ] ||
	[ "$(date +%s)" -gt $t ]; do sleep 1; done
boot2=$(on w2 cat /proc/sys/kernel/random/boot_id)
[ "$boot1" != "$boot2" ] && ok "agent: w2 rebooted (boot id changed)" ||
	bad "agent: no reboot"
if reverted_within w2 "$before" 60 &&
	on w2 'journalctl -b -o cat | grep -q "no beat for"'; then
	ok "agent: started again at boot, it reverts the skew the reboot kept"
else bad "agent: passwd not reverted after a reboot by the new boot's watcher"; fi
gone w2 t2 && ok "agent: and removes itself" || bad "agent: left after reboot"

# ---- gameday cleanup from the inventory, a host powered off ----
cat >"$tmp/powered.json" <<EOF
{"gameday": 1, "name": "lab", "system": "slurm", "backend": "ssh",
 "ssh_config": "ssh_config", "heartbeat_timeout": "10s",
 "nodes": [{"name": "ctl", "role": "controller", "host": "ctl"},
           {"name": "w[1-2]", "role": "worker", "host": "{node}",
            "power": {"off": ["sh", "$lab", "power", "$tmp", "{node}", "off"],
                      "on": ["sh", "$lab", "power", "$tmp", "{node}", "on"],
                      "status": ["sh", "$lab", "power", "$tmp", "{node}", "status"]}}]}
EOF
b_ctl=$(fp ctl) b_w2=$(fp w2)
for h in ctl w2; do
	on $h '/root/gd-agent install --run t3 --timeout 600' >"$out" 2>&1
	change $h t3 >"$out" 2>&1
done
expect "cleanup FILE: a run heard from within the heartbeat is left alone" 0 \
	in_lab "$gameday" cleanup "$tmp/powered.json"
contains "  it says so" "left alone ctl: run t3, heard from [0-9]* s ago"
changed ctl t3 && ok "  its changes are still there" || bad "  live run reverted"
sh "$lab" power "$tmp" w2 off
sleep 11
expect "cleanup FILE: every run's agent reverts, a host off powered on" 0 \
	in_lab "$gameday" cleanup "$tmp/powered.json"
contains "  it says it powered w2 on" "powered on w2"
contains "  and what each host reverted" "on host ctl: reverted t3"
contains "  w2's too, after its power cut" "on host w2: reverted t3"
[ "$(fp ctl)" = "$b_ctl" ] && [ "$(fp w2)" = "$b_w2" ] &&
	ok "  both hosts' passwd back as found" || bad "  passwd after cleanup"
gone w2 t3 && gone ctl t3 && ok "  no agent left on either" ||
	bad "  agent left after cleanup"
# a run whose copy of the agent a crash emptied: this machine's takes
# its place
b_w1=$(fp w1)
on w1 '/root/gd-agent install --run t4 --timeout 600' >"$out" 2>&1
change w1 t4 >"$out" 2>&1
on w1 'systemctl stop gameday-agent-t4; : >/var/lib/gameday/t4/gd-agent'
[ "$(on w1 'stat -c %s /var/lib/gameday/t4/gd-agent')" = 0 ] &&
	ok "w1: run t4's agent emptied (as a crash before the disk would)" ||
	bad "w1: could not empty t4's agent"
sleep 11
expect "cleanup FILE: a run whose agent is empty is finished by ours" 0 \
	in_lab "$gameday" cleanup "$tmp/powered.json"
contains "  it says so" "on host w1: reverted t4"
[ "$(fp w1)" = "$b_w1" ] && gone w1 t4 &&
	ok "  w1's passwd back, nothing left" || bad "  w1 after a damaged agent"
expect "cleanup FILE again: nothing to clean up" 0 \
	in_lab "$gameday" cleanup "$tmp/powered.json"
contains "  says so" "nothing to clean up"
expect "plan: no leftovers after cleanup" 0 \
	in_lab "$gameday" plan "$tmp/freeze.json"

finish sshlab
