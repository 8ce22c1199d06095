#!/bin/sh
# Runs unit test binaries and prints one closing line.
#   tests/run-unit.sh LABEL [--valgrind] BINARY...
set -u
label=$1
shift
wrap=
if [ "${1:-}" = --valgrind ]; then
	wrap="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible"
	shift
fi
pass=0
fail=0
for t in "$@"; do
	if $wrap "$t"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $t"
	fi
done
echo "$label: $pass passed, $fail failed"
[ $fail -eq 0 ]
