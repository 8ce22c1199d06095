#include "agent/journal.h"

#include "base/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void add_field(gd_strbuf *out, const char *s)
{
	gd_strbuf_addch(out, '\t');
	for (; *s; s++) {
		if (*s == '\\')
			gd_strbuf_add(out, "\\\\");
		else if (*s == '\t')
			gd_strbuf_add(out, "\\t");
		else if (*s == '\n')
			gd_strbuf_add(out, "\\n");
		else
			gd_strbuf_addch(out, *s);
	}
}

void ag_entry_encode(const ag_entry *e, gd_strbuf *out)
{
	static const char *const kinds[] = {"file", "attr", "cmd"};
	gd_strbuf_addf(out, "entry\t%lu", e->id);
	add_field(out, e->tag);
	add_field(out, kinds[e->kind]);
	if (e->kind == AG_CMD) {
		for (size_t i = 0; i < e->argc; i++)
			add_field(out, e->argv[i]);
	} else {
		add_field(out, e->path);
		if (e->kind == AG_FILE && e->absent)
			gd_strbuf_add(out, "\tabsent");
		else
			gd_strbuf_addf(out, "\t%u\t%u\t%o", e->uid, e->gid,
				       e->mode);
	}
	gd_strbuf_addch(out, '\n');
}

void ag_done_encode(unsigned long id, gd_strbuf *out)
{
	gd_strbuf_addf(out, "done\t%lu\n", id);
}

/* One line's fields, unescaped, as heap strings; NULL on a bad escape. */
static char **split_line(const char *line, size_t len, size_t *n)
{
	size_t cap = 1;
	for (size_t i = 0; i < len; i++)
		cap += line[i] == '\t';
	char **f = calloc(cap + 1, sizeof(*f));
	char *buf = malloc(len + 1);
	if (!f || !buf) {
		free(f);
		free(buf);
		return NULL;
	}
	/* every field lives in buf, which f[0] owns */
	size_t k = 0, o = 0;
	f[k++] = buf;
	for (size_t i = 0; i < len; i++) {
		char c = line[i];
		if (c == '\t') {
			buf[o++] = '\0';
			f[k++] = buf + o;
			continue;
		}
		if (c == '\\') {
			char x = i + 1 < len ? line[++i] : '\0';
			c = x == '\\'  ? '\\'
			    : x == 't' ? '\t'
			    : x == 'n' ? '\n'
				       : 0;
			if (!c) {
				free(buf);
				free(f);
				return NULL;
			}
		}
		buf[o++] = c;
	}
	buf[o] = '\0';
	*n = k;
	return f;
}

static bool read_ulong(const char *s, int base, unsigned long max,
		       unsigned long *v)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		return false;
	*v = strtoul(s, &end, base);
	return !*end && errno == 0 && *v <= max;
}

static bool read_attrs(char **f, ag_entry *e)
{
	unsigned long uid, gid, mode;
	if (!read_ulong(f[0], 10, 0xffffffffUL, &uid) ||
	    !read_ulong(f[1], 10, 0xffffffffUL, &gid) ||
	    !read_ulong(f[2], 8, 07777, &mode))
		return false;
	e->uid = (unsigned)uid;
	e->gid = (unsigned)gid;
	e->mode = (unsigned)mode;
	return true;
}

static char *dup_or_fail(const char *s, bool *ok)
{
	char *d = strdup(s);
	if (!d)
		*ok = false;
	return d;
}

/* The entry fields after "entry": ID TAG KIND ... */
static bool read_entry(char **f, size_t n, ag_entry *e)
{
	bool ok = true;
	if (n < 4 || !read_ulong(f[1], 10, ~0UL - 1, &e->id))
		return false;
	e->tag = dup_or_fail(f[2], &ok);
	if (strcmp(f[3], "cmd") == 0) {
		e->kind = AG_CMD;
		e->argc = n - 4;
		e->argv = calloc(e->argc + 1, sizeof(char *));
		if (!e->argv || e->argc == 0)
			return false;
		for (size_t i = 0; i < e->argc; i++)
			e->argv[i] = dup_or_fail(f[4 + i], &ok);
		return ok;
	}
	if (n < 6)
		return false;
	e->path = dup_or_fail(f[4], &ok);
	if (strcmp(f[3], "file") == 0) {
		e->kind = AG_FILE;
		if (n == 6 && strcmp(f[5], "absent") == 0)
			return e->absent = true, ok;
		return n == 8 && read_attrs(f + 5, e) && ok;
	}
	e->kind = AG_ATTR;
	return strcmp(f[3], "attr") == 0 && n == 8 && read_attrs(f + 5, e) &&
	       ok;
}

