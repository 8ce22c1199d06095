#!/bin/sh
# A lab of staging machines for the SSH backend's tests: each its own
# User-mode Linux kernel with systemd 252 as PID 1, cgroup v2, sshd,
# munge and Slurm from Debian's packages (machine-init.sh, lab-setup.sh),
# on a bridge in a network namespace of the lab's own; gameday reaches
# them only through SSH, with the lab's ssh_config.
#   lab.sh up DIR NAME:ROLE...   make DIR's lab and boot its machines
#                                (ROLE controller or worker); exits when
#                                each answers over SSH
#   lab.sh power DIR NAME on|off|cycle|status   a power switch: off kills
#                                the machine's kernel at once (a pulled
#                                plug), on boots it again from its disk
#   lab.sh exec DIR CMD...       CMD in the lab's network namespace
#   lab.sh down DIR              every machine off, the namespace gone
# DIR: an empty folder of the caller's (absolute or not).  Exits 77 when
# this host cannot run User-mode Linux (not the tests' to fail).
set -u
here=$(cd "$(dirname "$0")" && pwd)
uml=/usr/bin/linux.uml

die() {
	echo "lab: $*" >&2
	exit 1
}

ns_of() { cat "$1/netns"; }

# addr DIR NAME: the machine's address, from the lab's hosts file.
addr() { awk -v n="$2" '$2 == n { print $1 }' "$1/hosts"; }

