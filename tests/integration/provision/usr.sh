#!/bin/sh
# A package "installed" by copying into /usr: the host's, read-only.
set -e
echo "installing docconv"
cp /bin/true /usr/local/bin/docconv
cp /bin/true /usr/bin/docconv
