#!/bin/sh
# PID 1 of the User-mode Linux kernel boot.sh starts.  The host's files
# are its root read-only; the one host directory it writes is boot.sh's
# (GD_UML_DIR), mounted writable on its own.  It mounts what a machine has
# (its own /proc, /sys, /dev, /run, and cgroups as a Debian 12
# machine with systemd has them: the unified hierarchy alone, where the
# host CI runs on has v1 controllers beside it, so the tests see both),
# loads the modules gameday needs, runs the test with its state on a
# tmpfs, writes its status, and powers the kernel off (sysrq: no shutdown
# program, which would write the host's wtmp).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
off() {
	echo o >/proc/sysrq-trigger
	sleep 60
}
d=${GD_UML_DIR:?}
: "${GD_UML_TEST:?}" "${GD_UML_BUILD:?}"
mount -t proc proc /proc || off
# (not /tmp: the test's own files may be there; it writes below $d)
for t in /run /var/log; do
	mount -t tmpfs tmpfs $t || off
done
mount -t hostfs -o "$d" host "$d" || off
echo "init" >"$d/booted"
fail() {
	echo "uml: $*" >>"$d/out"
	off
}
mount -t sysfs sys /sys || fail "cannot mount /sys"
# (the kernel mounts a devtmpfs there itself when built to)
grep -q '^[^ ]* /dev devtmpfs' /proc/mounts ||
	mount -t devtmpfs dev /dev || fail "cannot mount /dev"
mkdir -p /dev/shm /dev/pts
mount -t tmpfs shm /dev/shm || fail "cannot mount /dev/shm"
mount -t devpts pts /dev/pts || fail "cannot mount /dev/pts"
mount -t tmpfs tmp "$d/tmp" || fail "cannot mount $d/tmp"
mount -t cgroup2 cgroup2 /sys/fs/cgroup || fail "cannot mount cgroup2"
{
	for m in sch_netem veth bridge overlay; do
		modprobe -d "$d/root" $m || echo "uml: cannot load $m"
	done
	ip link set lo up
	echo "uml: kernel $(uname -r)"
	TMPDIR=$d/tmp GD_COUNTS=$d/counts GD_IN_UML=1 sh "$GD_UML_TEST" "$GD_UML_BUILD"
	echo $? >"$d/rc.new"
} >"$d/out" 2>&1
sync
mv "$d/rc.new" "$d/rc"
sync
off
