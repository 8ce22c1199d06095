#!/bin/sh
# Tuesday's new hardware template.  Configuration management's newer data
# gives the service account docsvc uid and gid 2002 instead of production's
# 2001 (nobody declared it; it is what the data says), and makes the
# scratch folder as before, owned by that account.  Slurm still runs the
# team's jobs as uid 2001 (the controller's and every other node's docsvc),
# so on a renewed node the folder belongs to someone else and docconv
# cannot write its checkpoints.  Idempotent: it runs at every boot.
set -eu
uid=2002
if [ "$(getent group docsvc | cut -d: -f3)" != $uid ]; then groupmod -g $uid docsvc; fi
if [ "$(id -u docsvc)" != $uid ]; then usermod -u $uid -g $uid docsvc; fi
install -d -o root -g root -m 0755 /var/lib/docconv
install -d -o docsvc -g docsvc -m 0750 /var/lib/docconv/scratch
echo "tuesday template on $GAMEDAY_NODE, boot $GAMEDAY_BOOT: docsvc $(id -u docsvc), $(stat -c '%n %U:%G %a' /var/lib/docconv/scratch)"
