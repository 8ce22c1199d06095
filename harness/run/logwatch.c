#include "run/logwatch.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "cluster/events.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	 65536 /* at most this much of one log per poll */
#define MAX_KEYS 4096  /* distinct messages remembered, all logs */
#define AGAIN_MS 10000 /* the same message is news again after this */

struct said {
	char *key;
	int64_t at_ms; /* last reported (real time) */
};
#define MAX_WATCH 2048 /* nodes x logs */

struct watched {
	size_t node;
	char rel[128]; /* under the node's /var/log */
	off_t offset;
};

struct gd_logwatch {
	const gd_cluster_state *st;
	const char *const *logs;
	struct watched files[MAX_WATCH];
	size_t nfiles;
	struct said *said; /* by key ("node\tmessage") */
	size_t nsaid;
};

/* What a system says when something happens to it: errors, and the
 * node and job state changes a rehearsal is about. */
static const char *const notable[] = {
	"error",
	"fatal",
	"not responding",
	"now responding",
	"requeue",
	"expired",
	"rewound",
	"set to down",
	"state down",
	"drain",
	"invalid credential",
	"permission denied",
	"timed out",
};

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

bool gd_log_line_notable(const char *line)
{
	for (size_t i = 0; i < GD_ARRAY_SIZE(notable); i++)
		if (contains_ci(line, notable[i]))
			return true;
	return false;
}

/* Past a leading "[...] " timestamp, as Slurm writes one. */
static const char *message_of(const char *line)
{
	if (*line == '[') {
		const char *end = strstr(line, "] ");
		if (end)
			return end + 2;
	}
	return line;
}

/* A service's output (gameday/NAME.log) says "NAME: " first where its own
 * log file does not: the same message either way. */
static const char *unprefixed(const char *line, const char *rel)
{
	if (strncmp(rel, "gameday/", 8) != 0)
		return line;
	const char *name = rel + 8;
	size_t len = strlen(name) - 4; /* ".log" */
	if (strncmp(line, name, len) == 0 && line[len] == ':' &&
	    line[len + 1] == ' ')
		return line + len + 2;
	return line;
}

void gd_log_line_key(const char *line, char *key, size_t size)
{
	size_t n = 0;
	const char *msg = message_of(line);
	for (const char *p = msg; *p && n + 1 < size; p++) {
		/* numbers vary, names do not: "w12" stays, "47234" goes */
		bool in_word = p > msg && isalpha((unsigned char)p[-1]);
		if (!isdigit((unsigned char)*p)) {
			key[n++] = *p;
			continue;
		}
		if (!in_word)
			key[n++] = '#';
		for (; isdigit((unsigned char)*p) && n + 1 < size; p++)
			if (in_word)
				key[n++] = *p;
		p--;
	}
	key[n] = '\0';
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct said *)a)->key,
		      ((const struct said *)b)->key);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether to report a message now: the first time, and again once
 * AGAIN_MS have passed since it last was (the same message from the next
 * fault is news; a retry loop's thousand lines are not). */
static bool worth_saying(gd_logwatch *w, const char *key, bool baseline)
{
	/* what a healthy cluster says as it starts is never news */
	int64_t now = baseline ? INT64_MAX : now_ms();
	struct said probe = {(char *)key, 0};
	struct said *found = w->nsaid ? bsearch(&probe, w->said, w->nsaid,
						sizeof(*w->said), cmp_key)
				      : NULL;
	if (found) {
		if (found->at_ms == INT64_MAX || now - found->at_ms < AGAIN_MS)
			return false;
		found->at_ms = now;
		return true;
	}
	if (w->nsaid == MAX_KEYS)
		return false;
	char *copy = strdup(key);
	if (!copy)
		return false;
	size_t at = 0;
	while (at < w->nsaid && strcmp(w->said[at].key, key) < 0)
		at++;
	memmove(w->said + at + 1, w->said + at,
		(w->nsaid - at) * sizeof(*w->said));
	w->said[at] = (struct said){copy, now};
	w->nsaid++;
	return true;
}

static void watch(gd_logwatch *w, size_t node, const char *rel)
{
	for (size_t i = 0; i < w->nfiles; i++)
		if (w->files[i].node == node &&
		    strcmp(w->files[i].rel, rel) == 0)
			return;
	if (w->nfiles == MAX_WATCH)
		return;
	struct watched *f = &w->files[w->nfiles++];
	f->node = node;
	snprintf(f->rel, sizeof(f->rel), "%s", rel);
	f->offset = 0;
}

/* Services come and go: their logs are looked for at every poll. */
static void discover(gd_logwatch *w)
{
	for (size_t i = 0; i < w->st->nnodes; i++) {
		for (const char *const *l = w->logs; *l; l++)
			watch(w, i, *l);
		char dir[PATH_MAX];
		gd_pathf(dir, sizeof(dir), "%s/log/gameday",
			 w->st->nodes[i].dir);
		_cleanup_dir_ DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			size_t len = strlen(e->d_name);
			if (len < 5 || strcmp(e->d_name + len - 4, ".log") != 0)
				continue;
			char rel[128];
			snprintf(rel, sizeof(rel), "gameday/%s", e->d_name);
			watch(w, i, rel);
		}
	}
}

