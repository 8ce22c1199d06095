#!/bin/sh
# A worker's template: the scratch folder the application needs.  On w1
# the template renewed at its reboot breaks (boot 2 onwards).
set -eu
echo "provisioning $GAMEDAY_NODE, boot $GAMEDAY_BOOT"
mkdir -p /var/lib/docconv/scratch
if [ "$GAMEDAY_NODE" = w1 ] && [ "$GAMEDAY_BOOT" -ge 2 ]; then
	echo "apt: package docconv-runtime has no installation candidate" >&2
	exit 100
fi
echo ok
