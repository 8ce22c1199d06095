/* A cluster of real hosts ("backend": "ssh"): the inventory's keys, and
 * their refusal in a cluster of namespaced nodes, where they mean
 * nothing.  Data only: reaching the hosts is the ssh backend's. */
#include "scenario/parse.h"

#include "base/cleanup.h"

#include <ctype.h>
#include <string.h>

const char *const gd_backend_names[] = {"namespace", GD_BACKEND_SSH};
const size_t gd_backend_nnames = GD_ARRAY_SIZE(gd_backend_names);

static const char *const ssh_cluster_keys[] = {
	"ssh_config", "storage",   "storage_here",
	"logs",	      "time_sync", "heartbeat_timeout",
};
static const char *const ssh_node_keys[] = {"host", "power"};
static const char *const ssh_role_keys[] = {"units"};
static const char *const power_keys[] = {"off", "on", "cycle", "status"};
static const char *const logs_keys[] = {"units", "files"};
static const char *const time_sync_keys[] = {"allow_host_clock"};

bool cluster_ssh(const gd_cluster *c)
{
	return c->backend && strcmp(c->backend, GD_BACKEND_SSH) == 0;
}

/* A backend the file misspelt is neither: its keys are not judged, so
 * one typo is one problem. */
static bool namespaced(const gd_cluster *c)
{
	return !c->backend || strcmp(c->backend, gd_backend_names[0]) == 0;
}

void parse_backend(gd_reader *r, json_t *v, gd_cluster *c)
{
	json_t *b = rd_get(r, v, "backend", false);
	if (!b)
		return;
	size_t m = rd_push_key(r, "backend");
	int i;
	if (rd_as_choice(r, b, gd_backend_names, gd_backend_nnames, &i))
		c->backend = gd_backend_names[i];
	else
		c->backend = "?";
	rd_pop(r, m);
}

/* keys of obj that only a cluster of real hosts has */
static void refuse_ssh_keys(gd_reader *r, json_t *obj, const char *const *keys,
			    size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (json_object_get(obj, keys[i]))
			rd_error_at(
				r, keys[i],
				"\"%s\" needs \"backend\": \"ssh\" (real hosts); this cluster's nodes are namespaced ones made on this host",
				keys[i]);
}

/* "{node}" and "{host}" are filled in by the backend; any other
 * placeholder is a typo. */
static bool placeholders_known(gd_reader *r, const char *s, bool host_too)
{
	for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		if (!end)
			break;
		size_t len = (size_t)(end - p - 1);
		if ((len == 4 && !strncmp(p + 1, "node", 4)) ||
		    (host_too && len == 4 && !strncmp(p + 1, "host", 4)))
			continue;
		rd_error(r, "unknown placeholder \"%.*s\" (%s)", (int)(len + 2),
			 p,
			 host_too ? "there are {node} and {host}"
				  : "there is {node}");
		return false;
	}
	return true;
}

