#include "workload/trace.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A month of a busy cluster's export is a few MB; more is a wrong file. */
#define TRACE_MAX_FILE (64u << 20)

enum col {
	C_JOBID,
	C_SUBMIT,
	C_START,
	C_END,
	C_ELAPSED,
	C_NCPUS,
	C_PARTITION,
	C_STATE,
	C_TIMELIMIT,
	NCOLS
};

static const char *const col_names[NCOLS] = {
	"JobID", "Submit",    "Start", "End",	    "Elapsed",
	"NCPUS", "Partition", "State", "Timelimit",
};

#define SACCT_COLUMNS                                                          \
	"JobID,Submit,Start,End,Elapsed,NCPUS,Partition,State,Timelimit"

typedef struct field {
	const char *p;
	size_t len;
	int col; /* 1-based byte column */
} field;

typedef struct reader {
	gd_arena *a;
	const char *file;
	const char *pos, *end; /* the text not read yet */
	unsigned line;	       /* of the line last read */
	bool trailing_pipe;    /* sacct -p: every line ends with '|' */
	size_t nheader;
	int where[NCOLS]; /* each column's position on the header */
	field *fields;	  /* the current line's, nheader of them */
	gd_error **err;
} reader;

/* One data line, read and checked; what it means is decided after. */
typedef enum row_kind { ROW_JOB, ROW_STEP, ROW_PENDING_ARRAY } row_kind;

typedef struct row {
	row_kind kind;
	size_t tasks; /* of a pending array range */
	gd_trace_time submit, start;
	bool started, ended;
	gd_ms elapsed, limit;
	unsigned ncpus;
	bool pending, cancelled, running;
} row;

/* ---- messages ---- */

/* The value as the user wrote it, cut and with control characters
 * escaped: one message stays one line. */
static void add_value(gd_strbuf *sb, const field *f)
{
	size_t n = f->len > 60 ? 57 : f->len;
	gd_strbuf_addch(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f->p[i];
		if (c < 0x20 || c == 0x7f)
			gd_strbuf_addf(sb, "\\x%02x", c);
		else
			gd_strbuf_addch(sb, (char)c);
	}
	gd_strbuf_add(sb, n < f->len ? "...\"" : "\"");
}

static int fail_at(const reader *r, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail_at(const reader *r, int col, const char *fmt, ...)
{
	_cleanup_strbuf_ gd_strbuf sb = GD_STRBUF_INIT;
	gd_strbuf_addf(&sb, "%s:%u:%d: ", r->file, r->line, col);
	va_list ap;
	va_start(ap, fmt);
	gd_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return gd_error_set(r->err, EINVAL, "%s", sb.buf);
}

/* "FILE:LINE:COL: Elapsed \"1:2:3:4\": expected ..." */
static int bad(const reader *r, enum col c, const char *expected)
{
	const field *f = &r->fields[r->where[c]];
	_cleanup_strbuf_ gd_strbuf sb = GD_STRBUF_INIT;
	gd_strbuf_addf(&sb, "%s ", col_names[c]);
	add_value(&sb, f);
	return fail_at(r, f->col, "%s: expected %s", sb.buf, expected);
}

/* ---- values ---- */

static bool is(const field *f, const char *word)
{
	return f->len == strlen(word) && memcmp(f->p, word, f->len) == 0;
}

static bool isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits at *p (at most 18, so the value fits), advancing past them. */
static bool read_num(const char **p, const char *end, int64_t *v)
{
	const char *s = *p;
	int64_t n = 0;
	while (*p < end && isdig(**p) && *p - s < 18)
		n = n * 10 + (*(*p)++ - '0');
	*v = n;
	return *p > s && (*p == end || !isdig(**p));
}

static bool read_exact(const char **p, const char *end, int digits, int64_t *v)
{
	const char *s = *p;
	return read_num(p, end, v) && *p - s == digits;
}

static bool expect_ch(const char **p, const char *end, char c)
{
	if (*p == end || **p != c)
		return false;
	(*p)++;
	return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil): exact for any date, no libc zone. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int64_t y, int64_t m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

static const char time_expected[] =
	"a time like 2026-11-20T14:03:11 (sacct's default format, no zone)";

static bool time_parse(const char *p, size_t len, gd_trace_time *out)
{
	const char *end = p + len;
	int64_t y, mo, d, h, mi, s;
	if (!read_exact(&p, end, 4, &y) || !expect_ch(&p, end, '-') ||
	    !read_exact(&p, end, 2, &mo) || !expect_ch(&p, end, '-') ||
	    !read_exact(&p, end, 2, &d) || !expect_ch(&p, end, 'T') ||
	    !read_exact(&p, end, 2, &h) || !expect_ch(&p, end, ':') ||
	    !read_exact(&p, end, 2, &mi) || !expect_ch(&p, end, ':') ||
	    !read_exact(&p, end, 2, &s) || p != end)
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || s > 59)
		return false;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return true;
}

