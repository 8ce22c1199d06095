/* The SSH backend's preflight: the probe, its reading, and the checks'
 * table (ssh_preflight.h). */
#include "cluster/ssh_preflight.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Paths are the ones Debian's packages use; a missing tool is a fact,
 * not an error (the script never stops early: "end" says it ran whole). */
const char GD_PROBE_SCRIPT[] =
	"export LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
	"/usr/bin:/sbin:/bin\n"
	"u=$(id -u); echo \"uid $u\"\n"
	"if [ \"$u\" != 0 ]; then\n"
	"  if sudo -n true 2>/dev/null; then echo 'sudo yes'; "
	"else echo 'sudo no'; fi\n"
	"fi\n"
	"for t in systemctl tc sinfo; do\n"
	"  command -v $t >/dev/null 2>&1 && echo \"tool $t\"\n"
	"done\n"
	/* A firewall that can make gameday's table, not a program alone: a
	 * kernel without nftables' inet family (Debian's User-mode Linux)
	 * has nft and cannot use it.  -c checks with the kernel and makes
	 * nothing; listing iptables' filter table changes no rule. */
	"s=; [ \"$u\" != 0 ] && s='sudo -n'\n"
	"$s nft -c add table inet gameday_probe >/dev/null 2>&1 && "
	"echo 'tool nft'\n"
	/* an iptables over nf_tables lists an empty table it could not
	 * make: its kernel is asked the same way, for the ip family */
	"for t in iptables iptables-legacy; do\n"
	"  $s $t -n -L INPUT >/dev/null 2>&1 || continue\n"
	"  case $($s $t -V 2>/dev/null) in *nf_tables*)\n"
	"    ! command -v nft >/dev/null 2>&1 ||\n"
	"    $s nft -c add table ip gameday_probe >/dev/null 2>&1 || continue;;\n"
	"  esac\n"
	"  echo \"tool iptables $t\"; break\n"
	"done\n"
	"for f in /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 "
	"/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1 "
	"/usr/lib/faketime/libfaketime.so.1 "
	"/usr/local/lib/faketime/libfaketime.so.1; do\n"
	"  [ -f \"$f\" ] && { echo \"faketime $f\"; break; }\n"
	"done\n"
	"[ -f /sys/fs/cgroup/cgroup.controllers ] && echo 'cgroup2 yes'\n"
	"echo \"boot $(cat /proc/sys/kernel/random/boot_id)\"\n"
	"echo \"from ${SSH_CONNECTION%% *}\"\n"
	"for r in /var/lib/gameday/*/journal; do\n"
	"  [ -f \"$r\" ] && echo \"run $(basename \"${r%/journal}\")\"\n"
	"done\n"
	"for u in \"$@\"; do\n"
	"  echo \"unit $u $(systemctl show -p LoadState --value \"$u\" "
	"2>/dev/null || echo unknown)\"\n"
	"done\n"
	"command -v sinfo >/dev/null 2>&1 && echo \"nodes $(sinfo -h -N -o %N "
	"2>/dev/null | sort -u | tr '\\n' ' ')\"\n"
	"echo \"clock $(date +%s.%N)\"\n"
	"echo end\n";

