#include "run/progress.h"

#include "base/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK 16384 /* read at a time; a longer line counts as several */

struct file {
	char *name;
	off_t off; /* read up to here: the end of its last whole line */
};

struct gd_progress {
	DIR *dir;
	struct file *v; /* sorted by name up to nsorted */
	size_t n, nsorted, cap;
};

int gd_progress_open(const char *dir, gd_progress **out, gd_error **err)
{
	gd_progress *p = calloc(1, sizeof(*p));
	if (!p)
		return gd_error_make(err, ENOMEM, "cannot watch \"%s\"", dir);
	p->dir = opendir(dir);
	if (!p->dir) {
		int r = gd_error_make(err, errno, "cannot read \"%s\"", dir);
		free(p);
		return r;
	}
	*out = p;
	return 0;
}

void gd_progress_free(gd_progress *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].name);
	free(p->v);
	closedir(p->dir);
	free(p);
}

bool gd_progress_name(const char *name, char *job, size_t job_size, char *node,
		      size_t node_size)
{
	for (const char *c = name; *c; c++)
		if (*c < 0x21 || *c > 0x7e || *c == '/')
			return false;
	const char *last = strrchr(name, '.');
	if (!last || last == name || !last[1])
		return false;
	const char *dot = last - 1;
	while (dot > name && *dot != '.')
		dot--;
	size_t jlen = (size_t)(dot - name), nlen = (size_t)(last - dot - 1);
	if (*dot != '.' || !jlen || !nlen || jlen >= job_size ||
	    nlen >= node_size)
		return false;
	memcpy(job, name, jlen);
	job[jlen] = '\0';
	memcpy(node, dot + 1, nlen);
	node[nlen] = '\0';
	return true;
}

/* Where to cut s to at most max bytes without splitting a character. */
static size_t cut_at(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

void gd_progress_clean(char *line)
{
	char *start = line;
	while (*start == ' ' || *start == '\t')
		start++;
	size_t len = strlen(start);
	memmove(line, start, len + 1);
	for (char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	len = cut_at(line, len, GD_PROGRESS_LINE_MAX);
	while (len && line[len - 1] == ' ')
		len--;
	line[len] = '\0';
	/* jansson refuses what is not UTF-8, and an event must not be lost
	 * for one bad byte. */
	json_t *valid = json_string(line);
	if (!valid)
		for (char *c = line; *c; c++)
			if ((unsigned char)*c >= 0x80)
				*c = '?';
	json_decref(valid);
}

/* The whole lines in buf[0, len) (len > 0), each to fn. */
static void each_line(char *buf, size_t len, const char *name,
		      gd_progress_fn *fn, void *ctx)
{
	char job[NAME_MAX + 1], node[NAME_MAX + 1];
	if (!gd_progress_name(name, job, sizeof(job), node, sizeof(node)))
		return;
	for (char *p = buf; p < buf + len;) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		char *end = nl ? nl : buf + len;
		*end = '\0';
		gd_progress_clean(p);
		fn(job, node, name, p, ctx);
		p = end + 1;
	}
}

/* What file f gained up to size, by whole lines; a line still being
 * written waits for its end. */
static void read_new(int dfd, struct file *f, off_t size, gd_progress_fn *fn,
		     void *ctx)
{
	_cleanup_close_ int fd = openat(
		dfd, f->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	char buf[CHUNK + 1];
	while (f->off < size) {
		ssize_t got = pread(fd, buf, CHUNK, f->off);
		if (got <= 0)
			return;
		char *nl = memrchr(buf, '\n', (size_t)got);
		if (!nl && got < CHUNK)
			return;
		size_t whole = nl ? (size_t)(nl - buf) + 1 : (size_t)got;
		f->off += (off_t)whole;
		buf[whole] = '\0';
		each_line(buf, nl ? whole - 1 : whole, f->name, fn, ctx);
	}
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->name,
		      ((const struct file *)b)->name);
}

/* The file named name: known, or new (appended, sorted later); NULL
 * when it is no progress file or memory runs out. */
static struct file *file_of(gd_progress *p, const char *name)
{
	struct file key = {(char *)name, 0};
	struct file *f = p->nsorted ? bsearch(&key, p->v, p->nsorted,
					      sizeof(*p->v), cmp_file)
				    : NULL;
	if (f)
		return f;
	char job[NAME_MAX + 1], node[NAME_MAX + 1];
	if (!gd_progress_name(name, job, sizeof(job), node, sizeof(node)))
		return NULL;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct file *v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		p->v = v;
		p->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return NULL;
	p->v[p->n] = (struct file){copy, 0};
	return &p->v[p->n++];
}

void gd_progress_poll(gd_progress *p, gd_progress_fn *fn, void *ctx)
{
	int dfd = dirfd(p->dir);
	struct dirent *e;
	rewinddir(p->dir);
	while ((e = readdir(p->dir))) {
		struct stat st;
		if (e->d_name[0] == '.' ||
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		struct file *f = file_of(p, e->d_name);
		if (f && st.st_size > f->off)
			read_new(dfd, f, st.st_size, fn, ctx);
	}
	if (p->n > p->nsorted) {
		qsort(p->v, p->n, sizeof(*p->v), cmp_file);
		p->nsorted = p->n;
	}
}