int gd_trace_time_parse(const char *s, gd_trace_time *out, const char **why)
{
	if (s && time_parse(s, strlen(s), out))
		return 0;
	if (why)
		*why = time_expected;
	return -EINVAL;
}

static const char duration_expected[] =
	"a duration D-HH:MM:SS, HH:MM:SS or MM:SS";

/* Slurm's durations: D-HH:MM:SS, HH:MM:SS, MM:SS (days only with all
 * three of the rest, as sacct prints them). */
static bool duration_parse(const char *p, size_t len, gd_ms *out)
{
	const char *end = p + len, *dash = memchr(p, '-', len);
	int64_t days = 0, part[3];
	int n = 0;
	if (dash && (!read_num(&p, end, &days) || !expect_ch(&p, end, '-')))
		return false;
	do {
		if (n == 3 || !read_num(&p, end, &part[n++]))
			return false;
	} while (expect_ch(&p, end, ':'));
	if (p != end || n < 2 || (dash && n != 3) || days > 366)
		return false;
	/* bounded before the sum, so it cannot overflow */
	for (int i = 0; i < n; i++)
		if (part[i] > 366 * 24 * 60)
			return false;
	int64_t h = n == 3 ? part[0] : 0, m = part[n - 2], s = part[n - 1];
	if (s > 59 || (n == 3 && m > 59) || (dash && h > 23))
		return false;
	gd_ms ms = days * GD_MS_PER_D + h * GD_MS_PER_H + m * GD_MS_PER_M +
		   s * GD_MS_PER_S;
	if (ms > GD_DURATION_MAX)
		return false;
	*out = ms;
	return true;
}

/* "5-9", "5", "1,3,5-7", "0-99%4": the tasks an array range names (the
 * %N after it is how many may run at once). */
static bool task_list(const char *p, const char *end, size_t *tasks)
{
	size_t n = 0;
	do {
		int64_t lo, hi;
		if (!read_num(&p, end, &lo))
			return false;
		hi = lo;
		if (expect_ch(&p, end, '-') && !read_num(&p, end, &hi))
			return false;
		/* Slurm's MaxArraySize is at most 4000001, which also
		 * keeps the count from overflowing */
		if (hi < lo || hi > 4000000)
			return false;
		n += (size_t)(hi - lo + 1);
	} while (expect_ch(&p, end, ','));
	int64_t limit;
	if (expect_ch(&p, end, '%') && !read_num(&p, end, &limit))
		return false;
	*tasks = n;
	return p == end;
}

static const char id_expected[] =
	"a job id: 123, an array task 123_4 or range 123_[5-9], a "
	"heterogeneous component 123+0, or a step 123.batch";

/* 123, 123_4, 123_[5-9], 123+0, each optionally .STEP */
static bool id_parse(const field *f, row *rw)
{
	const char *p = f->p, *end = f->p + f->len;
	int64_t v;
	rw->kind = ROW_JOB;
	if (!read_num(&p, end, &v))
		return false;
	if (expect_ch(&p, end, '_')) {
		if (expect_ch(&p, end, '[')) {
			const char *close = memchr(p, ']', (size_t)(end - p));
			if (!close || !task_list(p, close, &rw->tasks))
				return false;
			p = close + 1;
			rw->kind = ROW_PENDING_ARRAY;
		} else if (!read_num(&p, end, &v)) {
			return false;
		}
	} else if (expect_ch(&p, end, '+') && !read_num(&p, end, &v)) {
		return false;
	}
	if (expect_ch(&p, end, '.')) {
		if (p == end)
			return false;
		for (; p < end; p++)
			if (!isdig(*p) && !(*p >= 'a' && *p <= 'z'))
				return false;
		rw->kind = ROW_STEP;
	}
	return p == end;
}

