#!/bin/sh
# The architecture's rules, checked on the source (ARCHITECTURE.md says
# why each holds):
#  - no include cycle between the folders under harness/;
#  - remote/ includes base/ alone;
#  - no function in harness/ or agent/ longer than 120 lines;
#  - agent/ includes nothing of harness/ but base/: gd-agent is one
#    static program linking libc alone, its base/ files compiled in;
#  - Slurm's functions and header used only under harness/jobsys/;
#  - each fault kind named (gd_kind_NAME or "NAME") in at most three
#    files under harness/ outside net/: its own, the table, kind.h.
# Prints "arch: P passed, F failed" and appends "P F" to $GD_COUNTS.
cd "$(dirname "$0")/../.." || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "  ok   $1"; }
bad() { fail=$((fail + 1)); echo "  FAIL $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/       /'; }

# Folder edges: "from to" for each quoted include of another folder.
edges=$(cd harness && for f in */*.[ch]; do
	d=${f%%/*}
	sed -n 's,^#include "\([a-z_]*\)/.*,\1,p' "$f" | sort -u |
		while read -r t; do [ "$t" != "$d" ] && echo "$d $t"; done
done | sort -u)
cycle=$(printf '%s\n' "$edges" | tsort 2>&1 >/dev/null)
if [ -z "$cycle" ]; then
	ok "no include cycle between harness/'s folders"
else
	bad "include cycle between harness/'s folders" "$cycle"
fi

# remote/ (the SSH transport) stands on base/ alone, so that a node
# backend over SSH can use it without the transport learning of nodes.
remote=$(printf '%s\n' "$edges" | awk '$1 == "remote" && $2 != "base"')
if [ -z "$remote" ]; then
	ok "harness/remote/ includes base/ alone"
else
	bad "harness/remote/ includes more than base/" "$remote"
fi

# A function starts at a line opening at column 0 with a name and "(",
# its body at a "{" alone at column 0, and ends at a "}" at column 0.
long=$(awk '
	FNR == 1 { start = 0; cand = "" }
	/^[A-Za-z_].*\(/ { cand = $0; candline = FNR }
	/^\{/ { if (cand != "") { start = candline; name = cand } }
	/^\}/ { if (start) { n = FNR - start + 1
		if (n > 120) printf "%s:%d %d lines: %s\n", FILENAME, start, n, name
		start = 0; cand = "" } }' harness/*/*.c agent/*.c)
if [ -z "$long" ]; then
	ok "no function in harness/ or agent/ longer than 120 lines"
else
	bad "functions in harness/ or agent/ longer than 120 lines" "$long"
fi

agent=$(grep -n '^#include "' agent/*.[ch] | grep -v '"agent/\|"base/')
if [ -z "$agent" ]; then
	ok "agent/ includes only agent/ and base/"
else
	bad "agent/ includes more than agent/ and base/" "$agent"
fi

slurm=$(grep -rnE 'gd_slurm_[a-z_]+|"jobsys/slurm\.h"' harness --include='*.[ch]' |
	grep -v '^harness/jobsys/')
if [ -z "$slurm" ]; then
	ok "Slurm's functions and header used only under harness/jobsys/"
else
	bad "Slurm's functions or header used outside harness/jobsys/" "$slurm"
fi

# Names that are a kind's but mean something else where they stand.
exempt() {
	case "$1 $2" in
	"pause harness/cli/cmd_cluster.c") return 0 ;; # gameday cluster pause NODE
	esac
	return 1
}
kinds=$(grep -o '&gd_kind_[a-z]*' harness/kinds/table.c | sed 's/&gd_kind_//' | sort -u)
[ -n "$kinds" ] || bad "no kinds found in harness/kinds/table.c"
for k in $kinds; do
	files=$(grep -rlE "gd_kind_$k\\b|\"$k\"" harness --include='*.[ch]' |
		grep -v '^harness/net/' | sort | while read -r f; do
			exempt "$k" "$f" || echo "$f"
		done)
	n=$(printf '%s\n' "$files" | grep -c .)
	if [ "$n" -le 3 ]; then
		ok "kind $k named in $n files"
	else
		bad "kind $k named in $n files (at most 3)" "$files"
	fi
done

echo "arch: $pass passed, $fail failed"
[ -n "$GD_COUNTS" ] && echo "$pass $fail" >>"$GD_COUNTS"
[ "$fail" -eq 0 ]
