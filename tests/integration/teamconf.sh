#!/bin/sh
# Integration test of a team's own cluster configuration on real Slurm:
# its slurm_conf lines (two partitions of its own, its scheduler, its
# timeouts) are what slurmctld runs with, and its accounts are in the
# nodes with their production ids, jobs running as its service user; a
# slurm_conf line gameday must own fails validate, cluster up and run with
# FILE:LINE:COL, and leaves nothing behind.
#   tests/integration/teamconf.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
it_begin "$1" /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/munged

x() { "$gameday" cluster exec "$@"; }

mkdir -p "$state/team"
cat >"$state/team/slurm.conf" <<'EOF'
# The docs team's production lines.
SchedulerType=sched/builtin
slurmdtimeout=600    # keys in any case, as Slurm reads them
MessageTimeout=40 \
  ReturnToService=1
PartitionName=docs Nodes=w[1-2] Default=YES MaxTime=1-00:00:00 State=UP
PartitionName=bulk Nodes=w3 MaxTime=INFINITE State=UP
EOF
cat >"$state/team/cluster.json" <<'EOF'
{
  "gameday": 1,
  "name": "docs-prod",
  "system": "slurm",
  "nodes": [
    {"name": "ctl", "role": "controller"},
    {"name": "w[1-3]", "role": "worker"}
  ],
  "slurm_conf": "slurm.conf",
  "users": [
    {"name": "docsvc", "uid": 2001, "gid": 2001, "groups": ["docs"]},
    {"name": "auditor", "uid": 2002, "gid": 3000}
  ],
  "user_groups": [{"name": "docs", "gid": 3000}],
  "service_user": "docsvc"
}
EOF
cat >"$state/team/scenario.json" <<'EOF'
{
  "gameday": 1,
  "description": "No faults, the team's own Slurm configuration and accounts.",
  "seed": 1,
  "time_scale": 300,
  "duration": "30m",
  "cluster": "cluster.json",
  "workload": {
    "jobs": 4,
    "submit": {"over": "5m"},
    "deadline": "24h",
    "expected": "20m..40m"
  }
}
EOF

echo "integration: teamconf"
expect "the team's cluster file validates" 0 "$gameday" validate "$state/team/cluster.json"
expect "so does a scenario on it" 0 "$gameday" validate "$state/team/scenario.json"

expect "the team's cluster comes up" 0 "$gameday" cluster up "$state/team/cluster.json"
for i in $(seq 1 100); do
	x ctl -- sinfo -h -o '%P %T %D' >"$out" 2>&1
	grep -q '^docs\* idle 2$' "$out" && grep -q '^bulk idle 1$' "$out" && break
	sleep 0.2
done
if grep -q '^docs\* idle 2$' "$out" && grep -q '^bulk idle 1$' "$out" && ! grep -q '^batch' "$out"; then
	ok "its two partitions, docs the default, and not gameday's own"
else bad "its two partitions, docs the default, and not gameday's own"; fi
x ctl -- scontrol show config >"$out" 2>&1
if grep -q '^SchedulerType *= sched/builtin' "$out"; then ok "scontrol shows its SchedulerType"; else bad "scontrol shows its SchedulerType"; fi
# a bare cluster plays at scale 1: the team's values as written
if grep -q '^SlurmdTimeout *= 600 sec' "$out"; then ok "... its SlurmdTimeout, uncompressed at scale 1"; else bad "... its SlurmdTimeout, uncompressed at scale 1"; fi
if grep -q '^MessageTimeout *= 40 sec' "$out" && grep -q '^ReturnToService *= 1' "$out"; then
	ok "... and its continued line's MessageTimeout and ReturnToService"
else bad "... and its continued line's MessageTimeout and ReturnToService"; fi
x ctl -- scontrol show partition docs >"$out" 2>&1
if grep -q 'MaxTime=1-00:00:00' "$out" && grep -q 'Nodes=w\[1-2\]' "$out"; then
	ok "scontrol shows its partition's MaxTime and nodes"; else bad "scontrol shows its partition's MaxTime and nodes"; fi