static void copy(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* One "key value" line into f. */
static void take(gd_host_facts *f, const char *key, size_t klen,
		 const char *val, size_t vlen)
{
#define IS(k) (klen == strlen(k) && memcmp(key, k, klen) == 0)
	if (IS("uid"))
		f->uid = strtol(val, NULL, 10);
	else if (IS("sudo"))
		f->sudo = vlen == 3 && memcmp(val, "yes", 3) == 0;
	else if (IS("tool")) {
		f->systemctl |= vlen == 9 && !memcmp(val, "systemctl", 9);
		f->nft |= vlen == 3 && !memcmp(val, "nft", 3);
		f->iptables |= vlen > 9 && !memcmp(val, "iptables ", 9);
		f->tc |= vlen == 2 && !memcmp(val, "tc", 2);
		f->has_sinfo |= vlen == 5 && !memcmp(val, "sinfo", 5);
	} else if (IS("faketime"))
		copy(f->faketime, sizeof(f->faketime), val, vlen);
	else if (IS("cgroup2"))
		f->cgroup2 = true;
	else if (IS("boot"))
		copy(f->boot_id, sizeof(f->boot_id), val, vlen);
	else if (IS("from"))
		copy(f->ssh_from, sizeof(f->ssh_from), val, vlen);
	else if (IS("run") && f->nruns < GD_PROBE_MAX_RUNS)
		copy(f->runs[f->nruns++], sizeof(f->runs[0]), val, vlen);
	else if (IS("unit") && f->nunits < GD_PROBE_MAX_UNITS) {
		const char *sp = memchr(val, ' ', vlen);
		size_t nl = sp ? (size_t)(sp - val) : vlen;
		copy(f->units[f->nunits], sizeof(f->units[0]), val, nl);
		copy(f->unit_state[f->nunits++], sizeof(f->unit_state[0]),
		     sp ? sp + 1 : "", sp ? vlen - nl - 1 : 0);
	} else if (IS("nodes")) {
		copy(f->sinfo_nodes, sizeof(f->sinfo_nodes), val, vlen);
		/* a cut list must not end in half a name that matches */
		f->sinfo_cut = vlen >= sizeof(f->sinfo_nodes);
		char *sp = f->sinfo_cut ? strrchr(f->sinfo_nodes, ' ') : NULL;
		if (sp)
			*sp = '\0';
	} else if (IS("clock"))
		f->host_time = strtod(val, NULL);
	else if (IS("end"))
		f->complete = true;
#undef IS
}

void gd_probe_parse(const char *text, double t0, double t1, gd_host_facts *out)
{
	memset(out, 0, sizeof(*out));
	out->answered = true;
	out->uid = -1;
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *sp = memchr(p, ' ', len);
		size_t klen = sp ? (size_t)(sp - p) : len;
		const char *val = sp ? sp + 1 : p + len;
		size_t vlen = len - (size_t)(val - p);
		while (vlen && val[vlen - 1] == ' ')
			vlen--;
		take(out, p, klen, val, vlen);
		p = nl ? nl + 1 : NULL;
	}
	/* The host read its clock at the end of the probe, which took
	 * most of the round trip; the midpoint's error is bounded by half
	 * of it either way. */
	out->clock_offset = out->host_time - (t0 + t1) / 2;
	out->clock_uncertainty = (t1 - t0) / 2;
}

void gd_probe_unreachable(const char *why, gd_host_facts *out)
{
	memset(out, 0, sizeof(*out));
	out->uid = -1;
	copy(out->why, sizeof(out->why), why, strlen(why));
}

void gd_probe_refused(const char *why, gd_host_facts *out)
{
	gd_probe_unreachable(why, out);
	out->answered = out->complete = true;
	out->uid = 1;
}

/* ---- the checks: one row each ---- */

typedef struct check_ctx {
	const gd_cluster *c;
	size_t node;
	const gd_host_facts *f;
	const gd_host_facts *controller; /* NULL: none answered */
	unsigned needs;
} check_ctx;

typedef struct check {
	const char *name;
	/* Needed only when the plan needs one of these; 0: always. */
	unsigned needs;
	/* false with cell->why filled: the check fails. */
	bool (*judge)(const check_ctx *x, gd_preflight_cell *cell);
} check;

/* A failure's reason; a long one cut, as the table's cell holds it. */
static void why(gd_preflight_cell *cell, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void why(gd_preflight_cell *cell, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cell->why, sizeof(cell->why), fmt, ap);
	va_end(ap);
}

static const char *host_of(const check_ctx *x)
{
	const gd_node *n = &x->c->nodes[x->node];
	return n->host ? n->host : n->name;
}

static bool judge_reachable(const check_ctx *x, gd_preflight_cell *cell)
{
	if (!x->f->answered) /* the transport's words name the host */
		why(cell, "%s: %s", x->c->nodes[x->node].name, x->f->why);
	else if (!x->f->complete)
		why(cell, "%s: the probe over SSH to %s was cut off",
		    x->c->nodes[x->node].name, host_of(x));
	else
		return true;
	return false;
}

static bool judge_root(const check_ctx *x, gd_preflight_cell *cell)
{
	if (x->f->uid == 0 || x->f->sudo)
		return true;
	if (x->f->why[0]) {
		why(cell, "%s: %s", x->c->nodes[x->node].name, x->f->why);
		return false;
	}
	why(cell,
	    "%s: %s logs in as uid %ld and sudo asks for a password: gameday "
	    "needs root there (log in as root, or let the user run sudo "
	    "without a password)",
	    x->c->nodes[x->node].name, host_of(x), x->f->uid);
	return false;
}