/* COMPLETED, NODE_FAIL, OUT_OF_MEMORY, "CANCELLED by 1234" */
static bool state_parse(const field *f)
{
	size_t i = 0;
	while (i < f->len &&
	       ((f->p[i] >= 'A' && f->p[i] <= 'Z') || f->p[i] == '_'))
		i++;
	if (i == 0)
		return false;
	if (i == f->len)
		return true;
	const char *p = f->p + i, *end = f->p + f->len;
	if (end - p <= 4 || memcmp(p, " by ", 4) != 0)
		return false;
	p += 4;
	int64_t uid;
	return read_num(&p, end, &uid) && p == end;
}

static bool starts_with(const field *f, const char *word)
{
	size_t n = strlen(word);
	return f->len >= n && memcmp(f->p, word, n) == 0;
}

/* ---- lines ---- */

/* The next line without its end (\n or \r\n); false at the end. */
static bool next_line(reader *r, const char **p, size_t *len)
{
	if (r->pos >= r->end)
		return false;
	const char *s = r->pos;
	const char *nl = memchr(s, '\n', (size_t)(r->end - s));
	const char *e = nl ? nl : r->end;
	r->pos = nl ? nl + 1 : r->end;
	r->line++;
	if (e > s && e[-1] == '\r')
		e--;
	*p = s;
	*len = (size_t)(e - s);
	return true;
}

static size_t count_fields(const char *p, size_t len)
{
	size_t n = 1;
	for (size_t i = 0; i < len; i++)
		n += p[i] == '|';
	return n;
}

/* Splits a line into r->fields; exactly as many as the header has. */
static int split(reader *r, const char *p, size_t len)
{
	const char *line = p, *end = p + len;
	if (r->trailing_pipe && len > 0 && end[-1] == '|')
		end--;
	size_t n = 0;
	for (;;) {
		const char *bar = memchr(p, '|', (size_t)(end - p));
		const char *e = bar ? bar : end;
		if (n == r->nheader)
			return fail_at(
				r, (int)(p - line) + 1,
				"expected %zu fields separated by '|' "
				"as on the header, found %zu",
				r->nheader,
				r->nheader +
					count_fields(p, (size_t)(end - p)));
		r->fields[n++] =
			(field){p, (size_t)(e - p), (int)(p - line) + 1};
		if (!bar)
			break;
		p = bar + 1;
	}
	if (n < r->nheader)
		return fail_at(r, (int)len + 1,
			       "expected %zu fields separated by '|' as on "
			       "the header, found %zu",
			       r->nheader, n);
	return 0;
}

static int find_column(const field *f)
{
	for (int c = 0; c < NCOLS; c++)
		if (f->len == strlen(col_names[c]) &&
		    strncasecmp(f->p, col_names[c], f->len) == 0)
			return c;
	return -1;
}

static int missing_columns(const reader *r)
{
	_cleanup_strbuf_ gd_strbuf sb = GD_STRBUF_INIT;
	size_t n = 0;
	for (int c = 0; c < NCOLS; c++) {
		if (r->where[c] >= 0)
			continue;
		gd_strbuf_addf(&sb, "%s%s", n++ ? ", " : "", col_names[c]);
	}
	return fail_at(r, 1,
		       "missing column%s %s: expected a header naming "
		       "(sacct -o) " SACCT_COLUMNS,
		       n > 1 ? "s" : "", sb.buf);
}

