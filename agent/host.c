#include "agent/host.h"

#include "base/cleanup.h"
#include "base/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *ag_host_path(const ag_host *h, const char *path)
{
	gd_strbuf sb = GD_STRBUF_INIT;
	if (strcmp(h->root, "/") != 0) {
		gd_strbuf_add(&sb, h->root);
		while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
			sb.buf[--sb.len] = '\0';
	}
	gd_strbuf_add(&sb, path);
	return gd_strbuf_detach(&sb);
}

int ag_sync_dir(const char *dir, gd_error **err)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return gd_error_make(err, errno, "cannot sync folder \"%s\"",
				     dir);
	return 0;
}

/* The folder holding full, opened for *at calls and fsync, and full's
 * last component (a heap string).  Every write below goes through this
 * descriptor: a folder swapped in by a link after the check is never the
 * one written into. */
static int open_parent(const char *full, int *dfd, char **base)
{
	const char *slash = strrchr(full, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	_cleanup_free_ char *dir =
		slash == full ? strdup("/")
			      : strndup(full, (size_t)(slash - full));
	*base = strdup(slash + 1);
	if (!dir || !*base)
		return -ENOMEM;
	*dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return *dfd < 0 ? -errno : 0;
}

/* Beside a file named base: ".BASE.gd-agent-RUN", one name per path and
 * run, so a revert knows which leftover of a cut write to remove. */
static char *tmp_name(const ag_host *h, const char *base)
{
	gd_strbuf sb = GD_STRBUF_INIT;
	gd_strbuf_addf(&sb, ".%s.gd-agent-%s", base, h->run);
	return gd_strbuf_detach(&sb);
}

/* A readable descriptor of the file fd (O_PATH) names, the same inode
 * (checked against st): no name is looked up again, so nothing swapped
 * in since the check is read, and a device or a FIFO is never opened. */
static int reopen_regular(int fd, const struct stat *st)
{
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	int in = open(proc, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	struct stat now;
	if (in >= 0 && (fstat(in, &now) < 0 || now.st_dev != st->st_dev ||
			now.st_ino != st->st_ino)) {
		close(in);
		errno = ESTALE;
		return -1;
	}
	return in;
}

/* Every byte of in into out (not synced). */
static int pump(int in, int out)
{
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno != EINTR)
				return -1;
			off += w > 0 ? w : 0;
		}
	}
	return 0;
}

/* in's bytes into a new file tmp in the folder dfd (never through a link:
 * O_EXCL, O_NOFOLLOW), given owner and mode on its descriptor, synced,
 * renamed over base there and the folder synced: base is the old file or
 * the new one, never a part, and a link at base is replaced, never
 * followed. */
static int write_over(int in, int dfd, const char *tmp, const char *base,
		      const unsigned attr[3], const char *name, gd_error **err)
{
	unlinkat(dfd, tmp, 0); /* a cut write's, or a file in the way */
	_cleanup_close_ int out = openat(
		dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		0600);
	if (out < 0)
		return gd_error_make(
			err, errno, "cannot create a file beside \"%s\"", name);
	/* chown first: it clears set-id bits the mode must keep */
	if (pump(in, out) < 0 ||
	    (attr &&
	     (fchown(out, attr[0], attr[1]) < 0 || fchmod(out, attr[2]) < 0)) ||
	    fsync(out) < 0 || renameat(dfd, tmp, dfd, base) < 0) {
		int e = errno;
		unlinkat(dfd, tmp, 0);
		return gd_error_make(err, e, "cannot write \"%s\"", name);
	}
	if (fsync(dfd) < 0)
		return gd_error_make(err, errno,
				     "cannot sync the folder of \"%s\"", name);
	return 0;
}

