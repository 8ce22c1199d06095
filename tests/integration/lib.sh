# Shared by the integration tests (sourced, not run): counting checks and
# printing the closing line.  The sourcing script sets $out, the file the
# last command's output went to.
pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "  ok   $1"
}

bad() {
	fail=$((fail + 1))
	echo "  FAIL $1"
	if [ -n "${out:-}" ] && [ -s "$out" ]; then
		sed 's/^/       /' "$out" | head -20
	fi
}

# expect NAME EXIT CMD...: runs CMD with its output in $out and checks its
# exit code.
expect() {
	name=$1 want=$2
	shift 2
	"$@" >"$out" 2>&1
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$name"; else
		echo "       (exit $rc, expected $want)" >>"$out"
		bad "$name"
	fi
}

# contains NAME TEXT: the last output holds TEXT.
contains() {
	if grep -q -- "$2" "$out"; then ok "$1"; else bad "$1 (no \"$2\")"; fi
}

# finish LABEL: the closing line, the counts for make check, the status.
finish() {
	echo "$1: $pass passed, $fail failed"
	[ -n "${GD_COUNTS:-}" ] && echo "$pass $fail" >>"$GD_COUNTS"
	[ $fail -eq 0 ]
}

# outcome_of RESULT_JSON JOB: a job's outcome in a run's result.json
# (written with sorted keys, so "id" comes before "outcome").
outcome_of() {
	awk -v id="\"id\": \"$2\"," '
		index($0, id) { found = 1 }
		found && /"outcome":/ { gsub(/[",]/, "", $2); print $2; exit }
	' "$1"
}