static bool judge_systemd(const check_ctx *x, gd_preflight_cell *cell)
{
	if (x->f->systemctl)
		return true;
	why(cell,
	    "%s: no systemctl on %s: gameday drives the job system's units "
	    "and its own agent through systemd",
	    x->c->nodes[x->node].name, host_of(x));
	return false;
}

static bool judge_units(const check_ctx *x, gd_preflight_cell *cell)
{
	for (size_t i = 0; i < x->f->nunits; i++)
		if (strcmp(x->f->unit_state[i], "loaded") != 0) {
			why(cell,
			    "%s: unit %s is %s on %s (the role's \"units\" "
			    "name the job system's units there)",
			    x->c->nodes[x->node].name, x->f->units[i],
			    x->f->unit_state[i][0] ? x->f->unit_state[i]
						   : "unknown",
			    host_of(x));
			return false;
		}
	return true;
}

static bool judge_cgroup(const check_ctx *x, gd_preflight_cell *cell)
{
	if (x->f->cgroup2)
		return true;
	why(cell,
	    "%s: %s has no cgroup v2 (unified) hierarchy: a pause freezes "
	    "the job system's cgroups through cgroup.freeze",
	    x->c->nodes[x->node].name, host_of(x));
	return false;
}

static bool judge_firewall(const check_ctx *x, gd_preflight_cell *cell)
{
	/* the backend's cut is an iptables chain today: nft alone (its
	 * inet tables) is not yet enough */
	if (x->f->iptables)
		return true;
	why(cell,
	    "%s: no iptables works on %s (iptables, or iptables-legacy where "
	    "the kernel has no nf_tables for it): a partition needs one%s",
	    x->c->nodes[x->node].name, host_of(x),
	    x->f->nft ? " (nft alone is not enough yet)" : "");
	return false;
}

static bool judge_tc(const check_ctx *x, gd_preflight_cell *cell)
{
	if (x->f->tc)
		return true;
	why(cell, "%s: no tc on %s (iproute2): netem needs it",
	    x->c->nodes[x->node].name, host_of(x));
	return false;
}

static bool judge_faketime(const check_ctx *x, gd_preflight_cell *cell)
{
	if (x->f->faketime[0])
		return true;
	why(cell,
	    "%s: no libfaketime on %s (Debian's package libfaketime): a "
	    "clock step restarts the job system's daemons under it",
	    x->c->nodes[x->node].name, host_of(x));
	return false;
}

static bool judge_clock(const check_ctx *x, gd_preflight_cell *cell)
{
	double off = x->f->clock_offset;
	if (fabs(off) <= GD_PREFLIGHT_CLOCK_TOLERANCE + x->f->clock_uncertainty)
		return true;
	why(cell,
	    "%s: the clock of %s is %.3f s %s this machine's (tolerance "
	    "%.1f s): set its time sync right before a rehearsal",
	    x->c->nodes[x->node].name, host_of(x), fabs(off),
	    off > 0 ? "ahead of" : "behind", GD_PREFLIGHT_CLOCK_TOLERANCE);
	return false;
}

static bool judge_leftovers(const check_ctx *x, gd_preflight_cell *cell)
{
	if (!x->f->nruns)
		return true;
	why(cell,
	    "%s: run %s left gameday's agent on %s (its changes may still "
	    "be there): run 'gameday cleanup' with this inventory first",
	    x->c->nodes[x->node].name, x->f->runs[0], host_of(x));
	return false;
}

/* A word of a space-separated list. */
static bool listed(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
	return false;
}

static bool judge_jobsys(const check_ctx *x, gd_preflight_cell *cell)
{
	const char *ctl = gd_system_controller_role(x->c->system);
	const gd_node *n = &x->c->nodes[x->node];
	if (!ctl || !strcmp(x->c->roles[n->role].name, ctl))
		return true; /* the controller runs no jobs of its own */
	if (!x->controller || !x->controller->has_sinfo) {
		why(cell,
		    "%s: no controller answered with the job system's node "
		    "list (sinfo), so gameday cannot tell it knows %s",
		    n->name, n->name);
		return false;
	}
	if (listed(x->controller->sinfo_nodes, n->name))
		return true;
	if (x->controller->sinfo_cut) {
		why(cell,
		    "%s: the job system lists more nodes than gameday reads "
		    "(%zu bytes), and %s is not among those read",
		    n->name, sizeof(x->controller->sinfo_nodes), n->name);
		return false;
	}
	why(cell,
	    "%s: the job system does not know a node named %s (sinfo lists: "
	    "%s): the inventory's names must be its node names",
	    n->name, n->name,
	    x->controller->sinfo_nodes[0] ? x->controller->sinfo_nodes
					  : "none");
	return false;
}

