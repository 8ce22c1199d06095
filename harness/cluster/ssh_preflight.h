/* What gameday asks of a staging host before a run on the SSH backend,
 * and the table it makes of the answers.
 *
 * One probe per host, one round trip: GD_PROBE_SCRIPT, run by the host's
 * own shell as the login user (not through sudo: sudo strips
 * SSH_CONNECTION, the address the host's sshd sees gameday at, which the
 * partition's rule must keep open), prints one "key value" line per fact
 * and "end" last.  gd_probe_parse reads that text into gd_host_facts;
 * gd_preflight_judge holds the facts of every host against what the
 * plan needs, one row per check (checks[] in ssh_preflight.c: adding a
 * check is a row there), and gd_preflight_print draws the table.  All of
 * it is pure: the unit tests give it the texts a host would print. */
#ifndef GD_CLUSTER_SSH_PREFLIGHT_H
#define GD_CLUSTER_SSH_PREFLIGHT_H

#include "base/strbuf.h"
#include "kinds/kind.h"
#include "scenario/scenario.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The probe: a POSIX sh script; its arguments are the units to look up. */
extern const char GD_PROBE_SCRIPT[];

/* How far a host's clock may be from this machine's (seconds). */
#define GD_PREFLIGHT_CLOCK_TOLERANCE 0.5

#define GD_PROBE_MAX_UNITS 16
#define GD_PROBE_MAX_RUNS  8

typedef struct gd_host_facts {
	/* The connection: false when it failed (why: ssh's words). */
	bool answered;
	char why[256];
	/* A probe that ended ("end" read): false with answered means it
	 * was cut off. */
	bool complete;
	long uid;  /* as the login user */
	bool sudo; /* sudo -n works (asked only when uid != 0) */
	bool systemctl, nft, iptables, tc, cgroup2;
	char faketime[128]; /* the library's path, "" when none */
	char boot_id[40];
	char ssh_from[64]; /* the address gameday reaches it from */
	/* Its clock against ours: the host's time minus the midpoint of the
	 * probe's round trip, and half that round trip (the uncertainty). */
	double clock_offset, clock_uncertainty;
	double host_time; /* as read, before the offset is worked out */
	/* Units asked about, and their LoadState ("loaded", "not-found"). */
	char units[GD_PROBE_MAX_UNITS][64];
	char unit_state[GD_PROBE_MAX_UNITS][32];
	size_t nunits;
	/* Earlier runs whose agent is still on it (gd-agent's journals,
	 * /var/lib/gameday/RUN/journal). */
	char runs[GD_PROBE_MAX_RUNS][48];
	size_t nruns;
	/* The job system's nodes as this host's client lists them, space
	 * separated ("" when it has no client); has_sinfo: it has one. */
	bool has_sinfo;
	char sinfo_nodes[16384];
	bool sinfo_cut; /* the list was longer: a name past it is not known */
} gd_host_facts;

/* Reads a probe's output.  t0, t1: this machine's time (seconds since the
 * epoch) before the probe was sent and after its answer came. */
void gd_probe_parse(const char *text, double t0, double t1, gd_host_facts *out);

/* A failed connection's facts: answered false, why its words. */
void gd_probe_unreachable(const char *why, gd_host_facts *out);
/* A host that let gameday in but not as root (sudo asked for a
 * password): why says so; its root check fails. */
void gd_probe_refused(const char *why, gd_host_facts *out);

enum gd_preflight_mark { GD_PF_OK, GD_PF_FAIL, GD_PF_SKIP };

typedef struct gd_preflight_cell {
	enum gd_preflight_mark mark;
	char why[256]; /* a failure's reason, a full sentence */
} gd_preflight_cell;

/* The table: checks down, the cluster's nodes across. */
typedef struct gd_preflight {
	size_t nchecks, nnodes;
	const char **check_names;
	gd_preflight_cell *cells; /* [check * nnodes + node] */
	size_t failed;
} gd_preflight;

/* Judges facts[i] (of c->nodes[i]) against what the plan needs (an OR of
 * GD_HOST_NEEDS_*); its controller's facts name the job system's nodes.
 * out is released with gd_preflight_release. */
void gd_preflight_judge(const gd_cluster *c, const gd_host_facts *facts,
			unsigned needs, gd_preflight *out);
void gd_preflight_release(gd_preflight *pf);

/* The table, then each failure's reason on a line of its own. */
void gd_preflight_print(const gd_cluster *c, const gd_preflight *pf, FILE *out);

#endif
