#!/bin/sh
# Every key the scenario parser accepts (the *_keys tables and
# COMMON_KEYS under harness/scenario/) is documented in the language
# reference, scenarios/README.md, written `key` or "key".
#   tests/golden/keys.sh
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
keys=$(sed -n '/_keys\[\] = {/,/};/p; /^#define COMMON_KEYS/p' "$root"/harness/scenario/*.c |
	grep -o '"[a-z_]*"' | tr -d '"' | sort -u)
n=0 missing=""
for k in $keys; do
	n=$((n + 1))
	grep -q "\`$k\`\|\"$k\"" "$root/scenarios/README.md" || missing="$missing $k"
done
if [ "$n" -lt 40 ]; then
	echo "FAIL: read only $n keys from harness/scenario/: the tables moved?"
	exit 1
fi
if [ -n "$missing" ]; then
	echo "FAIL: keys the parser accepts but scenarios/README.md does not document:$missing"
	exit 1
fi
echo "keys: all $n keys the parser accepts are documented"
