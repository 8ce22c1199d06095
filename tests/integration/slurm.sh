#!/bin/sh
# Integration test of Slurm on the staging cluster: Debian's slurmctld,
# slurmd and munged in namespaced nodes (one munged per node, shared key),
# jobs submitted as the unprivileged service user and run on workers.
#   tests/integration/slurm.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
gameday=$build/gameday
cluster=$here/../../scenarios/clusters/four-workers.json

if [ "$(id -u)" != 0 ]; then
	echo "integration: skipped: needs root"
	exit 77
fi
for p in /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/munged; do
	if [ ! -x $p ]; then
		echo "integration: skipped: $p is not installed (make deps)"
		exit 77
	fi
done

state=$(mktemp -d /tmp/gameday-it.XXXXXX)
export GAMEDAY_STATE_DIR=$state GAMEDAY_LOG_DIR=$state/logs
out=$(mktemp)
trap '"$gameday" cleanup >/dev/null 2>&1; rm -rf "$state" "$out"' EXIT INT TERM

x() { "$gameday" cluster exec "$@"; }

echo "integration: slurm"
expect "a slurm cluster comes up" 0 "$gameday" cluster up "$cluster"

# slurmd registers within a second or two; wait up to 20 s.
for i in $(seq 1 100); do
	x ctl -- sinfo -h -o '%T %D' >"$out" 2>&1
	grep -q '^idle 4$' "$out" && break
	sleep 0.2
done
if grep -q '^idle 4$' "$out"; then ok "all four workers register idle"; else bad "all four workers register idle"; fi

expect "munge credentials from one node decode on another" 0 \
	x w2 -- sh -c 'munge -n >/srv/shared/cred'
expect "... on the controller" 0 x ctl -- sh -c 'unmunge </srv/shared/cred'

expect "a batch job is accepted from the service user" 0 \
	x ctl -- runuser -u gdjob -- sbatch --requeue -N1 -o /srv/shared/out-%j.txt --wrap 'hostname; id -un'
for i in $(seq 1 50); do
	cat "$state"/runs/gd*/shared/out-*.txt >"$out" 2>/dev/null
	[ "$(wc -l <"$out")" -ge 2 ] && break
	sleep 0.2
done
if grep -q '^w[1-4]$' "$out"; then ok "it ran on a worker"; else bad "it ran on a worker"; fi
if grep -q '^gdjob$' "$out"; then ok "as the service user"; else bad "as the service user"; fi

# The document job: its output must match the oracle byte for byte, and
# it must survive being killed mid-way by resuming from its checkpoint.
shared=$(ls -d "$state"/runs/gd*/shared)
mkdir -p "$shared/in" "$shared/out" && chmod 1777 "$shared/out"
for j in 1 2 3 4 5 6; do
	"$build/tests/gd_oracle" 42 "docs-$j" "$shared/in/docs-$j.txt" "$state/expected-$j.json"
done
expect "six document jobs are submitted" 0 x ctl -- sh -c '
	for j in 1 2 3 4 5 6; do
		runuser -u gdjob -- sbatch --requeue -J docs-$j -o /srv/shared/out/docs-$j.log \
			--wrap "/srv/gameday/gd-job docs-$j /srv/shared/in/docs-$j.txt /srv/shared/out/docs-$j.json --scratch /srv/scratch/gd-job --runtime-ms 1500 --steps 5" || exit 1
	done'
for i in $(seq 1 75); do
	[ "$(ls "$shared"/out/docs-*.json 2>/dev/null | wc -l)" -eq 6 ] && break
	sleep 0.2
done
good=0
for j in 1 2 3 4 5 6; do
	cmp -s "$state/expected-$j.json" "$shared/out/docs-$j.json" && good=$((good + 1))
done
ls -l "$shared/out" >"$out"
if [ $good -eq 6 ]; then ok "all six outputs match the oracle"; else bad "all six outputs match the oracle ($good of 6)"; fi
if ls "$shared"/out/*.tmp.* >/dev/null 2>&1; then bad "no partial output is left"; else ok "no partial output is left"; fi

expect "squeue --json parses" 0 x ctl -- sh -c 'squeue --json | grep -q "\"jobs\""'

expect "cluster down" 0 "$gameday" cluster down
left=""
for p in /proc/[0-9]*; do
	case $(cat "$p/comm" 2>/dev/null) in
	slurmctld | slurmd | slurmstepd | munged) left="$left ${p#/proc/}" ;;
	esac
done
echo "$left" >"$out"
if [ -n "$left" ]; then bad "no slurm or munge process is left"; else ok "no slurm or munge process is left"; fi

finish integration
