/* The team's slurm.conf lines (a cluster's "slurm_conf"): read as Slurm
 * reads them, checked against what gameday must own, and merged into the
 * slurm.conf gameday writes, their times compressed with the scenario's. */
#include "jobsys/slurm_conf.h"

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/suggest.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum key_class {
	OWNED,	   /* gameday's: refused, with why */
	PLAIN,	   /* replaces gameday's value, or is added, as written */
	SECONDS,   /* a time in whole seconds, compressed */
	SCHED,	   /* SchedulerParameters: its intervals compressed */
	PARTITION, /* a partition of the team's */
};

struct key {
	const char *name;
	enum key_class cls;
	const char *why; /* OWNED: the reason */
	int floor;	 /* SECONDS: never below, whatever the scale */
	bool zero_off;	 /* SECONDS: 0 turns it off, kept at every scale */
};

#define OWN(n, w)                                                              \
	{                                                                      \
		n, OWNED, w, 0, false                                          \
	}
#define SEC(n, f, z)                                                           \
	{                                                                      \
		n, SECONDS, NULL, f, z                                         \
	}
#define KEEP(n)                                                                \
	{                                                                      \
		n, PLAIN, NULL, 0, false                                       \
	}
#define W_HOST "gameday runs slurmctld on the cluster's controller node"
#define W_NODES                                                                \
	"gameday writes one NodeName line per staging node, from the cluster's nodes and roles"
#define W_PORT "gameday's nodes use Slurm's default ports"
#define W_PATH "it is a path in the nodes, which gameday lays out"
#define W_AUTH                                                                 \
	"munge is gameday's, its credential lifetime following the scenario's clocks"
#define W_PLUG                                                                 \
	"the nodes are namespaces: gameday picks the plugins that work in them"
#define W_COMP "gameday reads finished jobs from its own completion log"

/* Every key a team's file may hold, with what gameday does with it;
 * slurm.conf(5) of Slurm 22.05 has more, which are refused as unknown
 * until a team needs one (docs/team-config.md). */
