/* What a real host logged during the run, fetched into the run folder
 * (ssh_node.h): the journal of the inventory's log units (by default the
 * role's units) from a cursor taken as the host came into the run, what
 * each log file grew by since then, and the run's agent's own log.
 *
 * A journal cursor, not a time: a clock fault may move the host's clock,
 * never the journal's order.  A file smaller at the end than at the
 * start was rotated or cut meanwhile: all of it is fetched. */
#include "cluster/ssh_node.h"

#include "base/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each log is cut to its last this much: a day's slurmctld log can be
 * large, and the end of it is what a reader looks for. */
#define LOG_MAX "16777216"

/* The journal's cursor now, then each file's size (0 when missing), a
 * line each. */
static const char mark_script[] =
	"journalctl -q -n 0 --show-cursor 2>/dev/null | "
	"sed -n 's/^-- cursor: //p' | grep . || echo -\n"
	"for f; do stat -c %s \"$f\" 2>/dev/null || echo 0; done\n";

static gd_strv log_units(const gd_node_rt *n)
{
	const struct gd_remote_node *h = n->remote;
	return h->c->log_units.n ? h->c->log_units
				 : h->c->roles[h->node->role].units;
}

int gd_ssh_logs_mark(gd_node_rt *n, gd_error **err)
{
	struct gd_remote_node *h = n->remote;
	const gd_strv *files = &h->c->log_files;
	char *argv[64] = {"sh", "-c", (char *)mark_script, "mark"};
	size_t k = 4;
	for (size_t i = 0; i < files->n && k < GD_ARRAY_SIZE(argv) - 1; i++)
		argv[k++] = (char *)files->v[i];
	argv[k] = NULL;
	gd_strbuf sb = GD_STRBUF_INIT;
	int r = gd_remote_do(n, argv, NULL, 0, &sb, 0, err);
	size_t max = GD_ARRAY_SIZE(h->log_offsets);
	char *line = sb.buf;
	for (size_t i = 0; r == 0 && line && i <= files->n && i <= max; i++) {
		char *end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (i == 0)
			snprintf(h->log_cursor, sizeof(h->log_cursor), "%s",
				 line);
		else
			h->log_offsets[i - 1] = strtoll(line, NULL, 10);
		line = end ? end + 1 : NULL;
	}
	gd_strbuf_release(&sb);
	return r;
}

/* argv's output on n written to dir/name; the first failure kept. */
static void fetch(const gd_node_rt *n, char *const *argv, const char *dir,
		  const char *name, int *first, gd_error **err)
{
	gd_strbuf sb = GD_STRBUF_INIT;
	gd_error *e = NULL;
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/%s", dir, name);
	int r = gd_remote_do(n, argv, NULL, 0, &sb, 0, &e);
	if (r == 0)
		r = gd_write_file(path, sb.buf ? sb.buf : "", sb.len, 0644, &e);
	if (r < 0 && !*first) {
		*first = r;
		*err = e;
		e = NULL;
	}
	gd_error_free(e);
	gd_strbuf_release(&sb);
}

/* A file's name in the run folder: its path with '/' as '_'
 * ("/var/log/slurm/slurmd.log": "var_log_slurm_slurmd.log"). */
static void flat_name(const char *path, char *out, size_t size)
{
	snprintf(out, size, "%s", path + (*path == '/'));
	for (char *c = out; *c; c++)
		if (*c == '/')
			*c = '_';
}

static void fetch_journal(const gd_node_rt *n, const char *to, int *first,
			  gd_error **err)
{
	const struct gd_remote_node *h = n->remote;
	gd_strv units = log_units(n);
	for (size_t i = 0; i < units.n; i++) {
		char after[300], name[300];
		snprintf(after, sizeof(after), "--after-cursor=%s",
			 h->log_cursor);
		snprintf(name, sizeof(name), "%s.journal", units.v[i]);
		char *argv[] = {"sh",
				"-c",
				"journalctl --no-pager -q -o short-iso-precise "
				"-u \"$1\" ${2:+\"$2\"} | tail -c " LOG_MAX,
				"journal",
				(char *)units.v[i],
				strcmp(h->log_cursor, "-") ? after : "",
				NULL};
		fetch(n, argv, to, name, first, err);
	}
}

static void fetch_files(const gd_node_rt *n, const char *to, int *first,
			gd_error **err)
{
	const struct gd_remote_node *h = n->remote;
	const gd_strv *files = &h->c->log_files;
	for (size_t i = 0; i < files->n; i++) {
		char from[32], name[PATH_MAX];
		snprintf(from, sizeof(from), "%lld",
			 i < GD_ARRAY_SIZE(h->log_offsets) ? h->log_offsets[i]
							   : 0);
		flat_name(files->v[i], name, sizeof(name));
		char *argv[] = {"sh",
				"-c",
				"s=$(stat -c %s \"$1\") || exit 1\n"
				"o=$2; [ \"$s\" -lt \"$o\" ] && o=0\n"
				"tail -c +$((o + 1)) \"$1\" | tail -c " LOG_MAX,
				"file",
				(char *)files->v[i],
				from,
				NULL};
		fetch(n, argv, to, name, first, err);
	}
}

int gd_ssh_fetch_logs(const gd_cluster_state *st, const gd_node_rt *n,
		      const char *to, gd_error **err)
{
	(void)st;
	const struct gd_remote_node *h = n->remote;
	if (!h)
		return 0;
	int first = 0;
	fetch_journal(n, to, &first, err);
	fetch_files(n, to, &first, err);
	char agent[PATH_MAX];
	gd_pathf(agent, sizeof(agent), GD_AGENT_HOST_DIR "/%s/agent.log",
		 h->run);
	char *argv[] = {"cat", agent, NULL};
	fetch(n, argv, to, "gd-agent.log", &first, err);
	return first;
}
