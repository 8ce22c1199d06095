#!/bin/sh
# Friday's new hardware template.  The account is right (same uid), but
# the scratch folder is no longer made here: the template's authors moved
# application folders to the application's own deployment, while the
# application (docconv.conf's scratch) still assumes provisioning made it.
# Nothing here fails; the difference only shows once a job needs the
# folder.  Idempotent: it runs at every boot.
set -eu
uid=2001
if ! getent group docsvc >/dev/null; then groupadd -g $uid docsvc; fi
if ! getent passwd docsvc >/dev/null; then useradd -M -u $uid -g docsvc -d /srv/scratch -s /bin/sh docsvc; fi
install -d -o root -g root -m 0755 /var/lib/docconv
echo "friday template on $GAMEDAY_NODE, boot $GAMEDAY_BOOT: docsvc $(id -u docsvc); application folders left to the application"