static const struct key keys[] = {
	OWN("SlurmctldHost", W_HOST),
	OWN("ControlMachine", W_HOST),
	OWN("ControlAddr", W_HOST),
	OWN("BackupController", W_HOST),
	OWN("BackupAddr", W_HOST),
	OWN("NodeName", W_NODES),
	OWN("NodeAddr", W_NODES),
	OWN("NodeHostname", W_NODES),
	OWN("DownNodes", W_NODES),
	OWN("NodeSet", W_NODES),
	OWN("FrontendName", W_NODES),
	OWN("SlurmctldPort", W_PORT),
	OWN("SlurmdPort", W_PORT),
	OWN("SrunPortRange", W_PORT),
	OWN("StateSaveLocation", W_PATH),
	OWN("SlurmdSpoolDir", W_PATH),
	OWN("SlurmctldPidFile", W_PATH),
	OWN("SlurmdPidFile", W_PATH),
	OWN("SlurmctldLogFile", W_PATH),
	OWN("SlurmdLogFile", W_PATH),
	OWN("SlurmSchedLogFile", W_PATH),
	OWN("PluginDir", W_PATH),
	OWN("PlugStackConfig", W_PATH),
	OWN("Include", W_PATH),
	OWN("Prolog", W_PATH),
	OWN("Epilog", W_PATH),
	OWN("PrologSlurmctld", W_PATH),
	OWN("EpilogSlurmctld", W_PATH),
	OWN("TaskProlog", W_PATH),
	OWN("TaskEpilog", W_PATH),
	OWN("HealthCheckProgram", W_PATH),
	OWN("RebootProgram", W_PATH),
	OWN("MailProg", W_PATH),
	OWN("TmpFS", W_PATH),
	OWN("JobCompLoc", W_COMP),
	OWN("JobCompType", W_COMP),
	OWN("AuthType", W_AUTH),
	OWN("AuthInfo", W_AUTH),
	OWN("AuthAltTypes", W_AUTH),
	OWN("CredType", W_AUTH),
	OWN("ClusterName", "gameday names the staging cluster"),
	OWN("SlurmUser", "gameday runs the daemons as root in the nodes"),
	OWN("SlurmdUser", "gameday runs the daemons as root in the nodes"),
	OWN("ProctrackType", W_PLUG),
	OWN("TaskPlugin", W_PLUG),
	OWN("JobAcctGatherType", W_PLUG),
	OWN("AccountingStorageType",
	    "a staging cluster has no slurmdbd to store accounting in"),
	OWN("AccountingStorageHost",
	    "a staging cluster has no slurmdbd to store accounting in"),
	OWN("SlurmdParameters",
	    "gameday needs config_overrides: a node's CPUs are the scenario's, not the host's"),
	SEC("SlurmdTimeout", 5, true),
	SEC("SlurmctldTimeout", 5, false),
	SEC("MessageTimeout", 2, false),
	SEC("KillWait", 2, false),
	SEC("BatchStartTimeout", 2, false),
	SEC("MinJobAge", 10, false),
	SEC("ResumeTimeout", 5, false),
	SEC("InactiveLimit", 1, true),
	SEC("UnkillableStepTimeout", 2, false),
	SEC("TCPTimeout", 2, false),
	SEC("WaitTime", 1, true),
	{"SchedulerParameters", SCHED, NULL, 0, false},
	{"PartitionName", PARTITION, NULL, 0, false},
	KEEP("SchedulerType"),
	KEEP("SelectType"),
	KEEP("SelectTypeParameters"),
	KEEP("ReturnToService"),
	KEEP("JobRequeue"),
	KEEP("MpiDefault"),
	KEEP("PriorityType"),
	KEEP("PriorityWeightAge"),
	KEEP("PriorityWeightFairshare"),
	KEEP("PriorityWeightJobSize"),
	KEEP("PriorityWeightPartition"),
	KEEP("PriorityWeightQOS"),
	KEEP("PriorityFavorSmall"),
	KEEP("PreemptType"),
	KEEP("PreemptMode"),
	KEEP("DefMemPerCPU"),
	KEEP("DefMemPerNode"),
	KEEP("MaxMemPerCPU"),
	KEEP("MaxMemPerNode"),
	KEEP("MaxJobCount"),
	KEEP("MaxArraySize"),
	KEEP("MaxStepCount"),
	KEEP("MaxTasksPerNode"),
	KEEP("FirstJobId"),
	KEEP("EnforcePartLimits"),
	KEEP("PropagateResourceLimits"),
	KEEP("PropagateResourceLimitsExcept"),
	KEEP("TreeWidth"),
	KEEP("SlurmctldDebug"),
	KEEP("SlurmdDebug"),
	KEEP("DebugFlags"),
	KEEP("DisableRootJobs"),
	KEEP("KillOnBadExit"),
	KEEP("RequeueExit"),
	KEEP("RequeueExitHold"),
	KEEP("Licenses"),
	KEEP("SwitchType"),
	KEEP("MpiParams"),
};

