/* The cluster section: nodes, roles, groups and the job system. */
#include "scenario/parse.h"

#include "base/cleanup.h"
#include "base/suggest.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cluster_keys[] = {
	"gameday",	"name",	       "system",
	"nodes",	"roles",       "groups",
	"service_user", "adapter",     "slurm_conf",
	"users",	"user_groups", "backend",
	"ssh_config",	"storage",     "storage_here",
	"logs",		"time_sync",   "heartbeat_timeout",
};

/* "host", "power" and "units" are a real host's (inventory.c): in a
 * cluster of namespaced nodes they are refused, saying what they need. */
static const char *const node_keys[] = {"name", "role", "host", "power"};
static const char *const role_keys[] = {"cpus",	 "features",  "services",
					"files", "provision", "units"};
static const char *const file_keys[] = {"from", "to", "owner", "mode"};
static const char *const service_keys[] = {
	"name",		"argv",	       "env",	"user",		"restart",
	"min_interval", "backoff_max", "grace", "max_restarts",
};
static const char *const adapter_keys[] = {
	"node",	  "ready", "submit", "query",
	"verify", "drain", "resume", "nodes",
};

static const char *slurm_controller_units[] = {"munge.service",
					       "slurmctld.service"};
static const char *slurm_units[] = {"munge.service", "slurmd.service"};
/* Slurm 22.05 on cgroup v2 starts job steps in a scope beside slurmd's
 * service (NODE_slurmstepd.scope when a host runs several slurmd). */
static const char *slurm_scopes[] = {"*slurmstepd.scope"};

/* What a cluster file of each job system must say, one row per enum
 * gd_system.  The systems' own rules, kept with the model rather than in
 * jobsys/ (which reads the model): checking a file needs no driver. */
static const struct system_rules {
	const char *name;
	/* The role of the one node whose daemon schedules, beside which at
	 * least one node runs jobs; NULL: no such rule. */
	const char *controller;
	/* The key naming the team's configuration file of the system, which
	 * its driver checks and merges; NULL: gameday takes none. */
	const char *conf_key;
	/* Its systemd units on a real host (ssh) unless the file names
	 * them: the controller's, every other node's. */
	gd_strv controller_units, units;
	/* Where its jobs run outside those units: systemd unit patterns
	 * of the scopes a kill or a pause of a host takes with them. */
	gd_strv scopes;
} systems[] = {
	[GD_SYSTEM_SLURM] = {"slurm",
			     "controller",
			     "slurm_conf",
			     {slurm_controller_units, 2},
			     {slurm_units, 2},
			     {slurm_scopes, 1}},
	[GD_SYSTEM_EXEC] = {"exec", NULL, NULL, {NULL, 0}, {NULL, 0}, {NULL, 0}},
	[GD_SYSTEM_NONE] = {"none", NULL, NULL, {NULL, 0}, {NULL, 0}, {NULL, 0}},
};
#define NSYSTEMS (sizeof(systems) / sizeof(systems[0]))

const char *gd_system_name(enum gd_system s)
{
	return systems[s].name;
}

const char *gd_system_controller_role(enum gd_system s)
{
	return systems[s].controller;
}

const char *gd_system_conf_key(enum gd_system s)
{
	return systems[s].conf_key;
}

gd_strv gd_system_units(enum gd_system s, bool controller)
{
	return controller ? systems[s].controller_units : systems[s].units;
}

gd_strv gd_system_scopes(enum gd_system s)
{
	return systems[s].scopes;
}

