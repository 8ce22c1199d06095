/* The journal's side of gd-agent: states and undo commands recorded
 * under the journal's lock before each change, and reverted newest
 * first (agent.h). */
#include "agent/agent.h"
#include "base/cleanup.h"
#include "base/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL_MAX (64u << 20)

/* ---- the journal file ---- */

static int read_fd(int fd, const char *path, char **text, size_t *len,
		   gd_error **err)
{
	gd_strbuf sb = GD_STRBUF_INIT;
	char buf[65536];
	for (off_t off = 0;;) {
		ssize_t n = pread(fd, buf, sizeof(buf), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gd_strbuf_release(&sb);
			return gd_error_make(err, errno, "cannot read \"%s\"",
					     path);
		}
		if (n == 0)
			break;
		gd_strbuf_addn(&sb, buf, (size_t)n);
		off += n;
		if (sb.len > JOURNAL_MAX)
			break;
	}
	*len = sb.len;
	*text = gd_strbuf_detach(&sb);
	if (!*text || *len > JOURNAL_MAX)
		return gd_error_make(err, *text ? EFBIG : ENOMEM,
				     "cannot read \"%s\"", path);
	return 0;
}

/* Opens the run's journal, locks it and reads it into j; a line cut by a
 * power failure is cut off the file too, so the next append starts a line
 * of its own.  The lock lasts as long as *fd. */
int ag_journal_open(agent *a, int *fd, ag_journal *j, gd_error **err)
{
	_cleanup_free_ char *path = ag_in_dir(a, "journal");
	if (!path)
		return gd_error_make(err, ENOMEM, "journal");
	*fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (*fd < 0 && errno == ENOENT)
		return gd_error_set(err, ENOENT,
				    "run \"%s\" is not installed on this host",
				    a->host.run);
	if (*fd < 0)
		return gd_error_make(err, errno, "cannot open \"%s\"", path);
	while (flock(*fd, LOCK_EX) < 0)
		if (errno != EINTR || ag_stopping)
			return gd_error_make(err, errno, "cannot lock \"%s\"",
					     path);
	struct stat st;
	if (fstat(*fd, &st) < 0 || st.st_nlink == 0) /* finished meanwhile */
		return gd_error_set(err, ENOENT, "run \"%s\" has finished",
				    a->host.run);
	_cleanup_free_ char *text = NULL;
	size_t len, good;
	bool cut;
	int r = read_fd(*fd, path, &text, &len, err);
	if (r == 0)
		r = ag_journal_parse(text, len, j, &cut, &good, err);
	if (r < 0)
		return gd_error_prefix(err, "\"%s\"", path);
	if (cut && (ftruncate(*fd, (off_t)good) < 0 || fsync(*fd) < 0))
		return gd_error_make(err, errno, "cannot cut \"%s\"", path);
	if (cut)
		ag_say(a, "journal: a cut last line dropped");
	return 0;
}

/* One line, whole and synced, before whatever it undoes is done. */
static int journal_append(int fd, gd_strbuf *line, gd_error **err)
{
	if (line->oom)
		return gd_error_make(err, ENOMEM, "journal line");
	ssize_t n = write(fd, line->buf, line->len);
	if (n != (ssize_t)line->len || fsync(fd) < 0)
		return gd_error_make(err, n < 0 ? errno : EIO,
				     "cannot append to the journal");
	return 0;
}

static int append_entry(int fd, const ag_entry *e, gd_error **err)
{
	_cleanup_strbuf_ gd_strbuf line = GD_STRBUF_INIT;
	ag_entry_encode(e, &line);
	return journal_append(fd, &line, err);
}

/* ---- record ---- */

static char *saved_path(const agent *a, unsigned long id)
{
	char *p = NULL;
	return asprintf(&p, "%s/saved/%lu", a->dir, id) < 0 ? NULL : p;
}

/* PATH's present state into the journal, unless a pending entry already
 * holds an earlier one.  The bytes are kept (synced) before the entry
 * that names them is written. */
static int save_locked(agent *a, int fd, const ag_journal *j, ag_kind kind,
		       gd_error **err)
{
	const char *path = a->args[0];
	if (ag_journal_saved(j, path, kind)) {
		ag_say(a, "%s: saved already, first state kept", path);
		return 0;
	}
	ag_entry e = {.id = j->next_id,
		      .kind = kind,
		      .tag = (char *)a->tag,
		      .path = (char *)path};
	_cleanup_free_ char *keep = saved_path(a, e.id);
	int r = keep ? ag_state_save(&a->host, path, kind, &e, keep, err)
		     : gd_error_make(err, ENOMEM, "saved");
	if (r == 0)
		r = append_entry(fd, &e, err);
	if (r == 0)
		ag_say(a, "%s: saved as %lu%s", path, e.id,
		       e.absent ? " (absent)" : "");
	return r;
}