static void entry_free(ag_entry *e)
{
	free(e->tag);
	free(e->path);
	for (size_t i = 0; e->argv && i < e->argc; i++)
		free(e->argv[i]);
	free(e->argv);
}

void ag_journal_free(ag_journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		entry_free(&j->entries[i]);
	free(j->entries);
	memset(j, 0, sizeof(*j));
}

static ag_entry *find_id(ag_journal *j, unsigned long id)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->entries[i].id == id)
			return &j->entries[i];
	return NULL;
}

static bool add_entry(ag_journal *j, ag_entry *e)
{
	if (e->id < j->next_id) /* ids only grow: a repeat is corruption */
		return false;
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 16;
		ag_entry *v = realloc(j->entries, cap * sizeof(*v));
		if (!v)
			return false;
		j->entries = v;
		j->cap = cap;
	}
	j->entries[j->n++] = *e;
	j->next_id = e->id + 1;
	return true;
}

/* One whole line (no newline); false when it does not read. */
static bool read_line(ag_journal *j, const char *line, size_t len)
{
	if (len == 0 || line[0] == '#')
		return true;
	size_t n = 0;
	char **f = split_line(line, len, &n);
	if (!f)
		return false;
	bool ok = false;
	unsigned long id;
	if (strcmp(f[0], "done") == 0 && n == 2) {
		ag_entry *e =
			read_ulong(f[1], 10, ~0UL, &id) ? find_id(j, id) : NULL;
		if (e)
			ok = e->done = true;
	} else if (strcmp(f[0], "entry") == 0) {
		ag_entry e = {0};
		ok = read_entry(f, n, &e) && add_entry(j, &e);
		if (!ok)
			entry_free(&e);
	}
	free(f[0]);
	free(f);
	return ok;
}

int ag_journal_parse(const char *text, size_t len, ag_journal *j, bool *cut,
		     size_t *good, gd_error **err)
{
	size_t pos = 0, lineno = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		if (!nl) /* the power went mid-append: never written whole */
			break;
		size_t n = (size_t)(nl - (text + pos));
		lineno++;
		if (memchr(text + pos, '\0', n) || !read_line(j, text + pos, n))
			return gd_error_set(err, EBADMSG,
					    "journal line %zu does not read",
					    lineno);
		pos += n + 1;
	}
	if (cut)
		*cut = pos < len;
	if (good)
		*good = pos;
	return 0;
}

const ag_entry *ag_journal_saved(const ag_journal *j, const char *path,
				 ag_kind kind)
{
	for (size_t i = 0; i < j->n; i++) {
		const ag_entry *e = &j->entries[i];
		if (e->done || e->kind == AG_CMD || strcmp(e->path, path) != 0)
			continue;
		if (e->kind == AG_FILE || kind == AG_ATTR)
			return e;
	}
	return NULL;
}

size_t ag_journal_plan(const ag_journal *j, const char *tag, size_t *order)
{
	size_t n = 0;
	for (size_t i = j->n; i-- > 0;) {
		const ag_entry *e = &j->entries[i];
		if (!e->done && (!tag || strcmp(e->tag, tag) == 0))
			order[n++] = i;
	}
	return n;
}

bool ag_failure_keeps_run(const ag_entry *e)
{
	return e->kind != AG_CMD;
}

static bool all_of(const char *s, const char *set, size_t max)
{
	size_t n = strlen(s);
	return n >= 1 && n <= max && strspn(s, set) == n;
}

bool ag_run_valid(const char *run)
{
	return all_of(run, "abcdefghijklmnopqrstuvwxyz0123456789-", 40);
}

bool ag_tag_valid(const char *tag)
{
	return all_of(tag,
		      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789._:@-",
		      64);
}

bool ag_path_valid(const char *path)
{
	if (path[0] != '/' || strchr(path, '\n') || strlen(path) >= 4096)
		return false;
	bool named = false;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)))
			return false;
		named |= n > 0;
		p += n;
	}
	return named;
}
