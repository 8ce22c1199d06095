#!/bin/sh
# The old hardware template (run at every boot, so idempotent): the
# application's account and the scratch
# folder its config names.
set -eu
id -u docsvc >/dev/null 2>&1 || useradd -M -u 2001 -s /usr/sbin/nologin docsvc
mkdir -p /var/lib/docconv/scratch
chown docsvc:docsvc /var/lib/docconv/scratch
chmod 0750 /var/lib/docconv/scratch
echo "old template applied"