/* In the table's order; a failed earlier row of a node skips the rest. */
static const check checks[] = {
	{"reachable", 0, judge_reachable},
	{"root", 0, judge_root},
	{"systemd", 0, judge_systemd},
	{"units", 0, judge_units},
	{"clock", 0, judge_clock},
	{"no leftovers", 0, judge_leftovers},
	{"job system", 0, judge_jobsys},
	{"cgroup v2", GD_HOST_NEEDS_CGROUP2, judge_cgroup},
	{"firewall", GD_HOST_NEEDS_FIREWALL, judge_firewall},
	{"tc", GD_HOST_NEEDS_TC, judge_tc},
	{"libfaketime", GD_HOST_NEEDS_FAKETIME, judge_faketime},
};
#define NCHECKS (sizeof(checks) / sizeof(checks[0]))
/* The first checks: without them the others' facts mean nothing. */
#define NGATES 2

static const gd_host_facts *controller_facts(const gd_cluster *c,
					     const gd_host_facts *facts)
{
	const char *ctl = gd_system_controller_role(c->system);
	for (size_t i = 0; ctl && i < c->nnodes; i++)
		if (!strcmp(c->roles[c->nodes[i].role].name, ctl) &&
		    facts[i].complete)
			return &facts[i];
	return NULL;
}

void gd_preflight_judge(const gd_cluster *c, const gd_host_facts *facts,
			unsigned needs, gd_preflight *out)
{
	static const char *names[NCHECKS];
	for (size_t k = 0; k < NCHECKS; k++)
		names[k] = checks[k].name;
	*out = (gd_preflight){
		.nchecks = NCHECKS, .nnodes = c->nnodes, .check_names = names};
	out->cells = calloc(NCHECKS * (c->nnodes ? c->nnodes : 1),
			    sizeof(*out->cells));
	if (!out->cells)
		abort();
	check_ctx x = {.c = c,
		       .controller = controller_facts(c, facts),
		       .needs = needs};
	for (size_t i = 0; i < c->nnodes; i++) {
		x.node = i;
		x.f = &facts[i];
		bool gated = false;
		for (size_t k = 0; k < NCHECKS; k++) {
			gd_preflight_cell *cell =
				&out->cells[k * c->nnodes + i];
			bool wanted =
				!checks[k].needs || (checks[k].needs & needs);
			if (gated || !wanted) {
				cell->mark = GD_PF_SKIP;
				continue;
			}
			cell->mark = checks[k].judge(&x, cell) ? GD_PF_OK
							       : GD_PF_FAIL;
			if (cell->mark == GD_PF_FAIL) {
				out->failed++;
				gated = k < NGATES;
			}
		}
	}
}

void gd_preflight_release(gd_preflight *pf)
{
	free(pf->cells);
	pf->cells = NULL;
}

void gd_preflight_print(const gd_cluster *c, const gd_preflight *pf, FILE *out)
{
	fprintf(out, "preflight      ");
	for (size_t i = 0; i < pf->nnodes; i++)
		fprintf(out, " %-8s", c->nodes[i].name);
	fputc('\n', out);
	static const char *const words[] = {"ok", "FAIL", "-"};
	for (size_t k = 0; k < pf->nchecks; k++) {
		fprintf(out, "  %-13s", pf->check_names[k]);
		for (size_t i = 0; i < pf->nnodes; i++)
			fprintf(out, " %-8s",
				words[pf->cells[k * pf->nnodes + i].mark]);
		fputc('\n', out);
	}
	for (size_t k = 0; k < pf->nchecks * pf->nnodes; k++)
		if (pf->cells[k].mark == GD_PF_FAIL)
			fprintf(out, "  FAIL %s\n", pf->cells[k].why);
}
