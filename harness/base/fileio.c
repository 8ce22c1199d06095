#include "base/fileio.h"

#include "base/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int gd_read_file(const char *path, size_t max, char **buf, size_t *len,
		 gd_error **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gd_error_make(err, errno, "cannot open \"%s\"", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return gd_error_make(err, errno, "cannot stat \"%s\"", path);
	if (S_ISDIR(st.st_mode))
		return gd_error_make(err, EISDIR, "cannot read \"%s\"", path);

	size_t cap = 4096, n = 0;
	_cleanup_free_ char *data = malloc(cap + 1);
	if (!data)
		return gd_error_make(err, ENOMEM, "cannot read \"%s\"", path);
	for (;;) {
		if (n == cap) {
			if (cap >= max)
				return gd_error_make(
					err, EFBIG,
					"cannot read \"%s\" (over %zu bytes)",
					path, max);
			cap *= 2;
			char *p = realloc(data, cap + 1);
			if (!p)
				return gd_error_make(err, ENOMEM,
						     "cannot read \"%s\"",
						     path);
			data = p;
		}
		ssize_t got = read(fd, data + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return gd_error_make(err, errno, "cannot read \"%s\"",
					     path);
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > max)
		return gd_error_make(err, EFBIG,
				     "cannot read \"%s\" (over %zu bytes)",
				     path, max);
	data[n] = '\0';
	*len = n;
	*buf = TAKE_PTR(data);
	return 0;
}

char *gd_read_file_or_null(const char *path, size_t max)
{
	char *text = NULL;
	size_t len;
	gd_error *err = NULL;
	if (gd_read_file(path, max, &text, &len, &err) < 0) {
		gd_error_free(err);
		return NULL;
	}
	return text;
}

void gd_pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr,
			"gameday: internal error: path too long: %s...\n", buf);
		abort();
	}
}

static int rm_entry(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

static int rm_below(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	return ftw->level ? rm_entry(path, st, type, ftw) : 0;
}

int gd_remove_tree(const char *dir, bool contents_only, gd_error **err)
{
	if (nftw(dir, contents_only ? rm_below : rm_entry, 32,
		 FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 &&
	    errno != ENOENT)
		return gd_error_make(err, errno, "cannot remove \"%s\"", dir);
	return 0;
}

int gd_write_file(const char *path, const char *data, size_t len, mode_t mode,
		  gd_error **err)
{
	_cleanup_close_ int fd =
		open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		return gd_error_make(err, errno, "cannot write \"%s\"", path);
	return 0;
}

int gd_mkdir_mode(const char *path, mode_t mode, gd_error **err)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return gd_error_make(err, errno, "cannot create \"%s\"", path);
	/* chmod, since the umask may have taken bits mkdir was given */
	if (chmod(path, mode) < 0)
		return gd_error_make(err, errno, "cannot chmod \"%s\"", path);
	return 0;
}

int gd_copy_file(const char *from, const char *to, size_t max, mode_t mode,
		 gd_error **err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r = gd_read_file(from, max, &data, &len, err);
	if (r < 0)
		return r;
	r = gd_write_file(to, data, len, mode, err);
	if (r == 0 && chmod(to, mode) < 0)
		r = gd_error_make(err, errno, "cannot chmod \"%s\"", to);
	return r;
}

int gd_mkdir_p(const char *path, mode_t mode, gd_error **err)
{
	char buf[PATH_MAX];
	gd_pathf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return gd_error_make(err, errno, "cannot create \"%s\"",
					     buf);
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return gd_error_make(err, errno, "cannot create \"%s\"", buf);
	return 0;
}

/* All of in into out; *bytes adds what went.  0, or -1 with errno. */
static int pump(int in, int out, size_t *bytes)
{
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0)
				return -1;
			off += w;
		}
		*bytes += (size_t)n;
	}
	return n < 0 ? -1 : 0;
}

struct copy {
	uid_t uid;
	gid_t gid;
	int mode;
	size_t bytes;
};

static int copy_bytes(const char *from, const char *to, mode_t mode,
		      struct copy *cp, gd_error **err)
{
	_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return gd_error_make(err, errno, "cannot read \"%s\"", from);
	unlink(to);
	_cleanup_close_ int out =
		open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0)
		return gd_error_make(err, errno, "cannot create \"%s\"", to);
	if (pump(in, out, &cp->bytes) < 0)
		return gd_error_make(err, errno, "cannot copy \"%s\" to \"%s\"",
				     from, to);
	/* Owner before mode: chown clears set-id bits. */
	if (fchown(out, cp->uid, cp->gid) < 0 || fchmod(out, mode) < 0)
		return gd_error_make(err, errno,
				     "cannot set the owner of \"%s\"", to);
	return 0;
}