/* in's bytes to keep (a path of ours), through keep.tmp beside it. */
static int keep_bytes(int in, const char *keep, gd_error **err)
{
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *base = NULL, *tmp = NULL;
	int r = open_parent(keep, &dfd, &base);
	if (r < 0)
		return gd_error_make(err, -r,
				     "cannot open the folder of \"%s\"", keep);
	if (asprintf(&tmp, "%s.tmp", base) < 0)
		return tmp = NULL, gd_error_make(err, ENOMEM, "\"%s\"", keep);
	return write_over(in, dfd, tmp, base, NULL, keep, err);
}

int ag_state_save(const ag_host *h, const char *path, ag_kind kind, ag_entry *e,
		  const char *keep, gd_error **err)
{
	_cleanup_free_ char *full = ag_host_path(h, path);
	if (!full)
		return gd_error_make(err, ENOMEM, "\"%s\"", path);
	/* the path itself, a link included, opened for nothing but fstat:
	 * what is checked below is what is recorded and kept */
	_cleanup_close_ int fd = open(full, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 && errno == ENOENT && kind == AG_FILE)
		return e->absent = true, 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return gd_error_make(err, errno, "cannot stat \"%s\"", path);
	if (S_ISLNK(st.st_mode))
		return gd_error_set(
			err, ELOOP,
			"\"%s\" is a symbolic link: name its target", path);
	if (kind == AG_FILE && !S_ISREG(st.st_mode))
		return gd_error_set(err, EINVAL, "\"%s\" is not a regular file",
				    path);
	e->absent = false;
	e->uid = st.st_uid;
	e->gid = st.st_gid;
	e->mode = st.st_mode & 07777;
	if (!keep || kind != AG_FILE)
		return 0;
	_cleanup_close_ int in = reopen_regular(fd, &st);
	if (in < 0)
		return gd_error_make(err, errno, "cannot open \"%s\"", path);
	return keep_bytes(in, keep, err);
}

int ag_state_read(const ag_host *h, const char *path, ag_kind kind, ag_entry *e,
		  gd_error **err)
{
	return ag_state_save(h, path, kind, e, NULL, err);
}

/* from's bytes (a file of ours, never through a link) over full, by way
 * of the run's temporary name beside it. */
static int replace_from(const ag_host *h, const char *full, const char *name,
			const char *from, const unsigned attr[3],
			gd_error **err)
{
	_cleanup_close_ int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return gd_error_make(err, errno, "cannot open \"%s\"", from);
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *base = NULL, *tmp = NULL;
	int r = open_parent(full, &dfd, &base);
	if (r < 0)
		return gd_error_make(err, -r,
				     "cannot open the folder of \"%s\"", name);
	tmp = tmp_name(h, base);
	if (!tmp)
		return gd_error_make(err, ENOMEM, "\"%s\"", name);
	return write_over(in, dfd, tmp, base, attr, name, err);
}

int ag_replace(const ag_host *h, const char *path, const char *from,
	       unsigned uid, unsigned gid, unsigned mode, gd_error **err)
{
	_cleanup_free_ char *full = ag_host_path(h, path);
	if (!full)
		return gd_error_make(err, ENOMEM, "\"%s\"", path);
	const unsigned attr[3] = {uid, gid, mode};
	return replace_from(h, full, path, from, attr, err);
}

/* The run's temporary file beside path (a put cut between its write and
 * rename), then path itself when e says it was absent; the folder synced.
 * Its folder gone too is as absent as it gets. */
static int remove_ours(const ag_host *h, const char *full, const ag_entry *e,
		       gd_error **err)
{
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *base = NULL, *tmp = NULL;
	int r = open_parent(full, &dfd, &base);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return gd_error_make(
			err, -r, "cannot open the folder of \"%s\"", e->path);
	tmp = tmp_name(h, base);
	if (!tmp)
		return gd_error_make(err, ENOMEM, "\"%s\"", e->path);
	bool gone = unlinkat(dfd, tmp, 0) == 0;
	if (e->absent && unlinkat(dfd, base, 0) < 0 && errno != ENOENT)
		return gd_error_make(err, errno, "cannot remove \"%s\"",
				     e->path);
	if ((gone || e->absent) && fsync(dfd) < 0)
		return gd_error_make(err, errno,
				     "cannot sync the folder of \"%s\"",
				     e->path);
	return 0;
}