static int read_header(reader *r, const char *p, size_t len)
{
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3; /* a byte order mark, from an editor */
		len -= 3;
	}
	if (!memchr(p, '|', len))
		return fail_at(r, 1,
			       "expected a header of column names separated "
			       "by '|' (sacct -P -o " SACCT_COLUMNS ")");
	r->trailing_pipe = p[len - 1] == '|';
	r->nheader = count_fields(p, len - r->trailing_pipe);
	r->fields = gd_arena_array(r->a, r->nheader, sizeof(*r->fields));
	for (int c = 0; c < NCOLS; c++)
		r->where[c] = -1;
	int ret = split(r, p, len);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < r->nheader; i++) {
		int c = find_column(&r->fields[i]);
		if (c < 0)
			continue; /* a column we do not need */
		if (r->where[c] >= 0)
			return fail_at(r, r->fields[i].col,
				       "column %s appears twice: expected "
				       "each column once",
				       col_names[c]);
		r->where[c] = (int)i;
	}
	for (int c = 0; c < NCOLS; c++)
		if (r->where[c] < 0)
			return missing_columns(r);
	return 0;
}

static const field *col(const reader *r, enum col c)
{
	return &r->fields[r->where[c]];
}

/* A time, or no time: "Unknown" or "None" for one that never came. */
static int maybe_time(const reader *r, enum col c, gd_trace_time *t, bool *set)
{
	const field *f = col(r, c);
	*set = false;
	if (is(f, "Unknown") || is(f, "None"))
		return 0;
	if (!time_parse(f->p, f->len, t))
		return bad(r, c,
			   "a time like 2026-11-20T14:03:11, or Unknown or "
			   "None");
	*set = true;
	return 0;
}

static int read_limit(const reader *r, gd_ms *limit)
{
	const field *f = col(r, C_TIMELIMIT);
	*limit = GD_TRACE_NONE;
	if (is(f, "UNLIMITED") || is(f, "Partition_Limit"))
		return 0;
	if (!duration_parse(f->p, f->len, limit))
		return bad(r, C_TIMELIMIT,
			   "a duration D-HH:MM:SS, HH:MM:SS or MM:SS, "
			   "UNLIMITED or Partition_Limit");
	return 0;
}

static int read_ncpus(const reader *r, unsigned *ncpus)
{
	const field *f = col(r, C_NCPUS);
	const char *p = f->p;
	int64_t v;
	if (!read_num(&p, f->p + f->len, &v) || p != f->p + f->len ||
	    v > 1000000)
		return bad(r, C_NCPUS, "a whole number of CPUs");
	*ncpus = (unsigned)v;
	return 0;
}

/* Everything but the id and the submission, which decide whether the
 * rest is read at all. */
static int read_run(const reader *r, row *rw)
{
	if (!state_parse(col(r, C_STATE)))
		return bad(r, C_STATE,
			   "a job state such as COMPLETED, NODE_FAIL or "
			   "\"CANCELLED by 1234\"");
	int ret = maybe_time(r, C_START, &rw->start, &rw->started);
	gd_trace_time end;
	if (ret >= 0)
		ret = maybe_time(r, C_END, &end, &rw->ended);
	if (ret < 0)
		return ret;
	const field *el = col(r, C_ELAPSED);
	if (!duration_parse(el->p, el->len, &rw->elapsed))
		return bad(r, C_ELAPSED, duration_expected);
	ret = read_ncpus(r, &rw->ncpus);
	if (ret >= 0)
		ret = read_limit(r, &rw->limit);
	if (ret < 0)
		return ret;
	const field *st = col(r, C_STATE);
	rw->pending = is(st, "PENDING");
	rw->running = is(st, "RUNNING");
	rw->cancelled = is(st, "CANCELLED") || starts_with(st, "CANCELLED by ");
	return 0;
}

/* ---- jobs ---- */

typedef struct parse {
	reader r;
	const gd_trace_opts *opts;
	gd_trace *out;
} parse;

static bool in_window(const gd_trace_opts *o, gd_trace_time submit)
{
	if (!o->has_window)
		return true;
	gd_ms at = (submit - o->window_from) * GD_MS_PER_S;
	return submit >= o->window_from && at < o->window_length;
}

/* Slurm stamps a job cancelled while pending with Start = End = the
 * cancel time and no Elapsed, and shows a pending job's expected start:
 * neither ran, so neither has work to replay. */