static int copy_one(const char *from, const char *to, struct copy *cp,
		    gd_error **err);

static int copy_dir(const char *from, const char *to, mode_t mode,
		    struct copy *cp, gd_error **err)
{
	if (mkdir(to, 0700) < 0 && errno != EEXIST)
		return gd_error_make(err, errno, "cannot create \"%s\"", to);
	_cleanup_dir_ DIR *d = opendir(from);
	if (!d)
		return gd_error_make(err, errno, "cannot read \"%s\"", from);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char f[PATH_MAX], t[PATH_MAX];
		gd_pathf(f, sizeof(f), "%s/%s", from, e->d_name);
		gd_pathf(t, sizeof(t), "%s/%s", to, e->d_name);
		int r = copy_one(f, t, cp, err);
		if (r < 0)
			return r;
	}
	if (chown(to, cp->uid, cp->gid) < 0 || chmod(to, mode) < 0)
		return gd_error_make(err, errno,
				     "cannot set the owner of \"%s\"", to);
	return 0;
}

static int copy_one(const char *from, const char *to, struct copy *cp,
		    gd_error **err)
{
	struct stat st;
	if (lstat(from, &st) < 0)
		return gd_error_make(err, errno, "cannot read \"%s\"", from);
	mode_t mode = st.st_mode & 07777;
	if (cp->mode >= 0)
		mode = (mode_t)cp->mode;
	if (S_ISDIR(st.st_mode)) {
		/* a folder is searchable by whom the mode lets read */
		if (cp->mode >= 0)
			mode |= (mode & 0444) >> 2;
		return copy_dir(from, to, mode, cp, err);
	}
	if (S_ISREG(st.st_mode))
		return copy_bytes(from, to, mode, cp, err);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(from, target, sizeof(target) - 1);
		if (n < 0)
			return gd_error_make(err, errno, "cannot read \"%s\"",
					     from);
		target[n] = '\0';
		unlink(to);
		if (symlink(target, to) < 0 || lchown(to, cp->uid, cp->gid) < 0)
			return gd_error_make(err, errno, "cannot create \"%s\"",
					     to);
		return 0;
	}
	return gd_error_make(err, EINVAL,
			     "\"%s\" is neither a file, a folder nor a link",
			     from);
}

int gd_copy_tree(const char *from, const char *to, uid_t uid, gid_t gid,
		 int mode, size_t *bytes, gd_error **err)
{
	char parent[PATH_MAX];
	gd_pathf(parent, sizeof(parent), "%s", to);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		int r = gd_mkdir_p(parent, 0755, err);
		if (r < 0)
			return r;
	}
	struct copy cp = {uid, gid, mode, 0};
	int r = copy_one(from, to, &cp, err);
	if (bytes)
		*bytes += cp.bytes;
	return r;
}

/* One component at a time, none of them a link nor "..": what openat2's
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS does, where that call is missing
 * (valgrind, which make check runs the unit tests under, lacks it). */
int gd_open_beneath(const char *root, const char *rel, int flags)
{
	int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char part[NAME_MAX + 1];
	const char *p = rel;
	while (dfd >= 0) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0 || len > NAME_MAX ||
		    (len == 2 && p[0] == '.' && p[1] == '.')) {
			close(dfd);
			errno = EINVAL;
			return -1;
		}
		memcpy(part, p, len);
		part[len] = '\0';
		int next = openat(dfd, part,
				  slash ? O_PATH | O_DIRECTORY | O_NOFOLLOW |
						  O_CLOEXEC
					: flags | O_RDONLY | O_NOFOLLOW |
						  O_NONBLOCK | O_CLOEXEC);
		close(dfd);
		dfd = next;
		if (!slash)
			break;
		p = slash + 1;
	}
	struct stat st;
	if (dfd >= 0 && !(flags & O_DIRECTORY) &&
	    (fstat(dfd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(dfd);
		errno = EINVAL;
		return -1;
	}
	return dfd;
}

char *gd_read_beneath(const char *root, const char *rel, size_t max)
{
	_cleanup_close_ int fd = gd_open_beneath(root, rel, 0);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size > max)
		return NULL;
	char *text = calloc(1, (size_t)st.st_size + 1);
	size_t got = 0;
	while (text && got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return text;
}

int gd_copy_beneath(const char *root, const char *rel, const char *to,
		    mode_t mode)
{
	_cleanup_close_ int in = gd_open_beneath(root, rel, 0);
	if (in < 0)
		return -1;
	unlink(to);
	_cleanup_close_ int out =
		open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0)
		return -1;
	size_t bytes = 0;
	return pump(in, out, &bytes);
}
