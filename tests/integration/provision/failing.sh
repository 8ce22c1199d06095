#!/bin/sh
echo "checking the BMC firmware"
echo "firmware 2.1 is older than 2.4: refusing" >&2
exit 3