/* Owner and mode back on what is at full now, by its descriptor: a link
 * put there since the save is refused, never followed (a chmod through
 * it would change its target, /etc/shadow as well as anything). */
static int put_attrs(const char *full, const ag_entry *e, gd_error **err)
{
	_cleanup_close_ int fd = open(full, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return gd_error_make(err, errno, "cannot open \"%s\"", e->path);
	if (S_ISLNK(st.st_mode))
		return gd_error_set(err, ELOOP,
				    "\"%s\" is a symbolic link now: not "
				    "followed, owner and mode not restored",
				    e->path);
	/* chown first: it clears set-id bits the mode must keep */
	if (fchownat(fd, "", e->uid, e->gid, AT_EMPTY_PATH) < 0)
		return gd_error_make(err, errno, "cannot chown \"%s\"",
				     e->path);
	/* fchmod refuses an O_PATH descriptor; its /proc name is the inode
	 * itself, whatever is at full by now */
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (chmod(proc, e->mode) < 0)
		return gd_error_make(err, errno, "cannot chmod \"%s\"",
				     e->path);
	return 0;
}

int ag_revert(const ag_host *h, const ag_entry *e, const char *keep,
	      gd_error **err)
{
	if (e->kind == AG_CMD)
		return ag_run_argv(e->argv, err);
	_cleanup_free_ char *full = ag_host_path(h, e->path);
	if (!full)
		return gd_error_make(err, ENOMEM, "\"%s\"", e->path);
	if (e->kind == AG_ATTR)
		return put_attrs(full, e, err);
	if (e->absent)
		return remove_ours(h, full, e, err);
	const unsigned attr[3] = {e->uid, e->gid, e->mode};
	return replace_from(h, full, e->path, keep, attr, err);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Waits for pid, killing its group at the limit; its wait status. */
static int wait_limited(pid_t pid, int *status)
{
	for (long waited = 0;; waited += 10) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (waited == AG_CMD_LIMIT_S * 1000L)
			kill(-pid, SIGKILL);
		sleep_ms(10);
	}
}

int ag_run_argv(char *const argv[], gd_error **err)
{
	pid_t pid = fork();
	if (pid < 0)
		return gd_error_make(err, errno, "cannot fork for \"%s\"",
				     argv[0]);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL); /* what programs expect */
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	if (wait_limited(pid, &st) < 0)
		return gd_error_make(err, errno, "cannot wait for \"%s\"",
				     argv[0]);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return gd_error_set(err, ENOENT,
				    "\"%s\" exited 127 (not found?)", argv[0]);
	if (WIFEXITED(st))
		return gd_error_set(err, EIO, "\"%s\" exited %d", argv[0],
				    WEXITSTATUS(st));
	return gd_error_set(err, EIO, "\"%s\" killed by signal %d%s", argv[0],
			    WTERMSIG(st),
			    WTERMSIG(st) == SIGKILL ? " (time limit?)" : "");
}

/* Everything below the folder open as fd, then closes it; depth bounds
 * the walk (the run's folder is two deep). */
static int empty_dir(int fd, int depth)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	int r = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR || depth <= 0) {
			r = -errno;
			continue;
		}
		int sub =
			openat(dirfd(d), e->d_name,
			       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int s = sub < 0 ? -errno : empty_dir(sub, depth - 1);
		if (s == 0 && unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0)
			s = -errno;
		if (s < 0)
			r = s;
	}
	closedir(d);
	return r;
}

int ag_remove_dir(const char *dir, gd_error **err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT
			       ? 0
			       : gd_error_make(err, errno,
					       "cannot remove \"%s\"", dir);
	int r = empty_dir(fd, 4);
	if (r == 0 && rmdir(dir) < 0 && errno != ENOENT)
		r = -errno;
	return r < 0 ? gd_error_make(err, -r, "cannot remove \"%s\"", dir) : 0;
}
