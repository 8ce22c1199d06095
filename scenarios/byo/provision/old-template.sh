#!/bin/sh
# The worker template in service before the renewals (roles.worker.provision):
# what configuration management does on every worker, at every boot, so it
# must be idempotent (it only states what must be true).
#  - the application's service account docsvc at its production uid and
#    gid 2001 (the cluster's `users` already give it that; a node that
#    drifted is put back, as Puppet would);
#  - the scratch folder docconv.conf names, owned by docsvc, 0750.
set -eu
uid=2001
if ! getent group docsvc >/dev/null; then groupadd -g $uid docsvc
elif [ "$(getent group docsvc | cut -d: -f3)" != $uid ]; then groupmod -g $uid docsvc; fi
if ! getent passwd docsvc >/dev/null; then useradd -M -u $uid -g docsvc -d /srv/scratch -s /bin/sh docsvc
elif [ "$(id -u docsvc)" != $uid ]; then usermod -u $uid docsvc; fi
install -d -o root -g root -m 0755 /var/lib/docconv
install -d -o docsvc -g docsvc -m 0750 /var/lib/docconv/scratch
echo "old template on $GAMEDAY_NODE, boot $GAMEDAY_BOOT: docsvc $(id -u docsvc), $(stat -c '%n %U:%G %a' /var/lib/docconv/scratch)"