/* A partition line's own keys (slurm.conf(5), PARTITION CONFIGURATION). */
static const char *const partition_keys[] = {
	"PartitionName",
	"AllocNodes",
	"AllowAccounts",
	"AllowGroups",
	"AllowQos",
	"Alternate",
	"CpuBind",
	"Default",
	"DefaultTime",
	"DefCpuPerGPU",
	"DefMemPerCPU",
	"DefMemPerGPU",
	"DefMemPerNode",
	"DenyAccounts",
	"DenyQos",
	"DisableRootJobs",
	"ExclusiveUser",
	"GraceTime",
	"Hidden",
	"LLN",
	"MaxCPUsPerNode",
	"MaxMemPerCPU",
	"MaxMemPerNode",
	"MaxNodes",
	"MaxTime",
	"MinNodes",
	"Nodes",
	"OverSubscribe",
	"PriorityJobFactor",
	"PriorityTier",
	"QOS",
	"ReqResv",
	"RootOnly",
	"SelectTypeParameters",
	"State",
	"TRESBillingWeights",
};

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < GD_ARRAY_SIZE(keys); i++)
		if (strcasecmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* ---- reading: Slurm's syntax ---- */

void gd_slurm_conf_free(gd_slurm_conf *conf)
{
	if (!conf)
		return;
	for (size_t i = 0; i < conf->nlines; i++) {
		for (size_t j = 0; j < conf->lines[i].n; j++) {
			free(conf->lines[i].p[j].key);
			free(conf->lines[i].p[j].value);
		}
		free(conf->lines[i].p);
	}
	free(conf->lines);
	free(conf);
}

struct cursor {
	const char *s;
	int line, col;
};

static void advance(struct cursor *c)
{
	if (*c->s == '\n') {
		c->line++;
		c->col = 1;
	} else {
		c->col++;
	}
	c->s++;
}

/* Skips blanks, comments ('#' to the end of its line) and continuations
 * (a '\' ending a line); stops at the end of a logical line. */
static void skip_space(struct cursor *c)
{
	for (;;) {
		if (*c->s == ' ' || *c->s == '\t' || *c->s == '\r')
			advance(c);
		else if (*c->s == '\\' && c->s[1] == '\n') {
			advance(c);
			advance(c);
		} else if (*c->s == '#')
			while (*c->s && *c->s != '\n')
				advance(c);
		else
			return;
	}
}

static bool push_param(gd_slurm_conf_line *l, gd_slurm_param p)
{
	if (l->n % 8 == 0) {
		gd_slurm_param *np = realloc(l->p, (l->n + 8) * sizeof(*np));
		if (!np)
			return false;
		l->p = np;
	}
	l->p[l->n++] = p;
	return true;
}

static bool push_line(gd_slurm_conf *conf, gd_slurm_conf_line l)
{
	if (conf->nlines % 16 == 0) {
		gd_slurm_conf_line *nl =
			realloc(conf->lines, (conf->nlines + 16) * sizeof(*nl));
		if (!nl)
			return false;
		conf->lines = nl;
	}
	conf->lines[conf->nlines++] = l;
	return true;
}

/* One KEY=VALUE at c; the value may be "quoted". */
static int read_param(struct cursor *c, gd_slurm_param *p, gd_diags *d,
		      const char *file)
{
	p->line = c->line;
	p->col = c->col;
	const char *k = c->s;
	while (*c->s && !strchr("= \t\r\n#", *c->s))
		advance(c);
	size_t klen = (size_t)(c->s - k);
	if (*c->s != '=' || klen == 0) {
		gd_diag_at(d, file, p->line, p->col,
			   "expected KEY=VALUE, got \"%.*s\"", (int)klen, k);
		while (*c->s && !strchr(" \t\r\n#", *c->s))
			advance(c);
		return 0;
	}
	advance(c);
	const char *v = c->s;
	if (*c->s == '"') {
		advance(c);
		v = c->s;
		while (*c->s && *c->s != '"' && *c->s != '\n')
			advance(c);
		if (*c->s != '"') {
			gd_diag_at(
				d, file, p->line, p->col,
				"the value of \"%.*s\" opens a quote it never closes",
				(int)klen, k);
			return 0;
		}
	} else {
		while (*c->s && !strchr(" \t\r\n#", *c->s) &&
		       !(*c->s == '\\' && c->s[1] == '\n'))
			advance(c);
	}
	size_t vlen = (size_t)(c->s - v);
	if (*c->s == '"')
		advance(c);
	p->key = strndup(k, klen);
	p->value = strndup(v, vlen);
	return p->key && p->value ? 1 : -1;
}

gd_slurm_conf *gd_slurm_conf_parse(const char *text, const char *file,
				   gd_diags *d)
{
	gd_slurm_conf *conf = calloc(1, sizeof(*conf));
	if (!conf)
		return NULL;
	struct cursor c = {text, 1, 1};
	while (*c.s) {
		gd_slurm_conf_line l = {0};
		skip_space(&c);
		while (*c.s && *c.s != '\n') {
			gd_slurm_param p = {0};
			int r = read_param(&c, &p, d, file);
			if (r < 0 || (r > 0 && !push_param(&l, p))) {
				free(p.key);
				free(p.value);
				goto oom;
			}
			skip_space(&c);
		}
		if (*c.s == '\n')
			advance(&c);
		if (l.n && !push_line(conf, l))
			goto oom;
		if (!l.n)
			free(l.p);
		continue;
	oom:
		for (size_t j = 0; j < l.n; j++) {
			free(l.p[j].key);
			free(l.p[j].value);
		}
		free(l.p);
		gd_slurm_conf_free(conf);
		return NULL;
	}
	return conf;
}

/* ---- times ---- */

/* Slurm's time syntax (MaxTime, DefaultTime): "MIN", "MIN:SEC",
 * "H:MIN:SEC", "D-H", "D-H:MIN", "D-H:MIN:SEC", or INFINITE/UNLIMITED
 * (-1 here); seconds, or -2 when it is none of these. */
long gd_slurm_time_parse(const char *s)
{
	if (!strcasecmp(s, "INFINITE") || !strcasecmp(s, "UNLIMITED"))
		return -1;
	long v[4] = {0};
	size_t n = 0;
	bool days = false;
	const char *p = s;
	while (n < 4) {
		if (!isdigit((unsigned char)*p))
			return -2;
		char *end;
		long x = strtol(p, &end, 10);
		if (x > 1000000)
			return -2;
		v[n++] = x;
		p = end;
		if (*p == '-' && n == 1 && !days) {
			days = true;
			p++;
		} else if (*p == ':') {
			p++;
		} else {
			break;
		}
	}
	if (*p)
		return -2;
	if (days) /* D-H[:M[:S]] */
		return ((v[0] * 24 + v[1]) * 60 + v[2]) * 60 + v[3];
	if (n == 1)
		return v[0] * 60;
	if (n == 2)
		return v[0] * 60 + v[1];
	if (n == 3)
		return (v[0] * 60 + v[1]) * 60 + v[2];
	return -2;
}

static bool whole(const char *s, long *out)
{
	if (!isdigit((unsigned char)*s))
		return false;
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v > 100000000)
		return false;
	*out = v;
	return true;
}