static bool parse_host(gd_reader *r, json_t *v, const char **out)
{
	if (!rd_as_string(r, v, out))
		return false;
	/* A destination goes into power commands too ({host}), which a
	 * team may run through a shell: no character a shell reads. */
	bool ok = **out && **out != '-';
	for (const char *p = *out; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || strchr("@._-:%[]{}", *p);
	if (!ok) {
		rd_error(
			r,
			"expected an SSH destination (\"root@stage-w1\", \"admin@10.0.0.5\" or a Host alias of the ssh configuration): letters, digits and @ . _ - : %% [ ], not starting with '-'; got \"%s\"",
			*out);
		return false;
	}
	return placeholders_known(r, *out, false);
}

/* An argv run on the gameday machine, with placeholders. */
static bool parse_local_argv(gd_reader *r, json_t *v, gd_strv *out)
{
	if (!rd_as_strv(r, v, out))
		return false;
	bool ok = true;
	for (size_t i = 0; i < out->n; i++) {
		size_t m = rd_push_index(r, i);
		if (strchr(out->v[i], '\n')) {
			rd_error(r, "arguments cannot hold a newline");
			ok = false;
		} else {
			ok = placeholders_known(r, out->v[i], true) && ok;
		}
		rd_pop(r, m);
	}
	return ok;
}

static bool parse_power(gd_reader *r, json_t *v, const gd_power **out)
{
	gd_power *p = gd_arena_alloc(r->arena, sizeof(*p));
	p->path = rd_path_keep(r);
	if (!rd_object(r, v, "a host's power commands", power_keys,
		       GD_ARRAY_SIZE(power_keys), NULL, 0))
		return false;
	bool ok = RD_FIELD(parse_local_argv, r, v, "off", true, &p->off);
	ok = RD_FIELD(parse_local_argv, r, v, "on", true, &p->on) && ok;
	RD_FIELD(parse_local_argv, r, v, "cycle", false, &p->cycle);
	RD_FIELD(parse_local_argv, r, v, "status", false, &p->status);
	*out = p;
	return ok;
}

void parse_node_remote(gd_reader *r, json_t *v, const gd_cluster *c,
		       const char **host, const gd_power **power)
{
	if (namespaced(c))
		refuse_ssh_keys(r, v, ssh_node_keys,
				GD_ARRAY_SIZE(ssh_node_keys));
	if (!cluster_ssh(c))
		return;
	RD_FIELD(parse_host, r, v, "host", true, host);
	RD_FIELD(parse_power, r, v, "power", false, power);
}

static bool parse_units(gd_reader *r, json_t *v, gd_strv *out)
{
	if (!rd_as_strv(r, v, out))
		return false;
	bool ok = true;
	for (size_t i = 0; i < out->n; i++) {
		const char *u = out->v[i];
		if (*u && *u != '-' && !strpbrk(u, "/ \t\n") && strchr(u, '.'))
			continue;
		size_t m = rd_push_index(r, i);
		rd_error(
			r,
			"expected a systemd unit's name, such as \"slurmd.service\", got \"%s\"",
			u);
		rd_pop(r, m);
		ok = false;
	}
	return ok;
}

bool parse_role_remote(gd_reader *r, json_t *v, const gd_cluster *c,
		       gd_role *role)
{
	if (namespaced(c))
		refuse_ssh_keys(r, v, ssh_role_keys,
				GD_ARRAY_SIZE(ssh_role_keys));
	if (!cluster_ssh(c))
		return true;
	RD_FIELD(parse_units, r, v, "units", false, &role->units);
	if (!json_object_get(v, "services"))
		return true;
	rd_error_at(
		r, "services",
		"\"services\" is not for \"backend\": \"ssh\": gameday does not start the team's daemons on real hosts, their own systemd does (name the job system's in \"units\")");
	return false;
}

static bool parse_abs_path(gd_reader *r, json_t *v, const char **out)
{
	if (!rd_as_string(r, v, out))
		return false;
	if ((*out)[0] == '/' && !strstr(*out, "/..") && !strchr(*out, '\n'))
		return true;
	rd_error(r, "expected an absolute path (no \"..\"), got \"%s\"", *out);
	return false;
}

static bool parse_abs_paths(gd_reader *r, json_t *v, gd_strv *out)
{
	if (!rd_as_strv(r, v, out))
		return false;
	bool ok = true;
	for (size_t i = 0; i < out->n; i++) {
		size_t m = rd_push_index(r, i);
		json_t *s = json_string(out->v[i]);
		ok = parse_abs_path(r, s, &out->v[i]) && ok;
		json_decref(s);
		rd_pop(r, m);
	}
	return ok;
}

static void parse_logs(gd_reader *r, json_t *v, gd_cluster *c)
{
	if (!rd_object(r, v, "the logs to fetch", logs_keys,
		       GD_ARRAY_SIZE(logs_keys), NULL, 0))
		return;
	RD_FIELD(parse_units, r, v, "units", false, &c->log_units);
	RD_FIELD(parse_abs_paths, r, v, "files", false, &c->log_files);
}

static void parse_time_sync(gd_reader *r, json_t *v, gd_cluster *c)
{
	if (rd_object(r, v, "the hosts' time", time_sync_keys,
		      GD_ARRAY_SIZE(time_sync_keys), NULL, 0))
		RD_FIELD(rd_as_bool, r, v, "allow_host_clock", false,
			 &c->allow_host_clock);
}

void parse_cluster_remote(gd_reader *r, json_t *v, gd_cluster *c)
{
	if (namespaced(c))
		refuse_ssh_keys(r, v, ssh_cluster_keys,
				GD_ARRAY_SIZE(ssh_cluster_keys));
	if (!cluster_ssh(c))
		return;
	c->storage = GD_STORAGE_DEFAULT;
	c->heartbeat_ms = 60 * GD_MS_PER_S;
	RD_FIELD(rd_as_host_path, r, v, "ssh_config", false, 'f',
		 &c->ssh_config);
	RD_FIELD(parse_abs_path, r, v, "storage", false, &c->storage);
	RD_FIELD(rd_as_host_path, r, v, "storage_here", false, 'd',
		 &c->storage_here);
	RD_SECTION(parse_logs, r, v, "logs", false, c);
	RD_SECTION(parse_time_sync, r, v, "time_sync", false, c);
	/* a beat missed to a busy network must not read as a lost host */
	if (RD_FIELD(rd_as_positive_duration, r, v, "heartbeat_timeout", false,
		     &c->heartbeat_ms) &&
	    c->heartbeat_ms < 10 * GD_MS_PER_S) {
		char d[GD_DURATION_BUFSZ];
		rd_error_at(r, "heartbeat_timeout",
			    "expected at least 10s, got %s",
			    gd_duration_format(c->heartbeat_ms, d, sizeof(d)));
	}
	const char *ctl = gd_system_controller_role(c->system);
	for (size_t i = 0; i < c->nroles; i++)
		if (!c->roles[i].units.n)
			c->roles[i].units = gd_system_units(
				c->system,
				ctl && !strcmp(c->roles[i].name, ctl));
}
