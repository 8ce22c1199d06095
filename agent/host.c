#include "agent/host.h"

#include "base/cleanup.h"
#include "base/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
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

static char *dir_of(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	return copy ? strdup(dirname(copy)) : NULL;
}

/* Beside path: ".NAME.gd-agent-RUN", one name per path and run, so a
 * revert knows which leftover of a cut write to remove. */
static char *tmp_beside(const ag_host *h, const char *full)
{
	_cleanup_free_ char *copy = strdup(full);
	_cleanup_free_ char *dir = dir_of(full);
	if (!copy || !dir)
		return NULL;
	gd_strbuf sb = GD_STRBUF_INIT;
	gd_strbuf_addf(&sb, "%s/.%s.gd-agent-%s", dir, basename(copy), h->run);
	return gd_strbuf_detach(&sb);
}

int ag_state_read(const ag_host *h, const char *path, ag_kind kind, ag_entry *e,
		  gd_error **err)
{
	_cleanup_free_ char *full = ag_host_path(h, path);
	struct stat st;
	if (!full)
		return gd_error_make(err, ENOMEM, "\"%s\"", path);
	if (lstat(full, &st) < 0) {
		if (errno == ENOENT && kind == AG_FILE)
			return e->absent = true, 0;
		return gd_error_make(err, errno, "cannot stat \"%s\"", path);
	}
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
	return 0;
}

/* Every byte of in into out, then out synced. */
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
	return fsync(out);
}

/* from's bytes into a new file tmp with owner and mode, renamed to to and
 * the folder synced: to is the old file or the new one, never a part. */
static int write_over(const char *from, const char *tmp, const char *to,
		      const unsigned attr[3], gd_error **err)
{
	_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return gd_error_make(err, errno, "cannot open \"%s\"", from);
	unlink(tmp); /* a cut write's, or a file in the way */
	_cleanup_close_ int out =
		open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (out < 0)
		return gd_error_make(err, errno, "cannot create \"%s\"", tmp);
	if (pump(in, out) < 0 ||
	    (attr &&
	     (fchown(out, attr[0], attr[1]) < 0 || fchmod(out, attr[2]) < 0)) ||
	    rename(tmp, to) < 0) {
		int e = errno;
		unlink(tmp);
		return gd_error_make(err, e, "cannot write \"%s\"", to);
	}
	_cleanup_free_ char *dir = dir_of(to);
	return dir ? ag_sync_dir(dir, err)
		   : gd_error_make(err, ENOMEM, "\"%s\"", to);
}

int ag_state_keep(const ag_host *h, const char *path, const char *keep,
		  gd_error **err)
{
	_cleanup_free_ char *full = ag_host_path(h, path);
	gd_strbuf tmp = GD_STRBUF_INIT;
	gd_strbuf_addf(&tmp, "%s.tmp", keep);
	int r = full && !tmp.oom ? write_over(full, tmp.buf, keep, NULL, err)
				 : gd_error_make(err, ENOMEM, "\"%s\"", path);
	gd_strbuf_release(&tmp);
	return r;
}

int ag_replace(const ag_host *h, const char *path, const char *from,
	       unsigned uid, unsigned gid, unsigned mode, gd_error **err)
{
	_cleanup_free_ char *full = ag_host_path(h, path);
	_cleanup_free_ char *tmp = full ? tmp_beside(h, full) : NULL;
	if (!tmp)
		return gd_error_make(err, ENOMEM, "\"%s\"", path);
	const unsigned attr[3] = {uid, gid, mode};
	return write_over(from, tmp, full, attr, err);
}

static int unlink_absent(const char *full, const char *path, gd_error **err)
{
	if (unlink(full) < 0 && errno != ENOENT)
		return gd_error_make(err, errno, "cannot remove \"%s\"", path);
	_cleanup_free_ char *dir = dir_of(full);
	if (!dir)
		return gd_error_make(err, ENOMEM, "\"%s\"", path);
	/* its folder gone too is as absent as it gets */
	if (access(dir, F_OK) < 0 && errno == ENOENT)
		return 0;
	return ag_sync_dir(dir, err);
}

static int put_attrs(const char *full, const ag_entry *e, gd_error **err)
{
	/* chown first: it clears set-id bits the mode must keep */
	if (lchown(full, e->uid, e->gid) < 0)
		return gd_error_make(err, errno, "cannot chown \"%s\"",
				     e->path);
	if (chmod(full, e->mode) < 0)
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
	_cleanup_free_ char *tmp = full ? tmp_beside(h, full) : NULL;
	if (!tmp)
		return gd_error_make(err, ENOMEM, "\"%s\"", e->path);
	if (e->kind == AG_ATTR)
		return put_attrs(full, e, err);
	unlink(tmp); /* left by a put cut between its write and rename */
	if (e->absent)
		return unlink_absent(full, e->path, err);
	const unsigned attr[3] = {e->uid, e->gid, e->mode};
	return write_over(keep, tmp, full, attr, err);
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
