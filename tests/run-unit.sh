#!/bin/sh
# Runs cmocka test binaries, counting test cases; prints a binary's whole
# output only when it fails, and one closing line.
#   tests/run-unit.sh LABEL [--valgrind] BINARY...
set -u
label=$1
shift
wrap=
if [ "${1:-}" = --valgrind ]; then
	wrap="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible"
	shift
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT INT TERM
pass=0
fail=0
for t in "$@"; do
	$wrap "$t" >"$out" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out")
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out")
	p=${p:-0}
	f=${f:-0}
	# A crash or a valgrind error fails the binary even if its tests
	# passed.
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	if [ "$f" -ne 0 ]; then
		cat "$out"
		echo "FAIL: $t (exit $rc)"
	fi
	printf '  %-28s %3d passed, %d failed\n' "$(basename "$t")" "$p" "$f"
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "$label: $pass passed, $fail failed"
[ -n "${GD_COUNTS:-}" ] && echo "$pass $fail" >>"$GD_COUNTS"
[ $fail -eq 0 ]
