#!/bin/sh
# PID 1 of a lab machine's User-mode Linux kernel (lab.sh boots it), until
# it hands over to systemd.  The machine's root is an overlay: this host's
# files read-only below (hostfs: Debian's systemd, sshd, munge, Slurm),
# the machine's own disk (an ext4 image, ubd0) above, so what its root
# writes survives a reboot or a power cut and never reaches the host.  At
# the first boot lab-setup.sh makes it a machine of its own (hostname,
# host key, root's key, units, Slurm and munge configuration); then it
# gets its address and systemd runs as PID 1, as on a team's staging host.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
off() {
	echo "lab: $*"
	echo o >/proc/sysrq-trigger
	sleep 60
	exit 1
}
mount -t proc proc /proc || off "cannot mount /proc"
grep -q '^[^ ]* /dev devtmpfs' /proc/mounts || mount -t devtmpfs dev /dev
mount -t tmpfs tmpfs /mnt || off "cannot mount a tmpfs on /mnt"
mkdir -p /mnt/disk /mnt/root /mnt/mods/lib
mount -t ext4 /dev/ubda /mnt/disk || off "cannot mount the disk"
ln -s /usr/lib/uml/modules /mnt/mods/lib/modules
modprobe -d /mnt/mods overlay || off "cannot load overlay"
mkdir -p /mnt/disk/upper /mnt/disk/work
mount -t overlay root -o lowerdir=/,upperdir=/mnt/disk/upper,workdir=/mnt/disk/work \
	/mnt/root || off "cannot mount the overlay root"
if [ ! -f /mnt/root/etc/gdlab-machine ]; then
	sh "$(dirname "$0")/lab-setup.sh" /mnt/root || off "setup failed"
fi
ip link set lo up
# The same MAC address at every boot, as a machine's card keeps its own
# (UML picks a random one otherwise, and the lab's neighbours then hold
# the old one in their caches for half a minute after a reboot).
mac=$(printf '02:00:%02x:%02x:%02x:%02x' $(echo "${GDLAB_ADDR%/*}" | tr . ' '))
ip link set vec0 address "$mac" && ip link set vec0 up &&
	ip addr add "${GDLAB_ADDR:?}" dev vec0 ||
	off "no network"
exec switch_root /mnt/root /lib/systemd/systemd