static bool valid_hostname(const char *s)
{
	for (; *s; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

static size_t find_role(gd_cluster *c, const char *name)
{
	for (size_t i = 0; i < c->nroles; i++)
		if (strcmp(c->roles[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

static size_t find_node(const gd_cluster *c, const char *name)
{
	for (size_t i = 0; i < c->nnodes; i++)
		if (strcmp(c->nodes[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

/* "w[1-4]" names four nodes, "w[01-12]" twelve with two-digit numbers: the
 * hostlist form Slurm users already write.  Returns the count, or 0 and a
 * diagnostic when the brackets are malformed. */
static size_t expand_range(gd_reader *r, const char *name, const char **prefix,
			   unsigned *lo, unsigned *hi, int *width)
{
	const char *open = strchr(name, '[');
	if (!open) {
		*prefix = name;
		return 1;
	}
	/* [DIGITS-DIGITS] and nothing after: parsed by hand, as sscanf
	 * cannot tell a missing ']' from a present one. */
	const char *p = open + 1, *lo_start = p;
	unsigned long a = 0, b = 0;
	while (*p >= '0' && *p <= '9' && a <= 100000)
		a = a * 10 + (unsigned long)(*p++ - '0');
	size_t lo_len = (size_t)(p - lo_start);
	bool ok = lo_len > 0 && *p == '-';
	const char *hi_start = ok ? ++p : p;
	while (ok && *p >= '0' && *p <= '9' && b <= 100000)
		b = b * 10 + (unsigned long)(*p++ - '0');
	ok = ok && p > hi_start && p[0] == ']' && p[1] == '\0';
	if (!ok) {
		rd_error(
			r,
			"invalid node range \"%s\" (write e.g. \"w[1-4]\" at the end of the name)",
			name);
		return 0;
	}
	if (a > b) {
		rd_error(r, "node range \"%s\" runs backwards", name);
		return 0;
	}
	if (b - a >= GD_MAX_NODES) {
		rd_error(r, "node range \"%s\" names more than %d nodes", name,
			 GD_MAX_NODES);
		return 0;
	}
	*prefix = gd_arena_printf(r->arena, "%.*s", (int)(open - name), name);
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	/* "w[01-12]": a leading zero asks for fixed-width numbers */
	*width = lo_start[0] == '0' && lo_len > 1 ? (int)lo_len : 0;
	return b - a + 1;
}

/* host with "{node}" filled in by the node's name */
static const char *node_host(gd_arena *a, const char *host, const char *name)
{
	const char *at = host ? strstr(host, "{node}") : NULL;
	if (!at)
		return host;
	return gd_arena_printf(a, "%.*s%s%s", (int)(at - host), host, name,
			       node_host(a, at + 6, name));
}

static bool add_node(gd_reader *r, gd_cluster *c, const char *name,
		     const char *role, const char *host, const gd_power *power)
{
	if (strlen(name) > GD_NODE_NAME_MAX || !*name ||
	    !valid_hostname(name)) {
		rd_error(
			r,
			"invalid node name \"%s\": use 1 to %d characters from a-z, 0-9 and '-'",
			name, GD_NODE_NAME_MAX);
		return false;
	}
	if (find_node(c, name) != (size_t)-1) {
		rd_error(r, "node \"%s\" is declared twice", name);
		return false;
	}
	if (c->nnodes >= GD_MAX_NODES) {
		rd_error(r, "more than %d nodes", GD_MAX_NODES);
		return false;
	}
	size_t ri = find_role(c, role);
	if (ri == (size_t)-1) {
		ri = c->nroles++;
		c->roles[ri].name = role;
		c->roles[ri].cpus = 1;
	}
	gd_node *n = &c->nodes[c->nnodes++];
	n->name = name;
	n->role = ri;
	n->path = rd_path_keep(r);
	n->host = node_host(r->arena, host, name);
	n->power = power;
	return true;
}

/* One machine is one node: the hosts of the nodes from index "from" on
 * against every node's before them. */
static void hosts_once(gd_reader *r, const gd_cluster *c, size_t from)
{
	for (size_t k = from; k < c->nnodes; k++)
		for (size_t i = 0; c->nodes[k].host && i < k; i++)
			if (c->nodes[i].host &&
			    !strcmp(c->nodes[i].host, c->nodes[k].host)) {
				rd_error_at(
					r, "host",
					"host \"%s\" is node \"%s\"'s already: one machine is one node",
					c->nodes[k].host, c->nodes[i].name);
				return;
			}
}

static void parse_nodes(gd_reader *r, json_t *v, gd_cluster *c)
{
	if (!json_is_array(v) || json_array_size(v) == 0) {
		rd_error(r, "expected a non-empty array of nodes, got %s",
			 json_is_array(v) ? "an empty array" : rd_type_name(v));
		return;
	}
	c->nodes = gd_arena_array(r->arena, GD_MAX_NODES, sizeof(*c->nodes));
	c->roles = gd_arena_array(r->arena, GD_MAX_NODES, sizeof(*c->roles));
	size_t i;
	json_t *e;
	json_array_foreach (v, i, e) {
		size_t m = rd_push_index(r, i);
		const char *name = NULL, *role = NULL, *host = NULL;
		const gd_power *power = NULL;
		if (rd_object(r, e, "a node", node_keys,
			      GD_ARRAY_SIZE(node_keys), NULL, 0)) {
			RD_FIELD(rd_as_string, r, e, "name", true, &name);
			RD_FIELD(rd_as_name, r, e, "role", true, 32, &role);
			parse_node_remote(r, e, c, &host, &power);
		}
		if (name && host && strchr(name, '[') &&
		    !strstr(host, "{node}")) {
			rd_error_at(
				r, "host",
				"a range of nodes needs \"{node}\" in its host (\"root@stage-{node}\"), or a node of its own per host");
			name = NULL;
		}
		size_t added = c->nnodes;
		if (name && role) {
			const char *prefix;
			unsigned lo = 0, hi = 0;
			int width = 0;
			size_t mk = rd_push_key(r, "name");
			size_t count = expand_range(r, name, &prefix, &lo, &hi,
						    &width);
			if (count == 1 && !strchr(name, '['))
				add_node(r, c, name, role, host, power);
			else
				/* One report for the whole range, not one per
				 * node it names. */
				for (unsigned k = lo; count && k <= hi; k++)
					if (!add_node(r, c,
						      gd_arena_printf(r->arena,
								      "%s%0*u",
								      prefix,
								      width, k),
						      role, host, power))
						break;
			rd_pop(r, mk);
			hosts_once(r, c, added);
		}
		rd_pop(r, m);
	}
}

static void parse_env(gd_reader *r, json_t *v, gd_service *sv)
{
	if (!json_is_object(v)) {
		rd_error(r,
			 "expected an object of environment variables, got %s",
			 rd_type_name(v));
		return;
	}
	sv->nenv = json_object_size(v);
	sv->env_keys = gd_arena_array(r->arena, sv->nenv + 1, sizeof(char *));
	sv->env_values = gd_arena_array(r->arena, sv->nenv + 1, sizeof(char *));
	size_t i = 0;
	const char *key;
	json_t *val;
	json_object_foreach (v, key, val) {
		size_t m = rd_push_key(r, key);
		if (!*key || strchr(key, '=') || strchr(key, '\n'))
			rd_error(r, "invalid environment variable name");
		sv->env_keys[i] = gd_arena_strdup(r->arena, key);
		if (rd_as_string(r, val, &sv->env_values[i]) &&
		    strchr(sv->env_values[i], '\n'))
			rd_error(r, "environment values cannot hold a newline");
		i++;
		rd_pop(r, m);
	}
}

static void parse_service(gd_reader *r, json_t *v, gd_service *sv)
{
	sv->path = rd_path_keep(r);
	sv->min_interval = GD_MS_PER_S;
	sv->backoff_max = 30 * GD_MS_PER_S;
	sv->grace = 5 * GD_MS_PER_S;
	if (!rd_object(r, v, "a service", service_keys,
		       GD_ARRAY_SIZE(service_keys), NULL, 0))
		return;
	if (RD_FIELD(rd_as_name, r, v, "name", true, 32, &sv->name) &&
	    strcmp(sv->name, "provision") == 0)
		rd_error_at(
			r, "name",
			"\"provision\" is the name of the role's provisioning in the node's supervisor: give the service another");
	if (RD_FIELD(rd_as_strv, r, v, "argv", true, &sv->argv)) {
		size_t m = rd_push_key(r, "argv");
		if (sv->argv.v[0][0] != '/')
			rd_error(
				r,
				"the program must be an absolute path inside the node (got \"%s\")",
				sv->argv.v[0]);
		for (size_t i = 0; i < sv->argv.n; i++) {
			if (!strchr(sv->argv.v[i], '\n'))
				continue;
			size_t mi = rd_push_index(r, i);
			rd_error(r, "arguments cannot hold a newline");
			rd_pop(r, mi);
		}
		rd_pop(r, m);
	}
	json_t *env = json_object_get(v, "env");
	if (env) {
		size_t m = rd_push_key(r, "env");
		parse_env(r, env, sv);
		rd_pop(r, m);
	}
	static const char *const users[] = {"service", "root"};
	static const char *const restarts[] = {"always", "on-failure", "never"};
	int user = 0, restart = 0;
	RD_FIELD(rd_as_choice, r, v, "user", false, users, 2, &user);
	sv->as_service_user = user == 0;
	RD_FIELD(rd_as_choice, r, v, "restart", false, restarts, 3, &restart);
	sv->restart = (enum gd_restart)restart;
	RD_FIELD(rd_as_positive_duration, r, v, "min_interval", false,
		 &sv->min_interval);
	RD_FIELD(rd_as_positive_duration, r, v, "backoff_max", false,
		 &sv->backoff_max);
	RD_FIELD(rd_as_duration, r, v, "grace", false, &sv->grace);
	long long n;
	if (RD_FIELD(rd_as_int, r, v, "max_restarts", false, 0, 1000000, &n))
		sv->max_restarts = (unsigned)n;
	if (sv->backoff_max < sv->min_interval) {
		rd_error(r, "\"backoff_max\" is shorter than \"min_interval\"");
	}
}

static void parse_services(gd_reader *r, json_t *v, gd_role *role)
{
	if (!json_is_array(v)) {
		rd_error(r, "expected an array of services, got %s",
			 rd_type_name(v));
		return;
	}
	role->nservices = json_array_size(v);
	role->services = gd_arena_array(r->arena, role->nservices + 1,
					sizeof(*role->services));
	for (size_t i = 0; i < role->nservices; i++) {
		size_t m = rd_push_index(r, i);
		parse_service(r, json_array_get(v, i), &role->services[i]);
		for (size_t j = 0; j < i; j++)
			if (role->services[i].name && role->services[j].name &&
			    strcmp(role->services[i].name,
				   role->services[j].name) == 0)
				rd_error(r, "service \"%s\" is defined twice",
					 role->services[i].name);
		rd_pop(r, m);
	}
}

/* "owner": "user" or "user:group", names or numbers, resolved in the
 * node (its passwd and group) when it is made. */
static bool parse_owner(gd_reader *r, json_t *v, gd_role_file *f)
{
	const char *owner;
	if (!rd_as_string(r, v, &owner))
		return false;
	const char *colon = strchr(owner, ':');
	f->owner = colon ? gd_arena_printf(r->arena, "%.*s",
					   (int)(colon - owner), owner)
			 : owner;
	f->group = colon ? colon + 1 : NULL;
	if (!*f->owner || (f->group && !*f->group) ||
	    (f->group && strchr(f->group, ':'))) {
		rd_error(r, "expected \"user\" or \"user:group\", got \"%s\"",
			 owner);
		return false;
	}
	return true;
}

static void parse_file(gd_reader *r, json_t *v, gd_role_file *f)
{
	f->path = rd_path_keep(r);
	f->mode = -1;
	if (!rd_object(r, v, "a file to copy into the nodes", file_keys,
		       GD_ARRAY_SIZE(file_keys), NULL, 0))
		return;
	RD_FIELD(rd_as_host_path, r, v, "from", true, 0, &f->from);
	size_t at_len;
	if (!RD_FIELD(rd_as_string, r, v, "to", true, &f->to))
		return;
	if (f->to[0] != '/' || strstr(f->to, "/..") || strstr(f->to, "//"))
		rd_error_at(
			r, "to",
			"expected an absolute path inside the node (no \"..\"), got \"%s\"",
			f->to);
	else if (!gd_node_place(f->to, &at_len))
		rd_error_at(
			r, "to",
			"\"%s\" is not among a node's own files (/etc, /opt, /usr/local, /home, /root, /var, /srv): the rest is the host's, read-only in nodes, or gameday's",
			f->to);
	RD_FIELD(parse_owner, r, v, "owner", false, f);
	RD_FIELD(rd_as_mode, r, v, "mode", false, &f->mode);
}

static void parse_files(gd_reader *r, json_t *v, gd_role *role)
{
	if (!json_is_array(v)) {
		rd_error(r, "expected an array of files, got %s",
			 rd_type_name(v));
		return;
	}
	role->nfiles = json_array_size(v);
	role->files = gd_arena_array(r->arena, role->nfiles + 1,
				     sizeof(*role->files));
	for (size_t i = 0; i < role->nfiles; i++) {
		size_t m = rd_push_index(r, i);
		parse_file(r, json_array_get(v, i), &role->files[i]);
		rd_pop(r, m);
	}
}

/* "provision": the script's argv, its program a file of the team's. */
static bool parse_provision(gd_reader *r, json_t *v, gd_role *role)
{
	role->provision_path = rd_path_keep(r);
	return rd_as_host_argv(r, v, &role->provision);
}

static void parse_roles(gd_reader *r, json_t *v, gd_cluster *c)
{
	if (!json_is_object(v)) {
		rd_error(
			r,
			"expected an object mapping role names to settings, got %s",
			rd_type_name(v));
		return;
	}
	const char **names =
		gd_arena_array(r->arena, c->nroles + 1, sizeof(*names));
	for (size_t i = 0; i < c->nroles; i++)
		names[i] = c->roles[i].name;

	const char *key;
	json_t *e;
	json_object_foreach (v, key, e) {
		size_t m = rd_push_key(r, key);
		size_t ri = find_role(c, key);
		if (ri == (size_t)-1) {
			const char *hint = gd_suggest(key, names, c->nroles);
			if (hint)
				rd_error(
					r,
					"settings for role \"%s\", which no node has; did you mean \"%s\"?",
					key, hint);
			else
				rd_error(
					r,
					"settings for role \"%s\", which no node has",
					key);
		} else if (rd_object(r, e, "role settings", role_keys,
				     GD_ARRAY_SIZE(role_keys), NULL, 0)) {
			gd_role *role = &c->roles[ri];
			long long cpus;
			if (RD_FIELD(rd_as_int, r, e, "cpus", false, 1, 1024,
				     &cpus))
				role->cpus = (int)cpus;
			RD_FIELD(rd_as_strv, r, e, "features", false,
				 &role->features);
			if (parse_role_remote(r, e, c, role))
				RD_SECTION(parse_services, r, e, "services",
					   false, role);
			RD_SECTION(parse_files, r, e, "files", false, role);
			RD_FIELD(parse_provision, r, e, "provision", false,
				 role);
			role->path = rd_path_keep(r);
		}
		rd_pop(r, m);
	}
}

bool cluster_lookup(const gd_cluster *c, gd_arena *a, const char *name,
		    size_t **nodes, size_t *n)
{
	size_t ni = find_node(c, name);
	if (ni != (size_t)-1) {
		*nodes = gd_arena_alloc(a, sizeof(**nodes));
		**nodes = ni;
		*n = 1;
		return true;
	}
	for (size_t g = 0; g < c->ngroups; g++) {
		if (strcmp(c->groups[g].name, name) == 0) {
			*nodes = c->groups[g].members;
			*n = c->groups[g].n;
			return true;
		}
	}
	bool all = strcmp(name, "all") == 0;
	size_t ri = all ? 0 : find_role((gd_cluster *)c, name);
	if (!all && ri == (size_t)-1)
		return false;
	*nodes = gd_arena_array(a, c->nnodes, sizeof(**nodes));
	*n = 0;
	for (size_t i = 0; i < c->nnodes; i++)
		if (all || c->nodes[i].role == ri)
			(*nodes)[(*n)++] = i;
	return true;
}

const char **cluster_names(const gd_cluster *c, gd_arena *a, size_t *n)
{
	const char **v = gd_arena_array(
		a, c->nnodes + c->nroles + c->ngroups + 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < c->nnodes; i++)
		v[k++] = c->nodes[i].name;
	for (size_t i = 0; i < c->nroles; i++)
		v[k++] = c->roles[i].name;
	for (size_t i = 0; i < c->ngroups; i++)
		v[k++] = c->groups[i].name;
	v[k++] = "all";
	*n = k;
	return v;
}

static void parse_groups(gd_reader *r, json_t *v, gd_cluster *c)
{
	if (!json_is_object(v)) {
		rd_error(
			r,
			"expected an object mapping group names to node lists, got %s",
			rd_type_name(v));
		return;
	}
	c->groups = gd_arena_array(r->arena, json_object_size(v) + 1,
				   sizeof(*c->groups));
	const char *key;
	json_t *e;
	json_object_foreach (v, key, e) {
		size_t m = rd_push_key(r, key);
		size_t dummy_n;
		size_t *dummy;
		gd_strv members = {0};
		json_t *name = json_string(key);
		const char *gname = NULL;
		bool ok = rd_as_name(r, name, 32, &gname);
		json_decref(name);
		if (ok && cluster_lookup(c, r->arena, key, &dummy, &dummy_n)) {
			rd_error(
				r,
				"group \"%s\" has the name of a node, a role or \"all\"",
				key);
			ok = false;
		}
		if (ok && rd_as_strv(r, e, &members)) {
			gd_group *g = &c->groups[c->ngroups];
			g->name = gname;
			g->path = rd_path_keep(r);
			g->members = gd_arena_array(r->arena, c->nnodes + 1,
						    sizeof(size_t));
			bool *in = gd_arena_array(r->arena, c->nnodes + 1,
						  sizeof(bool));
			for (size_t i = 0; i < members.n; i++) {
				size_t *ns, nn;
				size_t mi = rd_push_index(r, i);
				if (!cluster_lookup(c, r->arena, members.v[i],
						    &ns, &nn)) {
					size_t nnames;
					const char **names = cluster_names(
						c, r->arena, &nnames);
					const char *hint = gd_suggest(
						members.v[i], names, nnames);
					if (hint)
						rd_error(
							r,
							"unknown node or group \"%s\"; did you mean \"%s\"?",
							members.v[i], hint);
					else
						rd_error(
							r,
							"unknown node or group \"%s\"",
							members.v[i]);
				} else {
					for (size_t k = 0; k < nn; k++)
						in[ns[k]] = true;
				}
				rd_pop(r, mi);
			}
			for (size_t i = 0; i < c->nnodes; i++)
				if (in[i])
					g->members[g->n++] = i;
			c->ngroups++;
		}
		rd_pop(r, m);
	}
}

/* One adapter command: like a service's argv, a program the node has. */
static void parse_command(gd_reader *r, json_t *v, const char *key,
			  bool required, gd_strv *out)
{
	if (!RD_FIELD(rd_as_strv, r, v, key, required, out))
		return;
	if (out->v[0][0] != '/') {
		size_t m = rd_push_key(r, key);
		rd_error(
			r,
			"the program must be an absolute path inside the node (got \"%s\")",
			out->v[0]);
		rd_pop(r, m);
	}
}

static void parse_adapter(gd_reader *r, json_t *v, gd_cluster *c)
{
	if (!rd_object(r, v, "an adapter", adapter_keys,
		       GD_ARRAY_SIZE(adapter_keys), NULL, 0))
		return;
	if (RD_FIELD(rd_as_name, r, v, "node", false, GD_NODE_NAME_MAX,
		     &c->adapter_node) &&
	    find_node(c, c->adapter_node) == (size_t)-1) {
		size_t m = rd_push_key(r, "node");
		const char **names =
			gd_arena_array(r->arena, c->nnodes + 1, sizeof(*names));
		for (size_t i = 0; i < c->nnodes; i++)
			names[i] = c->nodes[i].name;
		const char *hint =
			gd_suggest(c->adapter_node, names, c->nnodes);
		if (hint)
			rd_error(r, "unknown node \"%s\"; did you mean \"%s\"?",
				 c->adapter_node, hint);
		else
			rd_error(r, "unknown node \"%s\"", c->adapter_node);
		rd_pop(r, m);
	}
	parse_command(r, v, "ready", false, &c->adapter_ready);
	parse_command(r, v, "submit", true, &c->adapter_submit);
	parse_command(r, v, "query", true, &c->adapter_query);
	parse_command(r, v, "verify", false, &c->adapter_verify);
	/* A drain the system could not undo, or confirm, would leave nodes
	 * out of service or the maintenance unproved. */
	static const char *const drain_keys[] = {"drain", "resume", "nodes"};
	gd_strv *drain_cmds[] = {&c->adapter_drain, &c->adapter_resume,
				 &c->adapter_nodes};
	size_t given = 0;
	for (size_t k = 0; k < 3; k++) {
		parse_command(r, v, drain_keys[k], false, drain_cmds[k]);
		given += json_object_get(v, drain_keys[k]) != NULL;
	}
	for (size_t k = 0; given && given < 3 && k < 3; k++)
		if (!json_object_get(v, drain_keys[k]))
			rd_error(
				r,
				"\"drain\", \"resume\" and \"nodes\" go together: \"%s\" is missing",
				drain_keys[k]);
}

/* The team's configuration file of the system: only its name here; load.c
 * reads it, the system's driver checks it. */
static void parse_conf_key(gd_reader *r, json_t *v, gd_cluster *c)
{
	const char *own = systems[c->system].conf_key;
	for (size_t i = 0; i < NSYSTEMS; i++) {
		const char *key = systems[i].conf_key;
		if (!key || !json_object_get(v, key) ||
		    (own && !strcmp(own, key)))
			continue;
		rd_error_at(r, key, "\"%s\" is for %s clusters, not %s ones",
			    key, systems[i].name, systems[c->system].name);
	}
	if (!own || !RD_FIELD(rd_as_string, r, v, own, false, &c->conf_rel))
		return;
	size_t m = rd_push_key(r, own);
	c->conf_path = rd_path_keep(r);
	if (!*c->conf_rel)
		rd_error(r, "expected the path of a file, got an empty string");
	rd_pop(r, m);
}

void parse_cluster(gd_reader *r, json_t *v, gd_cluster *c, bool own_file)
{
	size_t nkeys = GD_ARRAY_SIZE(cluster_keys);
	/* "gameday" (the format version) belongs to a file, not to a cluster
	 * written inline in a scenario. */
	if (!rd_object(r, v, "a cluster", cluster_keys + !own_file,
		       nkeys - !own_file, NULL, 0))
		return;

	if (own_file)
		rd_check_version(r, v);
	c->name = "cluster";
	RD_FIELD(rd_as_name, r, v, "name", false, 64, &c->name);
	parse_backend(r, v, c);

	const char *names[NSYSTEMS];
	for (size_t i = 0; i < NSYSTEMS; i++)
		names[i] = systems[i].name;
	int sys = 0;
	bool system = RD_FIELD(rd_as_choice, r, v, "system", true, names,
			       NSYSTEMS, &sys);
	c->system = (enum gd_system)sys;

	json_t *nodes = rd_get(r, v, "nodes", true);
	bool nodes_ok = false;
	if (nodes) {
		size_t m = rd_push_key(r, "nodes");
		unsigned before = rd_errors(r);
		parse_nodes(r, nodes, c);
		nodes_ok = rd_errors(r) == before;
		rd_pop(r, m);
	}
	RD_SECTION(parse_roles, r, v, "roles", false, c);
	RD_SECTION(parse_groups, r, v, "groups", false, c);
	parse_cluster_remote(r, v, c);

	c->service_user = "gdjob";
	RD_FIELD(rd_as_name, r, v, "service_user", false, 31, &c->service_user);
	parse_accounts(r, v, c);
	if (system)
		parse_conf_key(r, v, c);

	json_t *adapter = rd_get(r, v, "adapter", false);
	if (system && c->system == GD_SYSTEM_EXEC && !adapter) {
		rd_error(
			r,
			"an \"exec\" cluster needs an \"adapter\" with at least \"submit\" and \"query\" commands");
	} else if (system && c->system != GD_SYSTEM_EXEC && adapter) {
		rd_error_at(
			r, "adapter",
			"\"adapter\" is for \"exec\" clusters; a %s cluster has no use for one",
			gd_system_name(c->system));
	} else if (adapter) {
		size_t m = rd_push_key(r, "adapter");
		parse_adapter(r, adapter, c);
		rd_pop(r, m);
	}

	/* Slurm needs exactly one controller (slurmctld) and somewhere to run
	 * jobs (slurmd). */
	const char *ctl = systems[c->system].controller;
	if (system && nodes_ok && ctl) {
		size_t controllers = 0;
		for (size_t i = 0; i < c->nnodes; i++)
			controllers += strcmp(c->roles[c->nodes[i].role].name,
					      ctl) == 0;
		size_t m = rd_push_key(r, "nodes");
		if (controllers != 1)
			rd_error(
				r,
				"a %s cluster needs exactly one node with role \"%s\" (found %zu)",
				gd_system_name(c->system), ctl, controllers);
		else if (c->nnodes < 2)
			rd_error(
				r,
				"a %s cluster needs at least one node besides the controller",
				gd_system_name(c->system));
		rd_pop(r, m);
	}
}