static int op_save_kind(agent *a, ag_kind kind, gd_error **err)
{
	_cleanup_close_ int fd = -1;
	ag_journal j = {0};
	int r = ag_journal_open(a, &fd, &j, err);
	if (r == 0)
		r = save_locked(a, fd, &j, kind, err);
	ag_journal_free(&j);
	return r;
}

int ag_op_save(agent *a, gd_error **err)
{
	return op_save_kind(a, AG_FILE, err);
}

int ag_op_save_attr(agent *a, gd_error **err)
{
	return op_save_kind(a, AG_ATTR, err);
}

/* stdin into a file of the run's, read whole before the journal is
 * locked: a caller whose connection hangs must not hold the lock a
 * watcher needs to revert. */
static int stage_stdin(const agent *a, char **staged, gd_error **err)
{
	if (asprintf(staged, "%s/put.%d", a->dir, (int)getpid()) < 0)
		return *staged = NULL, gd_error_make(err, ENOMEM, "put");
	_cleanup_close_ int fd = open(
		*staged, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		0600);
	if (fd < 0)
		return gd_error_make(err, errno, "cannot create \"%s\"",
				     *staged);
	char buf[65536];
	ssize_t n;
	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(fd, buf, (size_t)n) != n)
			return gd_error_make(err, errno, "cannot read stdin");
	}
	return 0;
}

/* The owner and mode a put gives: the options', else the file's own,
 * else 0644 and ours. */
static int put_attrs(const agent *a, unsigned attr[3], gd_error **err)
{
	ag_entry now = {0};
	int r = ag_state_read(&a->host, a->args[0], AG_FILE, &now, err);
	if (r < 0)
		return r;
	attr[0] = now.absent ? (unsigned)geteuid() : now.uid;
	attr[1] = now.absent ? (unsigned)getegid() : now.gid;
	attr[2] = now.absent ? 0644 : now.mode;
	char *end;
	if (a->mode) {
		unsigned long m = strtoul(a->mode, &end, 8);
		if (*end || !*a->mode || m > 07777)
			return gd_error_set(err, EINVAL, "bad --mode \"%s\"",
					    a->mode);
		attr[2] = (unsigned)m;
	}
	if (a->owner && sscanf(a->owner, "%u:%u", &attr[0], &attr[1]) != 2)
		return gd_error_set(err, EINVAL, "bad --owner \"%s\"",
				    a->owner);
	return 0;
}

int ag_op_put(agent *a, gd_error **err)
{
	unsigned attr[3];
	/* the run's journal as it was before the staging: a folder without
	 * one is not a run's to write into */
	_cleanup_free_ char *jpath = ag_in_dir(a, "journal");
	_cleanup_close_ int before =
		jpath ? open(jpath, O_RDONLY | O_CLOEXEC) : -1;
	if (before < 0)
		return gd_error_set(err, ENOENT,
				    "run \"%s\" is not installed on this host",
				    a->host.run);
	int r = put_attrs(a, attr, err);
	_cleanup_free_ char *staged = NULL;
	if (r == 0)
		r = stage_stdin(a, &staged, err);
	_cleanup_close_ int fd = -1;
	ag_journal j = {0};
	if (r == 0)
		r = ag_journal_open(a, &fd, &j, err);
	if (r == 0)
		r = save_locked(a, fd, &j, AG_FILE, err);
	if (r == 0)
		r = ag_replace(&a->host, a->args[0], staged, attr[0], attr[1],
			       attr[2], err);
	if (r == 0)
		ag_say(a, "%s: written (%u:%u %o)", a->args[0], attr[0],
		       attr[1], attr[2]);
	if (staged)
		unlink(staged);
	/* the run finished while we staged (its journal unlinked): the
	 * finish's rmdir may have failed on our file, so the folder, empty
	 * now, goes (rmdir: only when empty) */
	struct stat st;
	if (staged && r < 0 && fstat(before, &st) == 0 && st.st_nlink == 0)
		rmdir(a->dir);
	ag_journal_free(&j);
	return r;
}

/* A command entry of argv, appended under the lock held by fd. */
static int journal_cmd(agent *a, char **argv, size_t argc, gd_error **err,
		       int *fd)
{
	ag_journal j = {0};
	int r = ag_journal_open(a, fd, &j, err);
	ag_entry e = {.id = j.next_id,
		      .kind = AG_CMD,
		      .tag = (char *)a->tag,
		      .argv = argv,
		      .argc = argc};
	if (r == 0)
		r = append_entry(*fd, &e, err);
	if (r == 0)
		ag_say(a, "undo %lu: %s", e.id, argv[0]);
	ag_journal_free(&j);
	return r;
}