static bool never_ran(const row *rw)
{
	return !rw->started || rw->pending ||
	       (rw->cancelled && rw->elapsed == 0);
}

static int keep(parse *ps, const row *rw)
{
	const reader *r = &ps->r;
	const gd_trace_opts *o = ps->opts;
	gd_trace *t = ps->out;
	unsigned ncpus = rw->ncpus;
	if (ncpus == 0)
		return bad(r, C_NCPUS, "at least 1 CPU for a job that ran");
	if (col(r, C_PARTITION)->len == 0)
		return bad(r, C_PARTITION, "a partition name");
	if (o->max_cpus && ncpus > o->max_cpus) {
		if (!o->cap_cpus) {
			char why[96];
			snprintf(why, sizeof(why),
				 "at most %u CPUs, the most any node has",
				 o->max_cpus);
			return bad(r, C_NCPUS, why);
		}
		ncpus = o->max_cpus;
		t->capped++;
	}
	const field *id = col(r, C_JOBID), *part = col(r, C_PARTITION),
		    *st = col(r, C_STATE);
	gd_trace_job *j = &t->jobs[t->njobs++];
	j->id = gd_arena_printf(r->a, "%.*s", (int)id->len, id->p);
	j->partition = gd_arena_printf(r->a, "%.*s", (int)part->len, part->p);
	j->state = gd_arena_printf(r->a, "%.*s", (int)st->len, st->p);
	/* absolute until every submission is known (finish() makes it an
	 * offset) */
	j->submit = rw->submit * GD_MS_PER_S;
	/* A requeued job's Submit is its last queueing, which can follow
	 * the start sacct kept: no wait rather than a negative one. */
	j->wait = rw->start > rw->submit
			  ? (rw->start - rw->submit) * GD_MS_PER_S
			  : 0;
	j->work = rw->elapsed;
	j->ncpus = ncpus;
	j->limit = rw->limit;
	j->running = rw->running;
	j->line = r->line;
	t->running += rw->running;
	return 0;
}

static int read_row(parse *ps)
{
	reader *r = &ps->r;
	gd_trace *t = ps->out;
	row rw = {0};
	if (!id_parse(col(r, C_JOBID), &rw))
		return bad(r, C_JOBID, id_expected);
	if (rw.kind == ROW_STEP) {
		t->steps++; /* -X leaves them out; a step is its job's */
		return 0;
	}
	const field *sub = col(r, C_SUBMIT);
	if (!time_parse(sub->p, sub->len, &rw.submit))
		return bad(r, C_SUBMIT, time_expected);
	if (!in_window(ps->opts, rw.submit)) {
		t->outside++;
		return 0;
	}
	if (rw.kind == ROW_PENDING_ARRAY) {
		t->pending_tasks += rw.tasks;
		return 0;
	}
	int ret = read_run(r, &rw);
	if (ret < 0)
		return ret;
	if (never_ran(&rw)) {
		t->never_ran++;
		return 0;
	}
	return keep(ps, &rw);
}