/* What a compressed setting is set to: production / scale rounded to
 * whole units, at least the floor (and 0 kept where it turns it off). */
static long compress(long production, long unit, long floor, bool zero_off,
		     double scale)
{
	if (production == 0 && zero_off)
		return 0;
	double v = (double)production / (scale >= 1 ? scale : 1) / (double)unit;
	long r = (long)(v + 0.5);
	return r < floor ? floor : r;
}

/* ---- checking ---- */

struct checker {
	const gd_cluster *c;
	gd_diags *d;
	const char *file;
	size_t defaults; /* partitions with Default=YES */
	const gd_slurm_param *first_partition;
	const gd_slurm_param *seen[GD_ARRAY_SIZE(keys)];
};

static void at(struct checker *k, const gd_slurm_param *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void at(struct checker *k, const gd_slurm_param *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gd_diag_at(k->d, k->file, p->line, p->col, "%s", msg);
}

static void unknown(struct checker *k, const gd_slurm_param *p,
		    const char *const *names, size_t n, const char *what)
{
	const char *hint = gd_suggest(p->key, names, n);
	at(k, p, "unknown %s \"%s\"%s%s%s", what, p->key,
	   hint ? "; did you mean \""
		: " (docs/team-config.md lists the keys gameday passes on)",
	   hint ? hint : "", hint ? "\"?" : "");
}

/* A node a partition names: one of the cluster's, running slurmd. */
static void check_node(struct checker *k, const gd_slurm_param *p,
		       const char *name)
{
	const gd_cluster *c = k->c;
	const char **names =
		calloc(c->nnodes + 1, sizeof(*names)); /* for the hint */
	size_t nn = 0;
	size_t ctl = gd_slurm_controller(c);
	for (size_t i = 0; i < c->nnodes; i++) {
		if (strcmp(c->nodes[i].name, name) == 0) {
			if (i == ctl)
				at(k, p,
				   "node \"%s\" is the controller, which runs no slurmd: a partition names workers",
				   name);
			free(names);
			return;
		}
		if (names && i != ctl)
			names[nn++] = c->nodes[i].name;
	}
	const char *hint = names ? gd_suggest(name, names, nn) : NULL;
	at(k, p, "no staging node \"%s\" in the cluster%s%s%s", name,
	   hint ? "; did you mean \"" : "", hint ? hint : "",
	   hint ? "\"?" : "");
	free(names);
}

static void check_nodes(struct checker *k, const gd_slurm_param *p)
{
	if (!strcasecmp(p->value, "ALL"))
		return;
	gd_strv v = {0};
	char *why = NULL;
	if (gd_slurm_hostlist_expand(p->value, &v, &why) < 0) {
		at(k, p, "cannot read the node list \"%s\": %s", p->value,
		   why ? why : "out of memory");
		free(why);
		return;
	}
	for (size_t i = 0; i < v.n; i++)
		check_node(k, p, v.v[i]);
	gd_slurm_names_free(&v);
}

static void check_partition(struct checker *k, const gd_slurm_conf_line *l)
{
	const gd_slurm_param *name = &l->p[0];
	bool defaults = !strcasecmp(name->value, "DEFAULT");
	if (!defaults && !k->first_partition)
		k->first_partition = name;
	for (size_t j = 1; j < l->n; j++) {
		const gd_slurm_param *p = &l->p[j];
		size_t i = 0;
		while (i < GD_ARRAY_SIZE(partition_keys) &&
		       strcasecmp(partition_keys[i], p->key))
			i++;
		if (i == GD_ARRAY_SIZE(partition_keys)) {
			unknown(k, p, partition_keys,
				GD_ARRAY_SIZE(partition_keys),
				"partition parameter");
		} else if (i == 0) {
			at(k, p, "a line names one partition");
		} else if (!strcasecmp(p->key, "Nodes")) {
			check_nodes(k, p);
		} else if (!strcasecmp(p->key, "Default")) {
			bool yes = !strcasecmp(p->value, "YES");
			if (!yes && strcasecmp(p->value, "NO"))
				at(k, p, "Default is YES or NO, not \"%s\"",
				   p->value);
			if (yes && !defaults && k->defaults++)
				at(k, p,
				   "a second partition with Default=YES: Slurm has one default partition");
		} else if ((!strcasecmp(p->key, "MaxTime") ||
			    !strcasecmp(p->key, "DefaultTime")) &&
			   gd_slurm_time_parse(p->value) < -1) {
			at(k, p,
			   "%s is a time (MINUTES, H:MM:SS, D-H:MM:SS or INFINITE), not \"%s\"",
			   p->key, p->value);
		}
	}
}

static void check_sched(struct checker *k, const gd_slurm_param *p)
{
	char *copy = strdup(p->value);
	char *save = NULL;
	for (char *o = copy ? strtok_r(copy, ",", &save) : NULL; o;
	     o = strtok_r(NULL, ",", &save)) {
		long v;
		bool interval = !strncasecmp(o, "sched_interval=", 15) ||
				!strncasecmp(o, "bf_interval=", 12);
		if (interval && !whole(strchr(o, '=') + 1, &v))
			at(k, p, "\"%s\": an interval is whole seconds", o);
	}
	free(copy);
}

static void check_value(struct checker *k, const struct key *key,
			const gd_slurm_param *p)
{
	long v;
	if (key->cls == SECONDS) {
		if (!whole(p->value, &v))
			at(k, p, "%s is whole seconds, not \"%s\"", key->name,
			   p->value);
		else if (v == 0 && !key->zero_off)
			at(k, p, "%s cannot be 0", key->name);
	} else if (key->cls == SCHED) {
		check_sched(k, p);
	} else if (!strcasecmp(key->name, "ReturnToService") &&
		   (!whole(p->value, &v) || v > 2)) {
		at(k, p, "ReturnToService is 0, 1 or 2, not \"%s\"", p->value);
	}
}

static void check_param(struct checker *k, const gd_slurm_conf_line *l,
			const gd_slurm_param *p)
{
	const struct key *key = find_key(p->key);
	for (size_t i = 1; !key && i < GD_ARRAY_SIZE(partition_keys); i++)
		if (!strcasecmp(partition_keys[i], p->key)) {
			at(k, p,
			   "\"%s\" is a partition's parameter, not a key of its own: put it on a PartitionName line (PartitionName=DEFAULT for every partition)",
			   partition_keys[i]);
			return;
		}
	if (!key) {
		const char *names[GD_ARRAY_SIZE(keys)];
		for (size_t i = 0; i < GD_ARRAY_SIZE(keys); i++)
			names[i] = keys[i].name;
		unknown(k, p, names, GD_ARRAY_SIZE(keys), "slurm.conf key");
		return;
	}
	if (key->cls == OWNED) {
		at(k, p, "\"%s\" is gameday's to set, not the team's: %s",
		   key->name, key->why);
		return;
	}
	if (key->cls == PARTITION) {
		check_partition(k, l);
		return;
	}
	size_t i = (size_t)(key - keys);
	if (k->seen[i]) {
		at(k, p, "\"%s\" is set twice (first at line %d)", key->name,
		   k->seen[i]->line);
		return;
	}
	k->seen[i] = p;
	check_value(k, key, p);
}

size_t gd_slurm_conf_check(const gd_cluster *c, gd_diags *d)
{
	if (!c->conf_text)
		return 0;
	size_t before = d->n;
	gd_slurm_conf *conf =
		gd_slurm_conf_parse(c->conf_text, c->conf_file, d);
	if (!conf) {
		gd_diag_at(d, c->conf_file, 1, 1, "out of memory reading it");
		return d->n - before;
	}
	struct checker k = {.c = c, .d = d, .file = c->conf_file};
	for (size_t i = 0; i < conf->nlines; i++) {
		const gd_slurm_conf_line *l = &conf->lines[i];
		const struct key *first = find_key(l->p[0].key);
		/* a partition's line is its parameters, not keys of their
		 * own; so is a NodeName line gameday refuses whole */
		size_t n = first && (first->cls == PARTITION ||
				     (first->cls == OWNED &&
				      !strcmp(first->why, W_NODES)))
				   ? 1
				   : l->n;
		for (size_t j = 0; j < n; j++)
			check_param(&k, l, &l->p[j]);
	}
	if (k.first_partition && k.defaults == 0)
		at(&k, k.first_partition,
		   "none of the team's partitions has Default=YES: gameday submits its jobs to the default partition");
	/* partitions named twice */
	for (size_t i = 0; i < conf->nlines; i++)
		for (size_t j = 0; j < i; j++) {
			const gd_slurm_param *a = &conf->lines[i].p[0],
					     *b = &conf->lines[j].p[0];
			if (!strcasecmp(a->key, "PartitionName") &&
			    !strcasecmp(b->key, "PartitionName") &&
			    !strcmp(a->value, b->value) &&
			    strcasecmp(a->value, "DEFAULT"))
				at(&k, a,
				   "partition \"%s\" is defined twice (first at line %d)",
				   a->value, b->line);
		}
	gd_slurm_conf_free(conf);
	return d->n - before;
}

/* ---- merging ---- */

const char *gd_slurm_conf_get(const gd_slurm_conf *conf, const char *key)
{
	const char *v = NULL;
	for (size_t i = 0; conf && i < conf->nlines; i++) {
		const gd_slurm_conf_line *l = &conf->lines[i];
		if (!strcasecmp(l->p[0].key, "PartitionName"))
			continue;
		for (size_t j = 0; j < l->n; j++)
			if (!strcasecmp(l->p[j].key, key))
				v = l->p[j].value;
	}
	return v;
}

int gd_slurm_conf_has_partition(const gd_cluster *c, const char *name)
{
	_cleanup_(gd_slurm_conf_freep) gd_slurm_conf *conf =
		gd_slurm_conf_of(c);
	int found = -1;
	for (size_t i = 0; conf && i < conf->nlines; i++) {
		const gd_slurm_conf_line *l = &conf->lines[i];
		if (strcasecmp(l->p[0].key, "PartitionName") ||
		    !strcasecmp(l->p[0].value, "DEFAULT"))
			continue;
		if (strcmp(l->p[0].value, name) == 0)
			return 1;
		found = 0;
	}
	return found;
}

gd_slurm_conf *gd_slurm_conf_of(const gd_cluster *c)
{
	if (!c->conf_text)
		return NULL;
	gd_diags ignored = {0};
	gd_slurm_conf *conf =
		gd_slurm_conf_parse(c->conf_text, c->conf_file, &ignored);
	gd_diags_clear(&ignored);
	return conf;
}

long gd_slurm_conf_seconds(const gd_slurm_conf *conf, const char *key,
			   long dflt)
{
	long v;
	const char *s = gd_slurm_conf_get(conf, key);
	return s && whole(s, &v) ? v : dflt;
}

long gd_slurm_conf_sched(const gd_slurm_conf *conf, const char *option,
			 long dflt)
{
	const char *s = gd_slurm_conf_get(conf, "SchedulerParameters");
	size_t n = strlen(option);
	for (const char *o = s; o && *o; o += strcspn(o, ","), o += *o == ',') {
		long v;
		char buf[32];
		size_t len = strcspn(o, ",");
		if (len <= n || strncasecmp(o, option, n) || o[n] != '=' ||
		    len - n - 1 >= sizeof(buf))
			continue;
		memcpy(buf, o + n + 1, len - n - 1);
		buf[len - n - 1] = '\0';
		if (whole(buf, &v))
			dflt = v;
	}
	return dflt;
}

long gd_slurm_conf_compress(const char *key, long production, double scale)
{
	const struct key *k = find_key(key);
	if (!k || k->cls != SECONDS)
		return compress(production, 1, 1, false, scale);
	return compress(production, 1, k->floor, k->zero_off, scale);
}

size_t gd_slurm_conf_settings(const gd_slurm_conf *conf, double scale,
			      gd_timing *out, size_t max)
{
	static const char *const met[] = {"SlurmdTimeout", "MessageTimeout",
					  "BatchStartTimeout"};
	size_t n = 0;
	for (size_t i = 0; i < GD_ARRAY_SIZE(keys) && n < max; i++) {
		const struct key *k = &keys[i];
		long v = gd_slurm_conf_seconds(conf, k->name, -1);
		bool is_met = false;
		for (size_t j = 0; j < GD_ARRAY_SIZE(met); j++)
			is_met |= !strcmp(met[j], k->name);
		if (k->cls != SECONDS || v < 0 || is_met)
			continue;
		out[n++] = (gd_timing){
			.name = k->name,
			.effect =
				"the team's setting, which Slurm takes in whole seconds",
			.kind = GD_TIMING_SETTING,
			.production = (gd_ms)v * 1000,
			.real = (gd_ms)compress(v, 1, k->floor, k->zero_off,
						scale) *
				1000,
		};
	}
	/* A partition's time limits: whole minutes to Slurm. */
	for (size_t i = 0; conf && i < conf->nlines && n < max; i++) {
		const gd_slurm_conf_line *l = &conf->lines[i];
		if (strcasecmp(l->p[0].key, "PartitionName"))
			continue;
		for (size_t j = 1; j < l->n && n < max; j++) {
			bool maxt = !strcasecmp(l->p[j].key, "MaxTime");
			long s = gd_slurm_time_parse(l->p[j].value);
			if ((!maxt && strcasecmp(l->p[j].key, "DefaultTime")) ||
			    s < 0)
				continue;
			out[n++] = (gd_timing){
				.name = maxt ? "a partition's MaxTime"
					     : "a partition's DefaultTime",
				.effect =
					"the team's job time limit, which Slurm takes in whole minutes",
				.kind = GD_TIMING_SETTING,
				.production = (gd_ms)s * 1000,
				.real = (gd_ms)compress(s, 60, 1, false,
							scale) *
					60000,
			};
		}
	}
	return n;
}

/* A partition line as written, its time limits compressed. */
static void write_partition(const gd_slurm_conf_line *l, double scale, FILE *f)
{
	for (size_t j = 0; j < l->n; j++) {
		const gd_slurm_param *p = &l->p[j];
		long s = gd_slurm_time_parse(p->value);
		bool time = j > 0 && (!strcasecmp(p->key, "MaxTime") ||
				      !strcasecmp(p->key, "DefaultTime"));
		if (time && s >= 0)
			fprintf(f, "%s%s=%ld", j ? " " : "", p->key,
				compress(s, 60, 1, false, scale));
		else
			fprintf(f, "%s%s=%s%s%s", j ? " " : "", p->key,
				strchr(p->value, ' ') ? "\"" : "", p->value,
				strchr(p->value, ' ') ? "\"" : "");
	}
	fputc('\n', f);
}

bool gd_slurm_conf_write_partitions(const gd_slurm_conf *conf, double scale,
				    FILE *f)
{
	bool any = false;
	for (size_t i = 0; conf && i < conf->nlines; i++) {
		const gd_slurm_conf_line *l = &conf->lines[i];
		if (strcasecmp(l->p[0].key, "PartitionName"))
			continue;
		write_partition(l, scale, f);
		any |= strcasecmp(l->p[0].value, "DEFAULT") != 0;
	}
	return any;
}

void gd_slurm_conf_write_added(const gd_slurm_conf *conf,
			       const char *const *done, size_t ndone,
			       double scale, FILE *f)
{
	for (size_t i = 0; conf && i < conf->nlines; i++) {
		const gd_slurm_conf_line *l = &conf->lines[i];
		if (!strcasecmp(l->p[0].key, "PartitionName"))
			continue;
		for (size_t j = 0; j < l->n; j++) {
			const gd_slurm_param *p = &l->p[j];
			bool skip = false;
			for (size_t d = 0; d < ndone; d++)
				skip |= !strcasecmp(done[d], p->key);
			/* the last of a key is the one Slurm keeps */
			if (skip || gd_slurm_conf_get(conf, p->key) != p->value)
				continue;
			const struct key *k = find_key(p->key);
			long v;
			if (k && k->cls == SECONDS && whole(p->value, &v))
				fprintf(f, "%s=%ld\n", k->name,
					compress(v, 1, k->floor, k->zero_off,
						 scale));
			else
				fprintf(f, "%s=%s\n", k ? k->name : p->key,
					p->value);
		}
	}
}

/* ---- Slurm's hostlists ---- */

static int add_name(gd_strv *v, size_t *cap, char *name)
{
	if (!name)
		return -1;
	if (v->n + 1 >= *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		const char **nv = realloc(v->v, nc * sizeof(*nv));
		if (!nv) {
			free(name);
			return -1;
		}
		v->v = nv;
		*cap = nc;
	}
	v->v[v->n++] = name;
	v->v[v->n] = NULL;
	return 0;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, f);
	int r = vasprintf(&s, f, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

/* Expands one name of a hostlist, brackets and all ("w[1-3,5]x[1-2]"),
 * prefix first. */
static int expand_one(const char *prefix, const char *rest, gd_strv *v,
		      size_t *cap, char **why)
{
	const char *open = strchr(rest, '[');
	if (!open) {
		if (strchr(rest, ']')) {
			*why = fmt("a ']' without its '['");
			return -2;
		}
		return add_name(v, cap, fmt("%s%s", prefix, rest));
	}
	const char *close = strchr(open, ']');
	if (!close) {
		*why = fmt("a '[' without its ']'");
		return -2;
	}
	_cleanup_free_ char *head =
		fmt("%s%.*s", prefix, (int)(open - rest), rest);
	_cleanup_free_ char *ranges =
		strndup(open + 1, (size_t)(close - open - 1));
	if (!head || !ranges)
		return -1;
	char *save = NULL;
	for (char *r = strtok_r(ranges, ",", &save); r;
	     r = strtok_r(NULL, ",", &save)) {
		char *end;
		if (!isdigit((unsigned char)*r)) {
			*why = fmt("\"%s\" is no number or range", r);
			return -2;
		}
		unsigned long lo = strtoul(r, &end, 10), hi = lo;
		int width = r[0] == '0' ? (int)(end - r) : 0;
		if (*end == '-' && isdigit((unsigned char)end[1]))
			hi = strtoul(end + 1, &end, 10);
		if (*end || hi < lo || hi - lo >= GD_MAX_NODES) {
			*why = fmt("\"%s\" is no range of at most %d nodes", r,
				   GD_MAX_NODES);
			return -2;
		}
		for (unsigned long x = lo; x <= hi; x++) {
			_cleanup_free_ char *p = fmt("%s%0*lu", head, width, x);
			int e = p ? expand_one(p, close + 1, v, cap, why) : -1;
			if (e < 0)
				return e;
		}
	}
	return 0;
}

int gd_slurm_hostlist_expand(const char *list, gd_strv *out, char **why)
{
	*out = (gd_strv){0};
	*why = NULL;
	size_t cap = 0;
	int depth = 0;
	const char *start = list;
	for (const char *p = list;; p++) {
		depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
		if (*p && (*p != ',' || depth > 0))
			continue;
		_cleanup_free_ char *one = strndup(start, (size_t)(p - start));
		int r = one ? (*one ? expand_one("", one, out, &cap, why)
				    : (*why = fmt("an empty name"), -2))
			    : -1;
		if (r < 0 || out->n > 4 * GD_MAX_NODES) {
			if (r >= 0)
				*why = fmt("more than %d names",
					   4 * GD_MAX_NODES);
			gd_slurm_names_free(out);
			return r < 0 ? r : -2;
		}
		if (!*p)
			break;
		start = p + 1;
	}
	return 0;
}

void gd_slurm_names_free(gd_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free((char *)v->v[i]);
	free(v->v);
	*v = (gd_strv){0};
}
