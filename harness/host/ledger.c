#include "host/ledger.h"

#include "base/cleanup.h"
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

struct gd_ledger {
	int fd;
	char *path;
	unsigned written;
	unsigned crash_at;
};

static const char *const op_names[] = {
	[GD_LEDGER_DIR] = "dir",	 [GD_LEDGER_CGROUP] = "cgroup",
	[GD_LEDGER_MOUNT] = "mount",	 [GD_LEDGER_TMPFS] = "tmpfs",
	[GD_LEDGER_PROCESS] = "process", [GD_LEDGER_DONE] = "done",
};

const char *gd_ledger_op_name(enum gd_ledger_op op)
{
	return op <= GD_LEDGER_DONE ? op_names[op] : "?";
}

int gd_ledger_open(const char *path, gd_ledger **out, gd_error **err)
{
	_cleanup_close_ int fd =
		open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return gd_error_make(err, errno, "cannot open ledger \"%s\"",
				     path);
	/* A child forked by another thread of this run (a command in a node)
	 * shares the last holder's open file, and so its lock, until it
	 * execs: wait that out, not a cleanup holding the ledger for good. */
	int r;
	for (int waited = 0; (r = flock(fd, LOCK_EX | LOCK_NB)) < 0 &&
			     errno == EWOULDBLOCK && waited < 2000;
	     waited++)
		usleep(1000);
	if (r < 0)
		return gd_error_make(err, errno, "cannot lock ledger \"%s\"",
				     path);
	gd_ledger *l = calloc(1, sizeof(*l));
	if (!l || !(l->path = strdup(path))) {
		free(l);
		return gd_error_make(err, ENOMEM, "cannot open ledger \"%s\"",
				     path);
	}
	const char *crash = getenv("GAMEDAY_CRASH_AT");
	l->crash_at = crash ? (unsigned)strtoul(crash, NULL, 10) : 0;
	l->fd = TAKE_FD(fd);
	*out = l;
	return 0;
}

void gd_ledger_close(gd_ledger *l)
{
	if (!l)
		return;
	close(l->fd);
	free(l->path);
	free(l);
}

int gd_ledger_add(gd_ledger *l, enum gd_ledger_op op, const char *path,
		  pid_t pid, unsigned long long start, gd_error **err)
{
	json_t *o = json_pack("{s:s}", "op", gd_ledger_op_name(op));
	if (path)
		json_object_set_new(o, "path", json_string(path));
	if (op == GD_LEDGER_PROCESS) {
		json_object_set_new(o, "pid", json_integer(pid));
		json_object_set_new(o, "start",
				    json_integer((json_int_t)start));
	}
	_cleanup_free_ char *line =
		json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (!line)
		return gd_error_make(err, ENOMEM, "cannot write ledger \"%s\"",
				     l->path);
	size_t n = strlen(line);
	line[n] = '\n'; /* json_dumps leaves room: replaced NUL, written n+1 */
	/* One write per entry: O_APPEND keeps entries whole even if two
	 * processes of one run append. */
	ssize_t w = write(l->fd, line, n + 1);
	if (w < 0 || (size_t)w != n + 1)
		return gd_error_make(err, w < 0 ? errno : EIO,
				     "cannot write ledger \"%s\"", l->path);
	/* No fsync: the ledger guards against gameday dying, and a write()
	 * is in the page cache before the change it announces is made.  A
	 * host crash takes every namespace, cgroup, mount and process with
	 * it; the directories that survive carry the prefix cleanup sweeps. */
	if (l->crash_at && ++l->written == l->crash_at)
		raise(SIGKILL);
	return 0;
}

int gd_ledger_read(const char *path, gd_ledger_entry **entries, size_t *n,
		   gd_error **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = gd_read_file(path, 64u << 20, &text, &len, err);
	if (r < 0)
		return r;
	size_t cap = 16, count = 0;
	gd_ledger_entry *v = calloc(cap, sizeof(*v));
	if (!v)
		return gd_error_make(err, ENOMEM, "cannot read ledger \"%s\"",
				     path);
	for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		json_t *o = json_loads(line, 0, NULL);
		const char *op = json_string_value(json_object_get(o, "op"));
		const char *p = json_string_value(json_object_get(o, "path"));
		int k = -1;
		for (int i = 0; op && i <= GD_LEDGER_DONE; i++)
			if (strcmp(op, op_names[i]) == 0)
				k = i;
		if (k >= 0) {
			if (count == cap) {
				cap *= 2;
				gd_ledger_entry *nv =
					realloc(v, cap * sizeof(*v));
				if (!nv)
					abort();
				v = nv;
			}
			gd_ledger_entry *e = &v[count++];
			memset(e, 0, sizeof(*e));
			e->op = (enum gd_ledger_op)k;
			e->path = p ? strdup(p) : NULL;
			e->pid = (pid_t)json_integer_value(
				json_object_get(o, "pid"));
			e->start = (unsigned long long)json_integer_value(
				json_object_get(o, "start"));
		}
		json_decref(o);
	}
	*entries = v;
	*n = count;
	return 0;
}

void gd_ledger_entries_free(gd_ledger_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].path);
	free(e);
}

unsigned long long gd_process_start_time(pid_t pid)
{
	char path[64];
	gd_pathf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_free_ char *text = gd_read_file_or_null(path, 4096);
	if (!text)
		return 0;
	/* The command name is in parentheses and may hold spaces: count
	 * fields from the last ')'. Field 3 (state) follows it. */
	char *p = strrchr(text, ')');
	if (!p)
		return 0;
	p++;
	/* A zombie has done all it will do: it counts as gone. */
	if (p[0] == ' ' && (p[1] == 'Z' || p[1] == 'X'))
		return 0;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}
