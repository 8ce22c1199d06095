#!/bin/sh
# Every key the scenario parser accepts (the keys tables under
# harness/scenario/, and each fault kind's, with its row under
# harness/faults/, and each job kind's, under harness/run/) is documented in the language reference,
# scenarios/README.md, written `key` or "key".
#   tests/golden/keys.sh
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
keys=$(awk '/keys\[\] = \{/ { on = 1 } on { print } /};/ { on = 0 }' \
	"$root"/harness/scenario/*.c "$root"/harness/faults/*.c \
	"$root"/harness/run/job_*.c |
	grep -o '"[a-z_]*"' | tr -d '"' | sort -u)
n=0 missing=""
for k in $keys; do
	n=$((n + 1))
	grep -q "\`$k\`\|\"$k\"" "$root/scenarios/README.md" || missing="$missing $k"
done
if [ "$n" -lt 80 ]; then
	echo "FAIL: read only $n keys from harness/scenario/: the tables moved?"
	exit 1
fi
if [ -n "$missing" ]; then
	echo "FAIL: keys the parser accepts but scenarios/README.md does not document:$missing"
	exit 1
fi
echo "keys: all $n keys the parser accepts are documented"
