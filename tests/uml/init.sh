#!/bin/sh
# PID 1 of the User-mode Linux kernel boot.sh starts: mounts what a
# machine has (its own /proc, /sys, /dev, /run, and cgroups as a Debian 12
# machine with systemd has them: the unified hierarchy alone, where the
# host CI runs on has v1 controllers beside it, so the tests see both),
# loads the modules gameday needs, runs the test with its state on a
# tmpfs, writes its status, and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
d=$GD_UML_DIR
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm /dev/pts
mount -t tmpfs shm /dev/shm
mount -t devpts pts /dev/pts
mount -t tmpfs run /run
mount -t tmpfs tmp "$d/tmp"
mount -t cgroup2 cgroup2 /sys/fs/cgroup
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
poweroff -f
echo o >/proc/sysrq-trigger
sleep 60