int gd_logwatch_open(const gd_cluster_state *st, const char *const *logs,
		     gd_logwatch **out, gd_error **err)
{
	gd_logwatch *w = calloc(1, sizeof(*w));
	if (w)
		w->said = calloc(MAX_KEYS, sizeof(*w->said));
	if (!w || !w->said) {
		free(w);
		return gd_error_make(err, ENOMEM, "cannot watch the logs");
	}
	w->st = st;
	w->logs = logs;
	*out = w;
	return 0;
}

static void line_seen(gd_logwatch *w, const struct watched *f, char *line,
		      int events)
{
	if (!gd_log_line_notable(line))
		return;
	const char *node = w->st->nodes[f->node].name;
	/* Logs are not always UTF-8 (nor is a line cut at 400 bytes): the
	 * event keeps printable ASCII and says '?' for the rest. */
	for (char *p = line; *p; p++)
		if ((unsigned char)*p >= 0x7f ||
		    ((unsigned char)*p < 0x20 && *p != '\t'))
			*p = '?';
	const char *msg = unprefixed(message_of(line), f->rel);
	char key[512];
	int n = snprintf(key, sizeof(key), "%s\t", node);
	if (n < 0 || (size_t)n >= sizeof(key))
		return;
	gd_log_line_key(msg, key + n, sizeof(key) - (size_t)n);
	if (!worth_saying(w, key, events < 0) || events < 0)
		return;
	gd_event(events, GD_EV_SYSTEM_LOG,
		 json_pack("{s:s,s:s,s:s%}", "node", node, "log", f->rel,
			   "line", msg, strnlen(msg, 400)));
}

static void read_new(gd_logwatch *w, struct watched *f, int events)
{
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/log/%s", w->st->nodes[f->node].dir,
		 f->rel);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0)
		return;
	if (sb.st_size < f->offset)
		f->offset = 0; /* rewritten from the start */
	if (sb.st_size == f->offset)
		return;
	static char buf[CHUNK + 1];
	ssize_t got = pread(fd, buf, CHUNK, f->offset);
	if (got <= 0)
		return;
	buf[got] = '\0';
	/* Whole lines only: a line still being written waits for the next
	 * poll, unless it is longer than a chunk (then it is cut there). */
	char *last = memrchr(buf, '\n', (size_t)got);
	if (!last && got < CHUNK)
		return;
	size_t used = last ? (size_t)(last - buf) + 1 : (size_t)got;
	buf[used] = '\0';
	for (char *line = buf, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		line_seen(w, f, line, events);
		if (!nl)
			break;
	}
	f->offset += (off_t)used;
}

void gd_logwatch_poll(gd_logwatch *w, int events)
{
	discover(w);
	for (size_t i = 0; i < w->nfiles; i++)
		read_new(w, &w->files[i], events);
}

void gd_logwatch_free(gd_logwatch *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nsaid; i++)
		free(w->said[i].key);
	free(w->said);
	free(w);
}
