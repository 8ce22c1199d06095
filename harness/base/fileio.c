#include "base/fileio.h"

#include "base/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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
