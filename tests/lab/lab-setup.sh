#!/bin/sh
# The first boot of a lab machine (machine-init.sh runs it before systemd):
# makes the overlay root ROOT a staging host of its own, as a team's
# configuration management would: its name, host key and root's
# authorized key, an empty home for root (not this host's), the units of
# its role enabled and no others, munge's key and Slurm's configuration,
# the lab's shared storage (a host folder, as NFS would be) in fstab.
# Reads the lab's folder GDLAB_DIR (lab.sh wrote it); writes only ROOT.
set -eu
r=$1
d=${GDLAB_DIR:?}
n=${GDLAB_NAME:?}
role=${GDLAB_ROLE:?}
echo "$n" >"$r/etc/hostname"
cp "$d/hosts" "$r/etc/hosts"
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$r/etc/machine-id"
echo >>"$r/etc/machine-id"
# modprobe (nft's modules) looks in /lib/modules/RELEASE.
mkdir -p "$r/lib/modules"
ln -sfn "/usr/lib/uml/modules/$(uname -r)" "$r/lib/modules/$(uname -r)"
# What gameday keeps on this host (its runs' logs) is no machine's: a
# staging host starts with none of it.
rm -rf "$r/var/lib/gameday"
# The host's dotfiles (a login shell's pyenv, say) are no machine's.
rm -rf "$r/root" && mkdir -m 0700 "$r/root" "$r/root/.ssh"
cp "$d/client_key.pub" "$r/root/.ssh/authorized_keys"
rm -f "$r"/etc/ssh/ssh_host_*
cp "$d/$n/ssh_host_ed25519_key" "$d/$n/ssh_host_ed25519_key.pub" "$r/etc/ssh/"
chmod 0600 "$r/etc/ssh/ssh_host_ed25519_key"
# What this host enabled (its own daemons, timers, a getty) is not the
# machine's: the role's units alone, beside what systemd itself runs.
w=$r/etc/systemd/system
rm -rf "$w/multi-user.target.wants" "$w/timers.target.wants" \
	"$w/getty.target.wants" "$w/sysinit.target.wants"
mkdir -p "$w/multi-user.target.wants"
units="ssh munge"
if [ "$role" = controller ]; then units="$units slurmctld"; else units="$units slurmd"; fi
for u in $units; do
	ln -s "/lib/systemd/system/$u.service" "$w/multi-user.target.wants/$u.service"
done
mkdir -p "$r/etc/munge" "$r/etc/slurm" "$r/srv/gameday"
cp "$d/munge.key" "$r/etc/munge/munge.key"
chown munge:munge "$r/etc/munge/munge.key"
chmod 0400 "$r/etc/munge/munge.key"
cp "$d/slurm.conf" "$d/cgroup.conf" "$r/etc/slurm/"
echo "hostfs /srv/gameday hostfs $d/shared 0 0" >>"$r/etc/fstab"
# The team's service user its jobs run as (a cluster file's default).
grep -q '^gdjob:' "$r/etc/group" || echo "gdjob:x:64000:" >>"$r/etc/group"
grep -q '^gdjob:' "$r/etc/passwd" ||
	echo "gdjob:x:64000:64000:jobs:/nonexistent:/usr/sbin/nologin" >>"$r/etc/passwd"
echo "$n $role" >"$r/etc/gdlab-machine"
