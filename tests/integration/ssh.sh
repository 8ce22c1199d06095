#!/bin/sh
# Integration test of the SSH transport (harness/remote/) against a real
# sshd and the real ssh client, no mock: a network namespace of its own
# (loopback only) runs sshd with its own host key, authorized keys and
# port; the client's configuration has the host key recorded, so host
# key checking stays on, as it does for a team.  tests/tools/gd_ssh_try
# drives the library inside the namespace.
#   tests/integration/ssh.sh BUILD_DIR
# The non-root path (sudo -n) is not exercised: it needs an account on
# this host, which the test will not add.
set -u
. "$(dirname "$0")/lib.sh"
build=$(cd "$1" && pwd)
try=$build/tests/gd_ssh_try
if [ "$(id -u)" != 0 ]; then
	echo "integration: skipped: needs root"
	exit 77
fi
for p in /usr/sbin/sshd /usr/bin/ssh /usr/bin/ssh-keygen "$try"; do
	[ -x "$p" ] || { echo "integration: skipped: $p missing"; exit 77; }
done

ns=sshtest-$$
t=$(mktemp -d "${TMPDIR:-/tmp}/sshtest.XXXXXX")
out=$t/out.txt
made_run_sshd=
cleanup() {
	[ -f "$t/sshd.pid" ] && kill "$(cat "$t/sshd.pid")" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	[ -n "$made_run_sshd" ] && rmdir /run/sshd 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
in_ns() { ip netns exec "$ns" "$@"; }

# sshd's privilege separation folder, made only when missing (and gone
# again at the end).
if [ ! -d /run/sshd ]; then
	mkdir -m 0755 /run/sshd && made_run_sshd=1
fi
ip netns add "$ns" || exit 1
in_ns ip link set lo up || exit 1

ssh-keygen -q -t ed25519 -N '' -f "$t/hostkey" -C sshtest-host || exit 1
ssh-keygen -q -t ed25519 -N '' -f "$t/id" -C sshtest-client || exit 1
ssh-keygen -q -t ed25519 -N '' -f "$t/wrong" -C sshtest-wrong || exit 1
cp "$t/id.pub" "$t/authorized_keys"
cat >"$t/sshd_config" <<EOC
Port 2222
ListenAddress 127.0.0.1
HostKey $t/hostkey
AuthorizedKeysFile $t/authorized_keys
PidFile $t/sshd.pid
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
MaxSessions 20
MaxStartups 50
EOC
echo "[127.0.0.1]:2222 $(cut -d' ' -f1-2 "$t/hostkey.pub")" >"$t/known_hosts"
: >"$t/known_hosts_empty"
host() { # host ALIAS IDENTITY KNOWN_HOSTS
	cat <<EOC
Host $1
	HostName 127.0.0.1
	Port 2222
	User root
	IdentityFile $2
	IdentitiesOnly yes
	UserKnownHostsFile $3
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
EOC
}
cfg=$t/ssh_config
{
	host stage "$t/id" "$t/known_hosts"
	host stage-wrongkey "$t/wrong" "$t/known_hosts"
	host stage-unknown "$t/id" "$t/known_hosts_empty"
	host stage-user "$t/id" "$t/known_hosts" | sed 's/User root/User sshtest/'
	host stage-w1 "$t/id" "$t/known_hosts"
	host stage-w2 "$t/id" "$t/known_hosts"
} >"$cfg"
ctl=$t/ctl
mkdir -m 0700 "$ctl"

/usr/sbin/sshd -t -f "$t/sshd_config" || exit 1
# An account that is not root, and a stand-in sudo, for sshd's sessions
# alone: bound over /etc/passwd and /usr/local/bin in a mount namespace
# of sshd's own (private), so this host's files never change.  The
# stand-in only passes the command on as the user (it cannot make root):
# what it proves is the "sudo -n --" prefix and the refusals.  $t must
# be readable by that user, who reads its authorized keys.
chmod 0755 "$t"
chmod 0644 "$t/authorized_keys"
cp /etc/passwd "$t/passwd"
echo "sshtest:x:64999:64999:sshtest:/:/bin/sh" >>"$t/passwd"
mkdir "$t/bin" "$t/sudolog" "$t/varlib"
chmod 0777 "$t/sudolog"
cat >"$t/bin/sudo" <<EOC
#!/bin/sh
echo "\$*" >>"$t/sudolog/args"
if [ -e "$t/sudolog/wants-password" ]; then
	echo "sudo: a password is required" >&2
	exit 1
fi
[ "\$1" = -n ] && [ "\$2" = -- ] || exit 1
shift 2
exec "\$@"
EOC
chmod 0755 "$t/bin/sudo"
in_ns unshare -m --propagation private sh -c '
	mount --bind "$1/passwd" /etc/passwd &&
	mount --bind "$1/bin" /usr/local/bin &&
	mount --bind "$1/varlib" /var/lib &&
	exec /usr/sbin/sshd -D -f "$1/sshd_config" -E "$1/sshd.log"' sh "$t" &
up=
for _ in $(seq 50); do
	in_ns ssh -F "$cfg" -o BatchMode=yes stage true 2>/dev/null && { up=1; break; }
	sleep 0.1
done
if [ -z "$up" ]; then
	echo "ssh: sshd did not come up in netns $ns:"
	sed 's/^/    /' "$t/sshd.log" 2>/dev/null
	exit 1
fi

echo "ssh: sshd in netns $ns, $(ssh -V 2>&1)"
# try ARGS...: gd_ssh_try with its output in $t/stdout, $t/stderr and
# the command's status line in $t/status.
try() {
	in_ns "$try" "$cfg" "$ctl" "$@" >"$t/stdout" 2>"$t/stderr" 3>"$t/status" </dev/null
}
status_is() { # NAME WANT
	cat "$t/stdout" "$t/stderr" "$t/status" >"$out" 2>/dev/null
	if grep -q "^status $2 " "$t/status"; then ok "$1"; else bad "$1 (status $2)"; fi
}
no_leftovers() { # NAME: no socket left, no ssh of ours running
	left=$(ls -A "$ctl")
	procs=$(pgrep -f -- "$ctl" || true)
	if [ -z "$left" ] && [ -z "$procs" ]; then ok "$1"; else
		echo "left: $left; processes: $procs" >"$out"
		bad "$1"
	fi
}

expect "open as root" 0 in_ns "$try" "$cfg" "$ctl" stage open
contains "open says root" "open: root"
no_leftovers "close removes the socket and leaves no ssh"

nl='
'
set -- "a b" "it's" '"q"' '$HOME' "line1${nl}line2" "" 'back\slash' '*' '-n' ';' '`id`' "tab	x"
printf '%s\0' "$@" >"$t/want-argv"
try stage run printf '%s\0' "$@"
cp "$t/stdout" "$t/got-argv"
status_is "awkward argv runs" 0
if cmp -s "$t/want-argv" "$t/got-argv"; then ok "awkward argv comes back byte-exact"; else
	od -c "$t/got-argv" >"$out"; bad "awkward argv comes back byte-exact"; fi

head -c 300000 /dev/urandom >"$t/blob"
try stage run -i "$t/blob" cat
if cmp -s "$t/blob" "$t/stdout"; then ok "stdin passes through (300 kB)"; else
	bad "stdin passes through (300 kB)"; fi

try stage run sh -c 'echo oops >&2; exit 7'
status_is "exit 7 propagates" 7
if [ "$(cat "$t/stderr")" = oops ]; then ok "stderr kept apart"; else bad "stderr kept apart"; fi
try stage run sh -c 'kill -TERM $$'
status_is "killed by SIGTERM is 143" 143
try stage run sh -c 'exit 255'
status_is "the command's own 255 is its status" 255

try stage run -t 2000 sleep 31.4159
rc=$?
cat "$t/status" "$t/stderr" >"$out"
secs=$(sed -n 's/.* after \([0-9.]*\) s/\1/p' "$t/status")
if [ $rc = 124 ] && grep -q "^status -110 " "$t/status" &&
	awk -v s="$secs" 'BEGIN { exit !(s <= 3.0) }'; then
	ok "timeout 2 s stops sleep 30 in $secs s"
else bad "timeout 2 s stops sleep 30 (exit $rc, $secs s)"; fi
gone=
for _ in $(seq 30); do
	pgrep -f 'sleep 31.4159' >/dev/null || { gone=1; break; }
	sleep 0.1
done
if [ -n "$gone" ]; then ok "the remote sleep is gone too"; else
	pgrep -af 'sleep 31.4159' >"$out"; bad "the remote sleep is gone too"; fi
no_leftovers "no ssh left after a timeout"

expect "a wrong key fails to open" 1 in_ns timeout 30 "$try" "$cfg" "$ctl" stage-wrongkey open
contains "a wrong key says Permission denied" "Permission denied"
contains "a wrong key's error names the host" "stage-wrongkey"
sed 's/^/       said: /' "$out"
expect "an unknown host key fails to open" 1 in_ns timeout 30 "$try" "$cfg" "$ctl" stage-unknown open
contains "an unknown host key says so" "Host key verification failed"
sed 's/^/       said: /' "$out"
no_leftovers "no ssh left after a failed open"

expect "a lost master fails the next command" 1 in_ns timeout 30 "$try" "$cfg" "$ctl" stage lost
contains "a lost master is a lost connection" "connection lost"
no_leftovers "no socket left after a lost master"

# (not a sanitized build's: valgrind cannot run one)
if command -v valgrind >/dev/null && ! ldd "$try" | grep -q libasan; then
	vg="valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99"
	expect "open, run and close under valgrind" 0 in_ns $vg "$try" "$cfg" "$ctl" stage run -i "$t/want-argv" sh -c 'cat; printf "%s\n" "$1"' sh "x y"
	expect "a failed open under valgrind" 1 in_ns $vg "$try" "$cfg" "$ctl" stage-wrongkey open
fi

mkdir "$t/put"
head -c 70000 /dev/urandom >"$t/putsrc"
echo old >"$t/put/target"
try stage put "$t/putsrc" "$t/put/target" 0640
cat "$t/stderr" >"$out"
if cmp -s "$t/putsrc" "$t/put/target" && [ "$(stat -c %a "$t/put/target")" = 640 ]; then
	ok "put: byte-exact with mode 0640"
else bad "put: byte-exact with mode 0640"; fi
if [ "$(ls -A "$t/put")" = target ]; then ok "put leaves no temporary file"; else
	ls -A "$t/put" >"$out"; bad "put leaves no temporary file"; fi
# two puts to one path at once from one process (two threads of
# gameday's): each its own temporary file, both succeed, the path one of
# them whole (a name made of the path and our pid had them share one)
head -c 8000000 /dev/urandom >"$t/putsrc1"
head -c 8000000 /dev/urandom >"$t/putsrc2"
racy=0
for i in 1 2 3 4 5; do
	try stage put-twice "$t/putsrc1" "$t/putsrc2" "$t/put/target" 0600
	rc=$?
	if [ $rc != 0 ] || ! { cmp -s "$t/putsrc1" "$t/put/target" || cmp -s "$t/putsrc2" "$t/put/target"; } ||
		[ "$(ls -A "$t/put")" != target ]; then
		racy=$i
		break
	fi
done
cat "$t/stderr" >"$out"
ls -A "$t/put" >>"$out"
if [ $racy = 0 ]; then ok "two puts at once to one path: both succeed, the file one of them whole, 5 times"; else
	bad "two puts at once to one path (round $racy, exit $rc)"; fi
try stage put "$t/putsrc" "$t/nodir/target" 0640
cat "$t/stderr" >"$out"
if grep -q "cannot write $t/nodir/target" "$t/stderr"; then ok "put into a missing folder fails, naming it"; else
	bad "put into a missing folder fails, naming it"; fi

# gameday cleanup FILE when a node's power status cannot run: not read as
# "off" (the host never powered on blindly), said, and the host still
# cleaned over SSH.  The sshd's /var/lib is an empty folder of the test's
# (its mount namespace): no run of this machine's is touched.
gameday=$build/gameday
if [ -x "$gameday" ]; then
	cat >"$t/power.json" <<EOF
{"gameday": 1, "name": "power", "system": "slurm", "backend": "ssh",
 "ssh_config": "$cfg",
 "nodes": [{"name": "ctl", "role": "controller", "host": "stage"},
           {"name": "w1", "role": "worker", "host": "stage-w1",
            "power": {"off": ["sh", "-c", "echo off >>$t/power-calls"],
                      "on": ["sh", "-c", "echo on >>$t/power-calls"],
                      "status": ["$t/no-such-power-tool", "{node}"]}},
           {"name": "w2", "role": "worker", "host": "stage-w2",
            "power": {"off": ["sh", "-c", "echo off >>$t/power-calls"],
                      "on": ["sh", "-c", "echo on >>$t/power-calls"],
                      "status": ["sh", "-c", "exec $t/no-such-power-tool"]}}]}
EOF
	expect "cleanup FILE, a node's power status cannot run" 0 in_ns "$gameday" cleanup "$t/power.json"
	[ ! -e "$t/power-calls" ] && ok "  no node powered on (nor off) on its account" ||
		bad "  power commands ran: $(cat "$t/power-calls")"
	contains "  it says it cannot tell w1's power state, and why" \
		"cannot tell power state of w1: cannot run $t/no-such-power-tool"
	contains "  nor w2's, whose shell did not find its tool (127)" \
		"cannot tell power state of w2: .*exited 127"
	contains "  and cleans the hosts anyway" "nothing to clean up"
	no_leftovers "no ssh left after cleanup"
else
	echo "  skip cleanup FILE ($gameday missing)"
fi

# Informational: the master's worth, not asserted.
try stage bench 100
cat "$t/stdout"
start=$(date +%s.%N)
for _ in $(seq 100); do
	in_ns ssh -F "$cfg" -o BatchMode=yes stage true </dev/null || break
done
end=$(date +%s.%N)
echo "100 separate ssh connections in $(echo "$end - $start" | bc 2>/dev/null || awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }') s"
no_leftovers "no ssh left after the bench"
expect "a user not root opens through sudo" 0 in_ns "$try" "$cfg" "$ctl" stage-user open
contains "a user not root is said to go by sudo" "open: via sudo"
set -- "a b" "it's" '$HOME' "line1${nl}line2" ""
printf '%s\0' "$@" >"$t/want-argv"
try stage-user run printf '%s\0' "$@"
if cmp -s "$t/want-argv" "$t/stdout" && grep -q "^-n -- printf" "$t/sudolog/args"; then
	ok "through sudo -n --, argv still byte-exact"
else
	cat "$t/stderr" "$t/sudolog/args" >"$out"; bad "through sudo -n --, argv still byte-exact"
fi
touch "$t/sudolog/wants-password"
expect "a sudo that wants a password fails to open" 1 in_ns timeout 30 "$try" "$cfg" "$ctl" stage-user open
contains "a sudo that wants a password says so" 'is not root and "sudo -n" refuses it.*a password is required'
sed 's/^/       said: /' "$out"
no_leftovers "no ssh left after the sudo checks"
echo "  skip a user not root becoming root (sudo is not installed here; the stand-in cannot make root)"
finish ssh
