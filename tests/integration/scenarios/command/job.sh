#!/bin/sh
# The team's job, for tests/integration/command.sh: upper-cases its input
# into the attempt's output folder in three steps, reporting each through
# the progress contract.  An input that says "bad" gets a wrong answer;
# "fail" as the first argument makes it fail.
set -eu
if [ "$1" = fail ]; then
	echo "job.sh: cannot reach the licence server" >&2
	exit 3
fi
in=$1 out=$2
for step in 1 2 3; do
	sleep 0.3
	echo "step $step/3" >>"$GAMEDAY_PROGRESS"
done
echo "job.sh: $GAMEDAY_JOB attempt $GAMEDAY_ATTEMPT on $(hostname)" >&2
if grep -q bad "$in"; then
	echo "not what you wanted" >"$out/result"
else
	tr a-z A-Z <"$in" >"$out/result"
fi