static int by_submit(const void *a, const void *b)
{
	const gd_trace_job *x = a, *y = b;
	if (x->submit != y->submit)
		return x->submit < y->submit ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Offsets from the origin, in submission order. */
static void finish(const gd_trace_opts *o, gd_trace *t)
{
	gd_trace_time origin = o->has_window ? o->window_from : 0;
	gd_ms last = 0;
	if (!o->has_window && t->njobs > 0) {
		origin = t->jobs[0].submit / GD_MS_PER_S;
		for (size_t i = 1; i < t->njobs; i++)
			if (t->jobs[i].submit / GD_MS_PER_S < origin)
				origin = t->jobs[i].submit / GD_MS_PER_S;
	}
	for (size_t i = 0; i < t->njobs; i++) {
		t->jobs[i].submit -= origin * GD_MS_PER_S;
		if (t->jobs[i].submit > last)
			last = t->jobs[i].submit;
	}
	qsort(t->jobs, t->njobs, sizeof(*t->jobs), by_submit);
	t->origin = origin;
	t->span = o->has_window ? o->window_length
		  : t->njobs	? last + GD_MS_PER_S
				: 0;
}

static size_t count_lines(const char *text, size_t len)
{
	size_t n = 1;
	for (const char *p = text;
	     (p = memchr(p, '\n', len - (size_t)(p - text))); p++)
		n++;
	return n;
}

int gd_trace_parse(gd_arena *a, const char *text, size_t len,
		   const gd_trace_opts *opts, gd_trace *out, gd_error **err)
{
	parse ps = {.r = {.a = a,
			  .file = opts->file ? opts->file : "trace",
			  .pos = text,
			  .end = text + len,
			  .err = err},
		    .opts = opts,
		    .out = out};
	reader *r = &ps.r;
	memset(out, 0, sizeof(*out));
	if (opts->has_window && opts->window_length <= 0)
		return gd_error_set(err, EINVAL,
				    "%s: the window's length must be positive",
				    r->file);
	const char *p;
	size_t n;
	bool got;
	while ((got = next_line(r, &p, &n)) && n == 0)
		;
	if (!got) {
		r->line = 1;
		return fail_at(r, 1,
			       "empty: expected a header (sacct -P -o "
			       "" SACCT_COLUMNS ")");
	}
	int ret = read_header(r, p, n);
	if (ret < 0)
		return ret;
	out->jobs =
		gd_arena_array(a, count_lines(text, len), sizeof(*out->jobs));
	while (next_line(r, &p, &n)) {
		if (n == 0)
			continue;
		ret = split(r, p, n);
		if (ret >= 0)
			ret = read_row(&ps);
		if (ret < 0)
			return ret;
	}
	finish(opts, out);
	return 0;
}

int gd_trace_load(gd_arena *a, const char *path, const gd_trace_opts *opts,
		  gd_trace *out, gd_error **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int ret = gd_read_file(path, TRACE_MAX_FILE, &text, &len, err);
	if (ret < 0)
		return ret;
	gd_trace_opts o = *opts;
	o.file = path;
	return gd_trace_parse(a, text, len, &o, out, err);
}

/* ---- what the plan and the runner ask ---- */

gd_ms gd_trace_deadline(const gd_trace_job *job,
			const gd_trace_deadline_rule *rule)
{
	switch (rule->kind) {
	case GD_TRACE_DEADLINE_FIXED:
		return rule->fixed;
	case GD_TRACE_DEADLINE_LIMIT:
		return job->limit == GD_TRACE_NONE ? rule->fixed : job->limit;
	case GD_TRACE_DEADLINE_WAIT_AND_LIMIT:
		return job->limit == GD_TRACE_NONE ? rule->fixed
						   : job->wait + job->limit;
	}
	return GD_TRACE_NONE;
}

size_t gd_trace_nbuckets(const gd_trace *t, gd_ms bucket)
{
	if (bucket <= 0 || t->span <= 0)
		return 0;
	return (size_t)((t->span + bucket - 1) / bucket);
}

void gd_trace_curve(const gd_trace *t, gd_ms bucket, unsigned *counts, size_t n)
{
	memset(counts, 0, n * sizeof(*counts));
	if (bucket <= 0)
		return;
	for (size_t i = 0; i < t->njobs; i++) {
		size_t b = (size_t)(t->jobs[i].submit / bucket);
		if (b < n)
			counts[b]++;
	}
}

/* The busiest window starts at some job's submission: two pointers over
 * the sorted offsets. */
size_t gd_trace_peak(const gd_trace *t, gd_ms window_ms)
{
	size_t best = 0, lo = 0;
	if (window_ms <= 0)
		return 0;
	for (size_t hi = 0; hi < t->njobs; hi++) {
		while (t->jobs[hi].submit - t->jobs[lo].submit >= window_ms)
			lo++;
		if (hi - lo + 1 > best)
			best = hi - lo + 1;
	}
	return best;
}

double gd_trace_peak_rate(const gd_trace *t, gd_ms window_ms)
{
	if (window_ms <= 0)
		return 0;
	return (double)gd_trace_peak(t, window_ms) * 1000.0 / (double)window_ms;
}
