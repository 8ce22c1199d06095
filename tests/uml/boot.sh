#!/bin/sh
# Runs an integration test inside a User-mode Linux kernel (Debian's
# user-mode-linux), for what this machine's kernel lacks: its modules
# include sch_netem.  The UML kernel boots on the host's own files,
# read-only (hostfs: the test's programs, Slurm, munge), and writes only
# DIR; it has its own /run, /dev, cgroups (the unified hierarchy
# alone) and a tmpfs for the test's state, so what gameday builds in it
# (namespaces, links, mounts, cgroups) lives and dies in that kernel.
#   tests/uml/boot.sh DIR TEST BUILD_DIR
# DIR: an empty directory of the caller's; the test's output is left in
# DIR/out, its counts ("PASSED FAILED") in DIR/counts.  Exits with the
# test's status, 77 without user-mode-linux or when its kernel cannot boot
# here, 70 when the kernel booted but did not run the test to its end.
set -u
uml=/usr/bin/linux.uml
mods=/usr/lib/uml/modules
if [ ! -x "$uml" ] || [ ! -d "$mods" ]; then
	echo "uml: skipped: user-mode-linux is not installed (make deps)"
	exit 77
fi
dir=$(cd "$1" && pwd)
test=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
build=$(cd "$3" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
# modprobe -d wants ROOT/lib/modules/VERSION.
mkdir -p "$dir/root/lib" "$dir/tmp" && ln -sfn "$mods" "$dir/root/lib/modules"
# Arguments the kernel does not know reach init as its environment.  The
# kernel's own messages stay in uml.log, its control socket in DIR (not
# in the user's ~/.uml).  The kernel runs in the
# background so that a signal to this script stops it too, not only the
# script (timeout alone would keep it in a process group of its own).
timeout -k 30 600 "$uml" mem=1536M rootfstype=hostfs rootflags=/ ro quiet \
	uml_dir="$dir/" \
	init="$here/init.sh" GD_UML_DIR="$dir" GD_UML_TEST="$test" \
	GD_UML_BUILD="$build" con=null con0=fd:0,fd:1 \
	</dev/null >"$dir/uml.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid; exit 70' INT TERM HUP
wait $pid
rc=$?
trap - INT TERM HUP
if [ ! -f "$dir/booted" ]; then
	# A machine that cannot run UML at all (no ptrace, a small or noexec
	# /dev/shm): not gameday's to fail.
	echo "uml: skipped: the User-mode Linux kernel did not boot here (exit $rc):"
	tail -5 "$dir/uml.log"
	exit 77
fi
if [ ! -f "$dir/rc" ]; then
	echo "uml: the kernel stopped before the test ended (exit $rc):"
	tail -5 "$dir/out" 2>/dev/null
	tail -20 "$dir/uml.log"
	exit 70
fi
exit "$(cat "$dir/rc")"
