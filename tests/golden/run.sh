#!/bin/sh
# Golden tests: every user-facing message and plan, byte for byte.
#
#   tests/golden/run.sh GAMEDAY [LABEL]
#   UPDATE=1 tests/golden/run.sh GAMEDAY    rewrite the expected files
#
# invalid/NAME.json  -> invalid/NAME.err   (stderr of validate; exit 2)
# plan/NAME.json     -> plan/NAME.txt and plan/NAME.plan.json
#                       (plan output; run twice to prove it is deterministic)
# cli.tab            -> command lines with their exit codes and output
# scenarios/*.json   must all validate.
set -u
gameday=$1
label=${2:-golden}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $1"
	[ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/    /' "$2" | head -40
}

# compare EXPECTED ACTUAL NAME: equal, or (UPDATE=1) rewrite, or fail with
# a diff.
compare() {
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$2" "$1"
		ok
	elif [ ! -f "$1" ]; then
		bad "$3: no expected file $1"
	elif cmp -s "$1" "$2"; then
		ok
	else
		diff -u "$1" "$2" >"$tmp/diff"
		bad "$3" "$tmp/diff"
	fi
}

for f in "$here"/invalid/*.json; do
	name=${f%.json}
	"$gameday" validate "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ]; then
		bad "$f: validate exited $rc, expected 2" "$tmp/err"
		continue
	fi
	if [ -s "$tmp/out" ]; then
		bad "$f: validate wrote to stdout for an invalid file" "$tmp/out"
		continue
	fi
	compare "$name.err" "$tmp/err" "$f"
done

for f in "$here"/plan/*.json; do
	case $f in *.plan.json) continue ;; esac
	name=${f%.json}
	for fmt in txt json; do
		if [ $fmt = json ]; then
			set -- --json
			want=$name.plan.json
		else
			set --
			want=$name.txt
		fi
		"$gameday" plan --offline "$@" "$f" >"$tmp/a" 2>"$tmp/err" &&
			"$gameday" plan --offline "$@" "$f" >"$tmp/b" 2>>"$tmp/err"
		rc=$?
		if [ $rc -ne 0 ]; then
			bad "$f: plan ($fmt) exited $rc" "$tmp/err"
			continue
		fi
		if ! cmp -s "$tmp/a" "$tmp/b"; then
			bad "$f: two plans ($fmt) with the same seed differ"
			continue
		fi
		compare "$want" "$tmp/a" "$f ($fmt)"
	done
done

for f in "$here"/../../scenarios/*.json; do
	if "$gameday" validate -q "$f" 2>"$tmp/err"; then ok; else
		bad "$f: an example scenario does not validate" "$tmp/err"
	fi
done

# A scenario without a seed gets a fresh one, printed; replaying with that
# seed gives the same plan.
f=$here/inputs/picks.json
if "$gameday" plan "$f" >"$tmp/r1" 2>&1; then
	seed=$(sed -n 's/^seed *\([0-9]*\) (random; replay with --seed \1)$/\1/p' "$tmp/r1")
	if [ -z "$seed" ]; then
		bad "$f: plan without a seed did not print a random seed" "$tmp/r1"
	else
		"$gameday" plan --seed "$seed" "$f" >"$tmp/r2" 2>&1
		sed 's/(random; replay with --seed [0-9]*)$/(from --seed)/' "$tmp/r1" >"$tmp/r1c"
		if cmp -s "$tmp/r1c" "$tmp/r2"; then ok; else
			diff -u "$tmp/r1c" "$tmp/r2" >"$tmp/diff"
			bad "$f: replaying seed $seed gave another plan" "$tmp/diff"
		fi
	fi
else
	bad "$f: plan failed" "$tmp/r1"
fi

# score/runs/NAME/events.jsonl: hand-written event logs, scored by
# 'gameday report' (twice: the same log gives the same bytes) into the
# result.json, junit.xml, summary.md and scorecard.html beside them, and
# its output into
# report.out.  score/invalid/NAME.jsonl: logs that cannot be scored; the
# error (exit 2) goes to NAME.err.
abs_gameday=$(cd "$(dirname "$gameday")" && pwd)/$(basename "$gameday")
for d in "$here"/score/runs/*/; do
	d=${d%/}
	for k in 1 2; do
		rm -rf "$tmp/run$k" && mkdir "$tmp/run$k" && cp "$d/events.jsonl" "$tmp/run$k/"
		(cd "$tmp/run$k" && "$abs_gameday" report . >report.out 2>&1; echo "exit $?" >>report.out)
	done
	for f in result.json junit.xml summary.md scorecard.html report.out; do
		if ! cmp -s "$tmp/run1/$f" "$tmp/run2/$f"; then
			bad "$d: two reports of the same log differ ($f)"
			continue
		fi
		compare "$d/$f" "$tmp/run1/$f" "$d ($f)"
	done
