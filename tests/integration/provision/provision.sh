#!/bin/sh
# The old template: creates the scratch folder the application's config
# names, owned by the service user.
set -eu
echo "provisioning $GAMEDAY_NODE ($GAMEDAY_ROLE), boot $GAMEDAY_BOOT"
mkdir -p "$1"
chown gdjob:gdjob "$1"
echo "boot $GAMEDAY_BOOT" >> /etc/docconv/boots
echo done