boot() {
	d=$1 n=$2
	role=$(cat "$d/$n/role")
	# The kernel reboots by executing itself again: same process,
	# same disk, same link (a raw socket on the veth, reopened).
	setsid sh -c 'echo $$ >"$1/$2/pid"; exec timeout -s KILL 7200 \
		ip netns exec "$3" "$4" mem=384M rootfstype=hostfs rootflags=/ ro \
		ubd0="$1/$2/disk.img" uml_dir="$1/$2/" umid="$2" \
		vec0:transport=raw,ifname="v-$2" \
		init="$5/machine-init.sh" GDLAB_DIR="$1" GDLAB_NAME="$2" \
		GDLAB_ROLE="$6" GDLAB_ADDR="$7/24" con=null con0=fd:0,fd:1 \
		</dev/null >>"$1/$2/console.log" 2>&1' \
		lab "$d" "$n" "$(ns_of "$d")" "$uml" "$here" "$role" \
		"$(addr "$d" "$n")" &
	i=0
	while [ ! -s "$d/$n/pid" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

running() {
	[ -s "$1/$2/pid" ] && kill -0 "$(cat "$1/$2/pid")" 2>/dev/null
}

off() {
	running "$1" "$2" || return 0
	# The kernel is a session of its own (UML calls setsid), its pid in
	# its uml_dir; the timeout above it goes too.  (dash's kill takes no
	# "--": a group is "-PGID" right after the signal.)
	u=$1/$2/$2/pid
	g=$(cat "$u" 2>/dev/null)
	[ -n "$g" ] && kill -KILL "-$g" 2>/dev/null
	kill -KILL "-$(cat "$1/$2/pid")" 2>/dev/null
	i=0
	while { running "$1" "$2" || { [ -n "$g" ] && kill -0 "-$g" 2>/dev/null; }; } &&
		[ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	rm -f "$1/$2/pid" "$u"
}

# wait_ssh DIR NAME SECONDS: until the machine's sshd answers.
wait_ssh() {
	t=$(($(date +%s) + $3))
	while [ "$(date +%s)" -lt $t ]; do
		ip netns exec "$(ns_of "$1")" ssh -F "$1/ssh_config" \
			-o ConnectTimeout=2 "$2" true </dev/null 2>/dev/null &&
			return 0
		running "$1" "$2" || break
		sleep 1
	done
	echo "lab: $2 did not answer over SSH in $3 s; its console's end:" >&2
	tail -15 "$1/$2/console.log" >&2
	return 1
}

write_conf() {
	d=$1
	shift
	workers=
	for m in "$@"; do
		[ "${m#*:}" = worker ] && workers="$workers${workers:+,}${m%%:*}"
	done
	ctl=
	for m in "$@"; do [ "${m#*:}" = controller ] && ctl=${m%%:*}; done
	cat >"$d/slurm.conf" <<CONF
ClusterName=lab
SlurmctldHost=${ctl:-none}
AuthType=auth/munge
SlurmUser=slurm
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
ProctrackType=proctrack/cgroup
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmdTimeout=60
MpiDefault=none
NodeName=$workers CPUs=1 State=UNKNOWN
PartitionName=batch Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
	echo "CgroupPlugin=cgroup/v2" >"$d/cgroup.conf"
}

up() {
	[ -x "$uml" ] && [ -d /usr/lib/uml/modules ] || {
		echo "lab: skipped: user-mode-linux is not installed (make deps)"
		exit 77
	}
	d=$1
	shift
	mkdir -p "$d/shared" && chmod 1777 "$d/shared"
	ns=lab-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
	ip netns add "$ns" || die "cannot make a network namespace"
	echo "$ns" >"$d/netns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link add br0 type bridge
	ip -n "$ns" addr add 10.77.0.1/24 dev br0
	ip -n "$ns" link set br0 up
	ssh-keygen -q -t ed25519 -N '' -C lab -f "$d/client_key"
	dd if=/dev/urandom of="$d/munge.key" bs=1024 count=1 2>/dev/null
	printf '127.0.0.1 localhost\n' >"$d/hosts"
	: >"$d/known_hosts"
	printf 'Host *\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n' \
		"$d/client_key" "$d/known_hosts" >"$d/ssh_config"
	i=10
	for m in "$@"; do
		n=${m%%:*}
		i=$((i + 1))
		mkdir -p "$d/$n"
		echo "${m#*:}" >"$d/$n/role"
		echo "10.77.0.$i $n" >>"$d/hosts"
		ssh-keygen -q -t ed25519 -N '' -C "$n" -f "$d/$n/ssh_host_ed25519_key"
		echo "$n,10.77.0.$i $(cut -d' ' -f1,2 "$d/$n/ssh_host_ed25519_key.pub")" \
			>>"$d/known_hosts"
		printf 'Host %s\n  HostName 10.77.0.%s\n' "$n" "$i" >>"$d/ssh_config.hosts"
		truncate -s 2G "$d/$n/disk.img"
		mkfs.ext4 -q -F "$d/$n/disk.img" || die "mkfs.ext4 failed"
		ip -n "$ns" link add "v-$n" type veth peer name "b-$n"
		ip -n "$ns" link set "b-$n" master br0
		ip -n "$ns" link set "b-$n" up
		ip -n "$ns" link set "v-$n" up
		# UML's raw socket takes frames of the link's MTU: offloads
		# would hand it larger ones, which it drops (a 1 MB copy over
		# SSH then takes minutes instead of a second).
		for l in "v-$n" "b-$n"; do
			ip netns exec "$ns" ethtool -K "$l" tx off tso off gso off \
				gro off sg off >/dev/null 2>&1 ||
				die "ethtool -K $l failed (make deps)"
		done
	done
	# Host blocks first: ssh takes the first value it reads.
	cat "$d/ssh_config.hosts" "$d/ssh_config" >"$d/ssh_config.new" &&
		mv "$d/ssh_config.new" "$d/ssh_config" && rm "$d/ssh_config.hosts"
	write_conf "$d" "$@"
	for m in "$@"; do boot "$d" "${m%%:*}"; done
	for m in "$@"; do wait_ssh "$d" "${m%%:*}" 120 || exit 1; done
}

down() {
	d=$1
	for p in "$d"/*/pid; do
		[ -f "$p" ] && off "$d" "$(basename "$(dirname "$p")")"
	done
	[ -f "$d/netns" ] && ip netns del "$(ns_of "$d")" 2>/dev/null
	rm -f "$d/netns"
}

power() {
	d=$1 n=$2
	[ -d "$d/$n" ] || die "no machine $n in $d"
	case $3 in
	off) off "$d" "$n" ;;
	on) running "$d" "$n" || boot "$d" "$n" ;;
	cycle) off "$d" "$n" && boot "$d" "$n" ;;
	status) running "$d" "$n" ;;
	*) die "power: on, off, cycle or status, not $3" ;;
	esac
}

[ $# -ge 2 ] || die "usage: lab.sh up|power|exec|down DIR ..."
cmd=$1
dir=$(cd "$2" && pwd) || die "no folder $2"
shift 2
case $cmd in
up) up "$dir" "$@" ;;
down) down "$dir" ;;
power) power "$dir" "$@" ;;
# (nsenter rather than ip netns exec, which remounts /sys without this
# host's cgroup2: gameday keeps its run's cgroup there)
exec) exec nsenter --net="/run/netns/$(ns_of "$dir")" -- "$@" ;;
*) die "unknown command $cmd" ;;
esac