done
# score/runs/recorded-*: event logs recorded from real runs on real Slurm
# (make demo's scenarios at --scale max), scored here without daemons.
# Beyond their bytes, what the day must read as (docs/verdict.md):
# Tuesday fails with a silent stall of over 4h, its skew never noticed,
# under 60; caught early, 15 points more; the baseline passes at 95 or
# more; with alerts declared, the same day shows when they fire.
rec=$here/score/runs
judge() { # NAME JQ-EXPRESSION: true of recorded-NAME's result
	if jq -e "$2" "$rec/recorded-$1/result.json" >/dev/null 2>&1; then ok; else
		bad "recorded-$1: not true of its result: $2"; fi
}
judge tardy-tuesday '.verdict == "fail" and .score.total < 60'
judge tardy-tuesday '[.silent_failures[].length_ms] | max > 4 * 3600000'
judge tardy-tuesday '[.faults.list[] | select(.kind == "change") | .noticed] | length == 2 and all(. == null)'
judge tardy-tuesday '[.faults.list[] | select(.kind == "reboot") | .noticed] | all(. != null)'
tue=$(jq '.score.total' "$rec/recorded-tardy-tuesday/result.json" 2>/dev/null)
judge tardy-tuesday-fixed ".score.total >= ${tue:-100} + 15"
judge baseline '.verdict == "pass" and .score.total >= 95'
judge tardy-tuesday-alerts '[.faults.list[] | select(.kind == "change") | .noticed.by] | all(test("^alert "))'
# The seed incidents with the team's own artefacts (scenarios/byo/,
# docs/demo-byo.md), recorded from make demo-byo's scenarios: nothing
# declared, the change found by comparing each renewed node.  Friday: the
# contract held, the expectation missed, a silent stall, every change's
# evidence naming the missing scratch folder.  Tuesday: the same with a
# silent stall of hours, jobs 6 hours and more against their 40 minutes,
# every change's evidence the uid Tuesday's template gave docsvc.
for day in friday-provisioning tuesday-provisioning; do
	judge $day '.verdict == "fail" and .measures.correct_on_time == .measures.jobs and .measures.jobs == 8'
	judge $day '[.reasons[] | select(test("^(wrong|failed|lost|duplicated|late|stopped)"))] | length == 0'
	judge $day '[.expectations[] | select(.name | test("of jobs within their expected duration")) | .met] == [false]'
	judge $day '.measures.silent_failure and .measures.longest_stall_ms > .measures.stall_limit_ms'
	judge $day '.score.parts[] | select(.name == "contract") | .points == .max'
	# nobody noticed the change before the fix; the re-image that undoes
	# it requeues jobs, which is no noticing
	judge $day '[.faults.list[] | select(.kind == "change") | .noticed] | all(. == null)'
done
judge friday-provisioning '[.faults.list[] | select(.kind == "change") | .evidence] | length == 4 and all(test(": renewed by byo/provision/friday-template.sh, .*first: /var/lib/docconv/scratch: gone \\(was folder docsvc:docsvc 0750\\)"))'
judge tuesday-provisioning '[.faults.list[] | select(.kind == "change") | .evidence] | length == 2 and all(test("renewed by byo/provision/tuesday-template.sh, .*first: user docsvc: uid 2002 \\(was 2001\\)"))'
judge tuesday-provisioning '[.silent_failures[].length_ms] | max > 4 * 3600000'
judge tuesday-provisioning '[.jobs[] | select(.duration_ms > 6 * 3600000)] | length >= 3'

# The trend over every hand-written run (clean twice: a scenario with a
# history), into score/trend.json and trend.html.
rm -rf "$tmp/trend" && mkdir "$tmp/trend"
for d in "$here"/score/runs/*/ "$here"/score/runs/clean/; do
	n=$(basename "$d")
	[ -d "$tmp/trend/$n" ] && n=$n-again
	mkdir "$tmp/trend/$n" && cp "$d/events.jsonl" "$tmp/trend/$n/"
done
(cd "$tmp/trend" && "$abs_gameday" report --trend --out . */ >/dev/null 2>&1)
for f in trend.json trend.html; do
	compare "$here/score/$f" "$tmp/trend/$f" "report --trend ($f)"
done

for f in "$here"/score/invalid/*.jsonl; do
	rm -rf "$tmp/bad" && mkdir "$tmp/bad" && cp "$f" "$tmp/bad/events.jsonl"
	(cd "$tmp/bad" && "$abs_gameday" report . >out 2>err; echo "exit $?" >>err)
	compare "${f%.jsonl}.err" "$tmp/bad/err" "$f"
	if [ -e "$tmp/bad/result.json" ]; then bad "$f: a result written for a log that cannot be scored"; fi
done

# cli.tab: "EXIT<TAB>ARGS" per line; output goes to cli/N.out (stdout and
# stderr, in that order).  ARGS are split on spaces; @G stands for the
# golden directory.
n=0
while IFS='	' read -r want args; do
	case $want in '#'* | '') continue ;; esac
	n=$((n + 1))
	args=$(echo "$args" | sed "s|@G|$here|g")
	# shellcheck disable=SC2086
	"$gameday" $args >"$tmp/out" 2>"$tmp/err"
	rc=$?
	cat "$tmp/out" "$tmp/err" >"$tmp/both"
	if [ "$rc" != "$want" ]; then
		bad "gameday $args: exited $rc, expected $want" "$tmp/both"
		continue
	fi
	compare "$here/cli/$n.out" "$tmp/both" "gameday $args"
done <"$here/cli.tab"

# Every key the parser accepts is documented in the language reference.
if sh "$here/keys.sh" >"$tmp/keys" 2>&1; then ok; else bad "$(cat "$tmp/keys")"; fi

echo "$label: $pass passed, $fail failed"
[ -n "${GD_COUNTS:-}" ] && echo "$pass $fail" >>"$GD_COUNTS"
[ $fail -eq 0 ]