int ag_op_on_revert(agent *a, gd_error **err)
{
	_cleanup_close_ int fd = -1;
	return journal_cmd(a, a->args, a->nargs, err, &fd);
}

int ag_op_do(agent *a, gd_error **err)
{
	_cleanup_close_ int fd = -1;
	int r = journal_cmd(a, a->undo, a->nundo, err, &fd);
	if (r < 0) /* no undo written, no change made */
		return r;
	r = ag_run_argv(a->args, err);
	ag_say(a, "change %s: %s", a->args[0], r == 0 ? "done" : "failed");
	return r < 0 ? gd_error_prefix(err, "change") : 0;
}

/* ---- revert ---- */

/* The pending entries of tag (all when NULL), newest first, each marked
 * done once reverted; a failure is said and the rest still run. */
int ag_revert_locked(agent *a, int fd, const ag_journal *j, const char *tag,
		     bool *kept, gd_error **err)
{
	if (kept)
		*kept = false;
	_cleanup_free_ size_t *order = calloc(j->n + 1, sizeof(*order));
	if (!order)
		return gd_error_make(err, ENOMEM, "revert");
	size_t n = ag_journal_plan(j, tag, order), failed = 0;
	for (size_t i = 0; i < n; i++) {
		const ag_entry *e = &j->entries[order[i]];
		_cleanup_free_ char *keep = saved_path(a, e->id);
		gd_error *why = NULL;
		_cleanup_strbuf_ gd_strbuf done = GD_STRBUF_INIT;
		ag_done_encode(e->id, &done);
		int r = keep ? ag_revert(&a->host, e, keep, &why)
			     : gd_error_make(&why, ENOMEM, "revert");
		if (r == 0)
			r = journal_append(fd, &done, &why);
		if (r < 0) {
			failed++;
			if (kept && ag_failure_keeps_run(e))
				*kept = true;
			ag_say(a, "entry %lu (%s): %s", e->id, e->tag,
			       why->msg);
			if (!a->watcher) /* whose ag_say went there */
				fprintf(stderr,
					"gd-agent %s: entry %lu (%s): %s\n",
					a->op, e->id, e->tag, why->msg);
		}
		gd_error_free(why);
	}
	ag_say(a, "%zu entries reverted, %zu failed", n - failed, failed);
	if (failed)
		return gd_error_set(err, EIO, "%zu of %zu entries failed",
				    failed, n);
	return 0;
}

int ag_op_revert(agent *a, gd_error **err)
{
	_cleanup_close_ int fd = -1;
	ag_journal j = {0};
	int r = ag_journal_open(a, &fd, &j, err);
	if (r == 0)
		r = ag_revert_locked(a, fd, &j, a->tag, NULL, err);
	ag_journal_free(&j);
	return r;
}

/* ---- reading ---- */

int ag_op_status(agent *a, gd_error **err)
{
	_cleanup_close_ int fd = -1;
	ag_journal j = {0};
	int r = ag_journal_open(a, &fd, &j, err);
	for (size_t i = 0; r == 0 && i < j.n; i++) {
		if (j.entries[i].done)
			continue;
		_cleanup_strbuf_ gd_strbuf line = GD_STRBUF_INIT;
		ag_entry_encode(&j.entries[i], &line);
		fputs(line.buf + strlen("entry\t"), stdout);
	}
	ag_journal_free(&j);
	return r;
}

/* The journal, created with its header unless there: a second install
 * keeps what the first recorded. */
int ag_journal_create(const agent *a, gd_error **err)
{
	_cleanup_free_ char *path = ag_in_dir(a, "journal");
	_cleanup_free_ char *log = ag_in_dir(a, "agent.log");
	if (!path || !log)
		return gd_error_make(err, ENOMEM, "journal");
	_cleanup_close_ int lfd =
		open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	_cleanup_close_ int fd =
		open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	struct stat st;
	if (fd < 0 || lfd < 0 || flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0)
		return gd_error_make(err, errno, "cannot create \"%s\"", path);
	if (st.st_size > 0)
		return 0;
	gd_strbuf head = GD_STRBUF_INIT;
	gd_strbuf_add(&head, AG_JOURNAL_HEADER);
	int r = journal_append(fd, &head, err);
	gd_strbuf_release(&head);
	return r;
}
