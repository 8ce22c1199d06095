#!/bin/sh
# gd-agent, the undo journal gameday leaves on a real host (docs/agent.md),
# run below a folder standing for the host's "/" (GD_AGENT_ROOT) with a
# fake systemctl recording its calls: what it records, what a revert puts
# back (bytes, owner and mode), the watcher's timeout with and without
# beats, SIGTERM, a journal cut by a kill, and finish leaving nothing.
#   sh tests/integration/agent.sh BUILD_DIR
. "$(dirname "$0")/lib.sh"

build=$(cd "$1" && pwd)
agent=$build/gd-agent
if [ "$(id -u)" != 0 ]; then
	echo "integration: skipped: needs root (owners to restore)"
	exit 77
fi
[ -x "$agent" ] || { echo "agent: $agent missing (make)"; exit 1; }
state=$(mktemp -d "${TMPDIR:-/tmp}/gd-agent-it.XXXXXX")
out=$state/out.txt
watchers=
trap 'for p in $watchers; do kill -9 $p 2>/dev/null; done; rm -rf "$state"' EXIT INT TERM
started=$(date +%s.%N)

# A host: /etc with files of several owners and modes, the folders a
# Debian machine has for systemd's units and for ours.
root=$state/host
mkdir -p $root/etc/systemd/system/multi-user.target.wants $root/var/lib \
	$root/run/systemd/system $root/srv
printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' >$root/etc/passwd
chown 12:34 $root/etc/passwd && chmod 0640 $root/etc/passwd
printf 'secret\n' >$root/etc/shadow && chown 0:42 $root/etc/shadow && chmod 4750 $root/etc/shadow
chown 7:8 $root/srv && chmod 2775 $root/srv
mkdir -p $root/usr/bin && printf '#!/bin/sh\n' >$root/usr/bin/tool && chmod 4755 $root/usr/bin/tool
ln -s passwd $root/etc/link
export GD_AGENT_ROOT=$root GD_AGENT_SYSTEMCTL=$state/systemctl
calls=$state/calls
printf '#!/bin/sh\necho "$*" >>%s\n' "$calls" >$state/systemctl
chmod 755 $state/systemctl
# every path with its type, owner and mode, and a file's size (a
# folder's size is the file system's business)
snapshot() {
	find "$root" \( -type d -printf '%p %y %U:%G %m\n' \) -o \
		-printf '%p %y %U:%G %m %s\n' | sort
}
snapshot >$state/before
attrs() { stat -c '%u:%g %a %s' "$@"; }

run=gd-test-1
dir=$root/var/lib/gameday/$run
unit=$root/etc/systemd/system/gameday-agent-$run.service
link=$root/etc/systemd/system/multi-user.target.wants/gameday-agent-$run.service

echo "== install"
expect "install exits 0" 0 "$agent" install --run $run --timeout 7
[ -f "$unit" ] && grep -q "^ExecStart=$dir/gd-agent watch --run $run --timeout 7 --root $root\$" "$unit" &&
	grep -q '^Restart=on-failure$' "$unit" && grep -q '^WantedBy=multi-user.target$' "$unit" &&
	ok "the unit runs the copied agent's watch, restarts on failure, wanted by multi-user" ||
	bad "the unit: $(cat "$unit" 2>&1)"
[ "$(readlink "$link")" = "../gameday-agent-$run.service" ] && ok "the unit is enabled (its link)" ||
	bad "the enable link: $(ls -l "$link" 2>&1)"
[ "$(stat -c %a "$dir")" = 700 ] && cmp -s "$agent" "$dir/gd-agent" && [ -f "$dir/journal" ] &&
	ok "the run's folder 0700 with the journal and a copy of the agent" || bad "the run's folder: $(ls -la "$dir" 2>&1)"