x w3 -- id docsvc >"$out" 2>&1
if grep -q '^uid=2001(docsvc) gid=2001(docsvc) groups=2001(docsvc),3000(docs)$' "$out"; then
	ok "a node has the service user with its production ids and groups"
else bad "a node has the service user with its production ids and groups"; fi
x w1 -- id auditor >"$out" 2>&1
if grep -q '^uid=2002(auditor) gid=3000(docs)' "$out"; then ok "... and the team's other user"; else bad "... and the team's other user"; fi
expect "a job of the service user's goes to the bulk partition" 0 \
	x ctl -- runuser -u docsvc -- sbatch -p bulk -o /srv/shared/id-%j.txt --wrap 'hostname; id -u; id -un'
for i in $(seq 1 50); do
	cat "$state"/state/runs/gd*/shared/id-*.txt >"$out" 2>/dev/null
	[ "$(wc -l <"$out")" -ge 3 ] && break
	sleep 0.2
done
if [ "$(tr '\n' ' ' <"$out")" = "w3 2001 docsvc " ]; then ok "it ran on w3 as uid 2001"; else bad "it ran on w3 as uid 2001"; fi
expect "the cluster goes down" 0 "$gameday" cluster down

expect_contract "a run on the team's configuration passes" "$state/r1" 4 \
	"$gameday" run --out "$state/r1" "$state/team/scenario.json"
if grep -q 'UserId=docsvc(2001)' "$state/r1/ctl/jobcomp.log" &&
	! grep -v 'UserId=docsvc(2001)' "$state/r1/ctl/jobcomp.log" | grep -q .; then
	ok "Slurm ran every job as the service user, uid 2001"
else
	cp "$state/r1/ctl/jobcomp.log" "$out" 2>/dev/null
	bad "Slurm ran every job as the service user, uid 2001"
fi
if grep -q 'Partition=docs' "$state/r1/ctl/jobcomp.log"; then ok "... in the team's default partition"; else bad "... in the team's default partition"; fi

# An account the host has already (uid 1 is Debian's daemon): the nodes'
# passwd starts from the host's, so the cluster is refused, undone.
sed 's/"uid": 2002/"uid": 1/' "$state/team/cluster.json" >"$state/team/clash.json"
expect "a team uid the host has fails cluster up" 2 "$gameday" cluster up "$state/team/clash.json"
contains "... naming the user and the host's account" 'user "auditor" (uid 1) clashes with the host.s daemon (1)'
if [ -z "$(ls "$state/state/runs" 2>/dev/null)" ]; then ok "... and leaving nothing"; else bad "... and leaving nothing"; fi

# A line gameday must own: refused before anything is made.
printf 'SchedulerType=sched/builtin\n  SlurmctldHost=prod-ctl1\n' >"$state/team/slurm.conf"
expect "a slurm_conf line gameday owns fails validate" 2 "$gameday" validate "$state/team/scenario.json"
contains "... naming the file, line and column, and the key" \
	"team/slurm.conf:2:3: \"SlurmctldHost\" is gameday's to set"
expect "... fails cluster up" 2 "$gameday" cluster up "$state/team/cluster.json"
contains "... the same way" "slurm.conf:2:3: \"SlurmctldHost\""
expect "... and fails run" 2 "$gameday" run --out "$state/r2" "$state/team/scenario.json"
contains "... the same way" "slurm.conf:2:3: \"SlurmctldHost\""
if [ -z "$(ls "$state/state/runs" 2>/dev/null)" ] && [ ! -e "$state/r2" ] &&
	! ip netns list 2>/dev/null | grep -q gd; then
	ok "nothing is left behind"
else bad "nothing is left behind"; fi

finish integration