[ "$(cat $calls)" = "daemon-reload
restart gameday-agent-$run.service" ] && ok "systemctl daemon-reload, then the new unit (re)started" ||
	bad "systemctl calls: $(cat $calls)"
expect "the agent lists the run" 0 "$agent" runs
[ "$(cat $out)" = $run ] && ok "runs says $run alone" || bad "runs"

echo "== put, save and revert by tag"
attrs $root/etc/passwd >$state/passwd.attrs
cp -p $root/etc/passwd $state/passwd.orig
printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1001:1000::/home/alice:/bin/sh\n' >$state/new
expect "put over passwd" 0 sh -c "\"$agent\" put --run $run --tag skew1 /etc/passwd <$state/new"
cmp -s $state/new $root/etc/passwd && [ "$(stat -c '%u:%g %a' $root/etc/passwd)" = "12:34 640" ] &&
	ok "put wrote the new bytes and kept owner 12:34 and mode 640" || bad "put: $(attrs $root/etc/passwd)"
expect "a second put of the same path" 0 sh -c "\"$agent\" put --run $run --tag skew2 /etc/passwd <$state/new"
expect "put a new file with an owner and mode" 0 sh -c \
	"echo drop-in | \"$agent\" put --run $run --tag clock1 --mode 0600 --owner 5:6 /run/systemd/system/x.conf"
[ "$(attrs $root/run/systemd/system/x.conf)" = "5:6 600 8" ] && ok "the new file has 5:6 600" ||
	bad "new file: $(attrs $root/run/systemd/system/x.conf 2>&1)"
expect "save-attr of a folder" 0 "$agent" save-attr --run $run --tag skew1 /srv
chown 99:99 $root/srv && chmod 700 $root/srv
expect "save-attr of a setuid program" 0 "$agent" save-attr --run $run --tag skew1 /usr/bin/tool
chown 5:5 $root/usr/bin/tool && chmod 755 $root/usr/bin/tool
expect "save shadow (setuid)" 0 "$agent" save --run $run --tag skew1 /etc/shadow
chown 1:1 $root/etc/shadow && chmod 600 $root/etc/shadow && echo changed >$root/etc/shadow
expect "status" 0 "$agent" status --run $run
[ "$(cut -f2,3 $out | tr '\t\n' ' ')" = "skew1 file clock1 file skew1 attr skew1 attr skew1 file " ] &&
	ok "status: one line a pending entry, the second save of passwd not recorded" || bad "status"
expect "revert of tag clock1 only" 0 "$agent" revert --run $run --tag clock1
[ ! -e $root/run/systemd/system/x.conf ] && [ "$(stat -c %u $root/srv)" = 99 ] &&
	ok "the put of an absent file is undone by removing it, other tags left" || bad "revert clock1"
expect "revert of tag skew1" 0 "$agent" revert --run $run --tag skew1
cmp -s $state/passwd.orig $root/etc/passwd && [ "$(attrs $root/etc/passwd)" = "$(cat $state/passwd.attrs)" ] &&
	ok "passwd back: the same bytes, owner and mode" || bad "passwd: $(attrs $root/etc/passwd)"
[ "$(attrs $root/etc/shadow)" = "0:42 4750 7" ] && grep -q secret $root/etc/shadow &&
	ok "shadow back with its setuid bit (chown before chmod)" || bad "shadow: $(attrs $root/etc/shadow)"
[ "$(stat -c '%u:%g %a' $root/srv)" = "7:8 2775" ] && ok "the folder's owner and setgid mode back" ||
	bad "srv: $(stat -c '%u:%g %a' $root/srv)"
[ "$(stat -c '%u:%g %a' $root/usr/bin/tool)" = "0:0 4755" ] && ok "the program's owner and setuid mode back" ||
	bad "tool: $(stat -c '%u:%g %a' $root/usr/bin/tool)"
[ -z "$(find $root/etc $root/run -name '.*.gd-agent-*')" ] && ok "no temporary file left beside the host's files" ||
	bad "a temporary file left beside a host file"
expect "a second revert finds nothing" 0 "$agent" revert --run $run
expect "status after the reverts" 0 "$agent" status --run $run
[ ! -s $out ] && ok "nothing pending" || bad "still pending"

echo "== on-revert and do"
marks=$state/marks
expect "on-revert of a marker command" 0 "$agent" on-revert --run $run --tag net1 -- \
	sh -c "printf 'undo-1 %s\\n' \"\$1\" >>$marks" sh 'tab	and
newline'
expect "do: undo journalled, then the change" 0 "$agent" do --run $run --tag net1 \
	--undo-argv 3 sh -c "echo undo-2 >>$marks" -- sh -c "echo change-2 >>$marks"
[ "$(cat $marks)" = change-2 ] && ok "do made the change, nothing undone yet" || bad "marks: $(cat $marks)"
expect "do whose change fails exits 1" 1 "$agent" do --run $run --tag net2 \
	--undo-argv 3 sh -c "echo undo-3 >>$marks" -- sh -c 'exit 3'
contains "and says how the change ended" 'exited 3'
expect "revert of net1" 0 "$agent" revert --run $run --tag net1
[ "$(cat $marks | tr '\n' '|')" = "change-2|undo-2|undo-1 tab	and|newline|" ] &&
	ok "undos ran newest first, the argv's tab and newline intact" || bad "marks: $(cat $marks)"
expect "revert of net1 again" 0 "$agent" revert --run $run --tag net1
[ "$(grep -c undo- $marks)" = 2 ] && ok "a done entry never runs twice" || bad "ran twice"
expect "on-revert of a failing command" 0 "$agent" on-revert --run $run --tag net2 -- false
expect "a revert whose command fails exits 1" 1 "$agent" revert --run $run
contains "naming the entry and how it failed" 'entry 8 (net2): "false" exited 1'
grep -q undo-3 $marks && ok "the failure did not stop the other revert" || bad "undo-3 missing"
expect "the failed entry stays pending" 0 "$agent" status --run $run
[ "$(cut -f1,4 $out)" = "8	false" ] && ok "only the failed command is pending" || bad "pending"
expect "revert it by tag" 1 "$agent" revert --run $run --tag net2

echo "== refused"
expect "a relative path is a usage error" 2 "$agent" save --run $run --tag t etc/passwd
expect "a .. component is a usage error" 2 "$agent" save --run $run --tag t /etc/../etc/passwd
expect "a bad run name is a usage error" 2 "$agent" status --run 'Gd_1'
expect "save without a tag is a usage error" 2 "$agent" save --run $run /etc/passwd
expect "a symlink is refused" 1 "$agent" save --run $run --tag t /etc/link
contains "saying so" '"/etc/link" is a symbolic link'
expect "an op on a run not installed fails" 1 "$agent" beat --run gd-none
contains "saying so" 'run "gd-none" is not installed'

echo "== a journal cut by a kill"
printf 'entry\t99\tx\tcm' >>$dir/journal
expect "status reads a journal with a cut last line" 0 "$agent" status --run $run
expect "save after it" 0 "$agent" save --run $run --tag cut /etc/passwd
tail -1 $dir/journal | grep -q "^entry	[0-9]*	cut	file	/etc/passwd	" &&
	! grep -q 'cm$\|cmentry' $dir/journal && ok "the cut line dropped, the next entry a line of its own" ||
	bad "journal: $(tail -2 $dir/journal)"
(sleep 2; echo late) | "$agent" put --run $run --tag cut /etc/passwd &
pid=$!
sleep 0.3
kill -9 $pid
wait $pid 2>/dev/null
expect "a put killed mid-way leaves a readable journal" 0 "$agent" status --run $run
cmp -s $state/passwd.orig $root/etc/passwd && ok "and the file it was to write untouched" || bad "passwd changed"
expect "revert all" 1 "$agent" revert --run $run

echo "== finish"
expect "install again keeps the journal" 0 "$agent" install --run $run --timeout 7
expect "status" 0 "$agent" status --run $run
grep -q '^8	net2	cmd	false' $out && ok "the pending entry survived a second install" || bad "entry lost"
: >$calls
sh -c "echo y | \"$agent\" put --run $run --tag f /etc/passwd"
expect "finish reports the revert that fails" 1 "$agent" finish --run $run
snapshot >$state/after
if diff $state/before $state/after >$state/diff; then
	ok "finish leaves nothing: every file, owner, mode and size as before install"
else
	out=$state/diff bad "finish left differences"
fi
[ "$(cat $calls)" = "stop gameday-agent-$run.service
daemon-reload" ] && ok "finish stopped the unit and reloaded systemd" || bad "calls: $(cat $calls)"
expect "finish again is fine" 0 "$agent" finish --run $run
expect "runs after finish" 0 "$agent" runs
[ ! -s $out ] && ok "no run left" || bad "runs: $(cat $out)"

echo "== a failed file revert keeps the run"
# a folder where the file was: its revert (a rename over it) fails, as
# ENOSPC or an immutable file would
echo orig >$root/etc/kept
expect "install gd-k1" 0 "$agent" install --run gd-k1 --timeout 7
echo new | "$agent" put --run gd-k1 --tag k /etc/kept
"$agent" on-revert --run gd-k1 --tag k -- false
rm $root/etc/kept && mkdir $root/etc/kept && touch $root/etc/kept/x
kdir=$root/var/lib/gameday/gd-k1
kunit=$root/etc/systemd/system/gameday-agent-gd-k1.service
klink=$root/etc/systemd/system/multi-user.target.wants/gameday-agent-gd-k1.service
expect "finish whose file revert fails exits 1" 1 "$agent" finish --run gd-k1
contains "saying the run is kept" 'run kept for a retry'
[ -f $kdir/journal ] && [ -f $kdir/saved/0 ] && grep -q orig $kdir/saved/0 && [ -f "$kunit" ] && [ -L "$klink" ] &&
	ok "the journal, saved/ (the only copy of the original) and the enabled unit kept" ||
	bad "kept: $(ls -R $kdir 2>&1)"
expect "runs after the kept finish" 0 "$agent" runs
grep -qx gd-k1 $out && ok "runs lists the kept run" || bad "runs: $(cat $out)"
expect "status of the kept run" 0 "$agent" status --run gd-k1
grep -q '	file	/etc/kept	' $out && ok "the file entry still pending" || bad "status: $(cat $out)"
rm -r $root/etc/kept && echo changed >$root/etc/kept
expect "finish again, the obstacle gone" 1 "$agent" finish --run gd-k1
[ "$(cat $root/etc/kept)" = orig ] && [ ! -e $kdir ] && [ ! -e "$kunit" ] && [ ! -e "$klink" ] &&
	ok "the original back, and only a command's failure left: the run removed" ||
	bad "after the retry: $(cat $root/etc/kept; ls $kdir 2>&1)"
rm $root/etc/kept

echo "== finish and runs with no journal"
mkdir -p $root/var/lib/gameday/logs && echo keep >$root/var/lib/gameday/logs/gameday.log
expect "install gd-r1" 0 "$agent" install --run gd-r1 --no-start
expect "runs beside a folder that is not a run's" 0 "$agent" runs
[ "$(cat $out)" = gd-r1 ] && ok "runs lists only folders holding a journal" || bad "runs: $(cat $out)"
expect "finish of a folder without a journal" 0 "$agent" finish --run logs
[ "$(cat $root/var/lib/gameday/logs/gameday.log 2>&1)" = keep ] && ok "finish left the folder that is not a run's" ||
	bad "logs/ removed"
expect "put into a folder without a journal fails" 1 sh -c "echo x | \"$agent\" put --run logs --tag p /etc/passwd"
[ "$(ls $root/var/lib/gameday/logs)" = gameday.log ] && ok "and stages nothing there" || bad "put staged into logs/"
expect "finish gd-r1" 0 "$agent" finish --run gd-r1 --no-start
rm -r $root/var/lib/gameday

echo "== beat under the journal's lock"
expect "install gd-b1" 0 "$agent" install --run gd-b1 --no-start
"$agent" on-revert --run gd-b1 --tag b -- sleep 1
"$agent" finish --run gd-b1 --no-start &
fpid=$!
sleep 0.4
expect "a beat while finish holds the lock waits and finds the run gone" 1 "$agent" beat --run gd-b1
wait $fpid
[ ! -e $root/var/lib/gameday/gd-b1 ] && ok "no beat left behind: the run's folder gone" ||
	bad "left: $(ls -la $root/var/lib/gameday/gd-b1 2>&1)"

echo "== links never followed, folders synced"
# The last component is never followed, nor a link swapped in between the
# check and the use; every entry made in a folder (the run's folder,
# saved/, /var/lib, a host's folder, the unit's) is fsynced after it, so a
# power cut right after loses none.  strace makes both visible.
if command -v strace >/dev/null; then
	# unsynced TRACE: the folders below $root where the op traced made an
	# entry (a mkdir, an O_CREAT open, a rename's target, a symlink) that
	# no fsync of the folder followed, one a line; agent.log aside (made
	# and synced by install, only reopened by each op's log line)
	unsynced() {
		awk -v root="$root" '
		function dir(p) { sub(/\/[^\/]*$/, "", p); return p }
		function at(d, p) { return p ~ /^\// || d == "AT_FDCWD" ? p : fd[d] "/" p }
		function made(p) { if (p !~ /\/agent\.log$/) live[p] = NR }
		{ sub(/^[0-9]+ +/, "") }
		{
			line = $0; n = 0
			while (match(line, /"[^"]*"/)) {
				q[++n] = substr(line, RSTART + 1, RLENGTH - 2)
				line = substr(line, RSTART + RLENGTH)
			}
			split($0, a, /[(), ]+/)
			res = $0; sub(/.*= /, "", res); sub(/ .*/, "", res); res += 0
		}
		/^openat\(/ && res >= 0 { p = at(a[2], q[1]); fd[res] = p; if ($0 ~ /O_CREAT/) made(p) }
		/^open\(/ && res >= 0 { fd[res] = q[1]; if ($0 ~ /O_CREAT/) made(q[1]) }
		/^mkdir\(/ && res == 0 { made(q[1]) }
		/^mkdirat\(/ && res == 0 { made(at(a[2], q[1])) }
		/^rename\(/ && res == 0 { delete live[q[1]]; made(q[2]) }
		/^renameat2?\(/ && res == 0 {
			split($0, b, /"[^"]*"/); split(b[2], c, /[(), ]+/)
			delete live[at(a[2], q[1])]; made(at(c[2], q[2]))
		}
		/^symlink\(/ && res == 0 { made(q[2]) }
		/^symlinkat\(/ && res == 0 { split($0, b, /"[^"]*"/); split(b[2], c, /[(), ]+/); made(at(c[2], q[2])) }
		/^unlink\(/ && res == 0 { delete live[q[1]] }
		/^unlinkat\(/ && res == 0 { delete live[at(a[2], q[1])] }
		/^f(data)?sync\(/ && res == 0 { synced[fd[a[2]]] = NR }
		END {
			for (p in live) {
				d = dir(p)
				if (index(p, root "/") == 1 && !(synced[d] > live[p]))
					bad[d] = 1
			}
			for (d in bad) print d
		}' "$1" | sort
	}
	# traced OP...: the agent run under strace into $state/trace
	traced() {
		strace -f -qq -o $state/trace -e trace=open,openat,mkdir,mkdirat,rename,renameat,renameat2,symlink,symlinkat,unlink,unlinkat,fsync,fdatasync \
			"$agent" "$@"
	}
	sdir=$root/var/lib/gameday/gd-s1
	[ ! -e $root/var/lib/gameday ] || bad "/var/lib/gameday left by an earlier check"
	expect "install, traced" 0 traced install --run gd-s1 --timeout 7
	cp $state/trace $state/trace.install
	unsynced $state/trace >$state/unsynced
	out=$state/unsynced
	[ ! -s $state/unsynced ] && grep -q "mkdir(\"$root/var/lib/gameday\"" $state/trace &&
		ok "install: /var/lib, /var/lib/gameday, the run's folder and the unit's folders synced after their entries" ||
		bad "install: folders not synced after an entry made in them"
	out=$state/out.txt
	echo original >$root/etc/swap && chmod 0640 $root/etc/swap
	echo secret-bytes >$state/secret && chmod 0600 $state/secret
	expect "save, traced" 0 traced save --run gd-s1 --tag s /etc/swap
	unsynced $state/trace >$state/unsynced
	out=$state/unsynced
	[ ! -s $state/unsynced ] && [ -f $sdir/saved/0 ] && ok "save: saved/ synced after the kept copy" ||
		bad "save: saved/ not synced"
	out=$state/out.txt
	expect "put of a new file, traced" 0 sh -c "echo new | strace -f -qq -o $state/trace \
		-e trace=open,openat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,fsync \
		\"$agent\" put --run gd-s1 --tag s /etc/swap-new"
	unsynced $state/trace >$state/unsynced
	out=$state/unsynced
	[ ! -s $state/unsynced ] && ok "put: the host's folder synced after the rename" || bad "put: a folder not synced"
	out=$state/out.txt

	# a link put at the path while save holds what it checked (its first
	# syscall naming the path held 1.5 s by strace): what is kept is the
	# file checked, never the link's target
	echo race-original >$root/etc/race
	strace -qq -o /dev/null -P $root/etc/race \
		-e inject=open,openat,newfstatat,statx,lstat:delay_exit=1500000:when=1 \
		"$agent" save --run gd-s1 --tag race /etc/race >$state/race.out 2>&1 &
	spid=$!
	sleep 0.7
	mv $root/etc/race $root/etc/race.aside && ln -s $state/secret $root/etc/race
	wait $spid
	src=$?
	"$agent" status --run gd-s1 >$state/race.status
	rid=$(awk -F'\t' '$2 == "race" { print $1 }' $state/race.status)
	out=$state/race.out
	[ $src = 0 ] && [ -n "$rid" ] && [ "$(cat $sdir/saved/$rid)" = race-original ] &&
		! grep -q secret $sdir/saved/* &&
		ok "a link swapped in during save: the file checked is the one kept, never the link's target" ||
		bad "a link swapped in during save (exit $src): kept $(cat $sdir/saved/$rid 2>&1)"
	out=$state/out.txt
	rm -f $root/etc/race && mv $root/etc/race.aside $root/etc/race
	expect "revert of the race's save" 0 "$agent" revert --run gd-s1 --tag race
	[ "$(cat $root/etc/race)" = race-original ] && ok "and its revert writes the file's own bytes" ||
		bad "race: $(cat $root/etc/race)"
	rm $root/etc/race

	# an owner and mode's revert through a link put there since the save
	echo attr >$root/etc/swap-attr && chmod 0644 $root/etc/swap-attr
	expect "save-attr of a file" 0 "$agent" save-attr --run gd-s1 --tag la /etc/swap-attr
	chmod 0640 $root/etc/swap-attr
	mv $root/etc/swap-attr $root/etc/swap-attr.aside && ln -s $state/secret $root/etc/swap-attr
	expect "its revert, a link there now, fails" 1 "$agent" revert --run gd-s1 --tag la
	contains "saying the link is not followed" 'is a symbolic link now: not followed'
	[ "$(stat -c %a $state/secret)" = 600 ] && ok "the link's target keeps its mode" ||
		bad "the link's target got mode $(stat -c %a $state/secret)"
	rm $root/etc/swap-attr && mv $root/etc/swap-attr.aside $root/etc/swap-attr
	expect "the revert again, the file back" 0 "$agent" revert --run gd-s1 --tag la
	[ "$(stat -c %a $root/etc/swap-attr)" = 644 ] && ok "and the mode is restored on the file" ||
		bad "swap-attr: $(stat -c %a $root/etc/swap-attr)"
	rm $root/etc/swap-attr

	# a file's revert over a link put there: the link replaced, its
	# target untouched
	echo changed >$root/etc/swap
	ln -sf $state/secret $root/etc/swap.l && mv -T $root/etc/swap.l $root/etc/swap
	expect "a file's revert over a link, traced" 0 traced revert --run gd-s1 --tag s
	[ ! -L $root/etc/swap ] && [ "$(cat $root/etc/swap)" = original ] && [ "$(stat -c %a $root/etc/swap)" = 640 ] &&
		[ "$(cat $state/secret)" = secret-bytes ] && [ ! -e $root/etc/swap-new ] &&
		ok "the link replaced by the original file, its target untouched" ||
		bad "after the revert: $(ls -l $root/etc/swap; cat $state/secret)"
	unsynced $state/trace >$state/unsynced
	out=$state/unsynced
	[ ! -s $state/unsynced ] && ok "revert: the host's folders synced" || bad "revert: a folder not synced"
	out=$state/out.txt
	expect "finish gd-s1" 0 "$agent" finish --run gd-s1
	rm -f $root/etc/swap
else
	echo "  skip links swapped in and folders synced (no strace)"
fi

echo "== the watcher"
# start_watch RUN TIMEOUT: a watcher in the background ($wpid), as the
# unit would run it
start_watch() {
	"$agent" watch --run $1 --timeout $2 2>>$state/watch.log &
	wpid=$!
	watchers="$watchers $wpid"
}
# reap PID SECONDS: PID's exit status once it ends, or 124 when it had
# to be killed (a watcher that never ends must not hang the test)
reap() {
	i=0
	while [ -d /proc/$1 ] && ! grep -q '^[0-9]* (.*) Z' /proc/$1/stat 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $(($2 * 20)) ] && { kill -9 $1; wait $1; return 124; }
		sleep 0.05
	done
	wait $1
}
# gone_within RUN SECONDS: waits until RUN's folder, unit and link are
# gone; prints how long it took
gone_within() {
	t0=$(date +%s%N)
	while [ -e $root/var/lib/gameday/$1 ] || [ -e $root/etc/systemd/system/gameday-agent-$1.service ] ||
		[ -e $root/etc/systemd/system/multi-user.target.wants/gameday-agent-$1.service ]; do
		[ $(($(date +%s%N) - t0)) -gt $(($2 * 1000000000)) ] && return 1
		sleep 0.05
	done
	echo $((($(date +%s%N) - t0) / 1000000))
}
changed_host() {
	"$agent" install --run $1 --timeout 2 --no-start >/dev/null &&
		echo "change-$1" | "$agent" put --run $1 --tag w /etc/passwd &&
		"$agent" on-revert --run $1 --tag w -- sh -c "echo undo-$1 >>$marks"
}

: >$marks
changed_host gd-w1
start_watch gd-w1 2
t0=$(date +%s%N)
if ms=$(gone_within gd-w1 6); then
	took=$((($(date +%s%N) - t0) / 1000000))
	[ $took -le 4000 ] && ok "no beat for 2 s: reverted and uninstalled in ${took} ms" ||
		bad "silent 2 s: gone only after ${took} ms"
else
	bad "silent 2 s: the run still there after 6 s"
fi
reap $wpid 2
[ $? = 0 ] && ok "the watcher exited 0" || bad "the watcher's exit"
cmp -s $state/passwd.orig $root/etc/passwd && grep -q undo-gd-w1 $marks &&
	ok "its file and its command reverted" || bad "gd-w1 not reverted"

changed_host gd-w2
start_watch gd-w2 2
for i in 1 2 3 4 5 6 7 8; do
	"$agent" beat --run gd-w2 || break
	sleep 0.5
done
[ -d $root/var/lib/gameday/gd-w2 ] && grep -q change-gd-w2 $root/etc/passwd && ! grep -q undo-gd-w2 $marks &&
	ok "beats every 0.5 s for 4 s: nothing reverted" || bad "reverted while beating"
t0=$(date +%s%N)
if gone_within gd-w2 6 >/dev/null; then
	took=$((($(date +%s%N) - t0) / 1000000))
	[ $took -le 3500 ] && cmp -s $state/passwd.orig $root/etc/passwd &&
		ok "beats stopped: reverted in ${took} ms" || bad "after the beats stopped: ${took} ms"
else
	bad "beats stopped: not reverted after 6 s"
fi
reap $wpid 2 >/dev/null

changed_host gd-w3
start_watch gd-w3 2
sleep 1
kill -TERM $wpid
reap $wpid 2
rc=$?
sleep 2.5
[ $rc = 0 ] && [ -d $root/var/lib/gameday/gd-w3 ] && grep -q change-gd-w3 $root/etc/passwd && ! grep -q undo-gd-w3 $marks &&
	ok "SIGTERM (a shutdown): the watcher exits 0 and reverts nothing" || bad "SIGTERM: exit $rc"
# the boot after it: a fresh watcher counts its silence from its start
start_watch gd-w3 2
if gone_within gd-w3 6 >/dev/null; then
	cmp -s $state/passwd.orig $root/etc/passwd && grep -q undo-gd-w3 $marks &&
		ok "started again (the next boot), it reverts after its timeout" || bad "gd-w3 not reverted"
else
	bad "gd-w3 still there"
fi
reap $wpid 2 >/dev/null

changed_host gd-w4
start_watch gd-w4 30
"$agent" beat --run gd-w4
expect "finish from gameday while the watcher runs" 0 "$agent" finish --run gd-w4
t0=$(date +%s%N)
reap $wpid 3
rc=$?
took=$((($(date +%s%N) - t0) / 1000000))
[ $rc = 0 ] && [ $took -lt 2000 ] && ok "the watcher saw the run finished and exited 0 in ${took} ms" ||
	bad "watcher after finish: exit $rc after ${took} ms"

# the watcher's finish keeps a run whose file revert fails, and exits 0:
# Restart=on-failure must not finish it again every timeout
echo orig >$root/etc/kept
changed_host gd-w5
"$agent" on-revert --run gd-w5 --tag w -- false
echo new | "$agent" put --run gd-w5 --tag w2 /etc/kept
rm $root/etc/kept && mkdir $root/etc/kept && touch $root/etc/kept/x
start_watch gd-w5 1
reap $wpid 4
rc=$?
[ $rc = 0 ] && [ -f $root/var/lib/gameday/gd-w5/journal ] &&
	[ -f $root/etc/systemd/system/gameday-agent-gd-w5.service ] &&
	ok "a file revert failing: the watcher exits 0 and the run and unit stay" || bad "watcher, kept: exit $rc"
grep -q 'run kept: the next boot retries' $state/watch.log && ok "the watcher says so" || bad "watch.log"
rm -r $root/etc/kept && echo changed >$root/etc/kept
start_watch gd-w5 1
if gone_within gd-w5 5 >/dev/null; then
	[ "$(cat $root/etc/kept)" = orig ] && cmp -s $state/passwd.orig $root/etc/passwd &&
		ok "the next boot's watcher reverts it, the failing command not keeping it" || bad "gd-w5 not reverted"
else
	bad "gd-w5 still there after the next boot's watcher"
fi
reap $wpid 2 >/dev/null
rm $root/etc/kept
watchers=

snapshot >$state/after
if diff $state/before $state/after >$state/diff; then
	ok "after every watcher the host is as it was found"
else
	out=$state/diff bad "the watchers left differences"
fi
echo "agent.sh took $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
finish agent
