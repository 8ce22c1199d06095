#include "unit.h"

#include "run/progress.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void names_are_job_node_attempt(void **state)
{
	(void)state;
	char job[64], node[16];
	assert_true(gd_progress_name("jobs-01.w1.4321", job, sizeof(job), node,
				     sizeof(node)));
	assert_string_equal(job, "jobs-01");
	assert_string_equal(node, "w1");
	/* a job id may hold dots; the node and the attempt cannot */
	assert_true(gd_progress_name("a.b.w2.9", job, sizeof(job), node,
				     sizeof(node)));
	assert_string_equal(job, "a.b");
	assert_string_equal(node, "w2");
	static const char *const not_ones[] = {
		"j1",
		"j1.w1",
		".w1.1",
		"j1..1",
		"j1.w1.",
		"j 1.w1.1",
		"j1.w1.1\n",
		"j1.a-node-name-too-long.1",
		"j\xc3\xa9.w1.1",
	};
	for (size_t i = 0; i < sizeof(not_ones) / sizeof(not_ones[0]); i++)
		if (gd_progress_name(not_ones[i], job, sizeof(job), node,
				     sizeof(node)))
			fail_msg("\"%s\" taken for a progress file",
				 not_ones[i]);
}

static void lines_are_cleaned(void **state)
{
	(void)state;
	char line[512];
	strcpy(line, " \tstep 3/8 \r");
	gd_progress_clean(line);
	assert_string_equal(line, "step 3/8");
	strcpy(line, "a\tb\x1b[0m");
	gd_progress_clean(line);
	assert_string_equal(line, "a b [0m");
	strcpy(line, "caf\xc3\xa9 \xff!");
	gd_progress_clean(line);
	assert_string_equal(line, "caf?? ?!");
	/* cut at the limit, never inside a character */
	memset(line, 'x', 300);
	line[300] = '\0';
	gd_progress_clean(line);
	assert_int_equal(strlen(line), GD_PROGRESS_LINE_MAX);
	memset(line, 'x', GD_PROGRESS_LINE_MAX - 1);
	strcpy(line + GD_PROGRESS_LINE_MAX - 1, "\xc3\xa9 and more");
	gd_progress_clean(line);
	assert_int_equal(strlen(line), GD_PROGRESS_LINE_MAX - 1);
}

struct seen {
	char lines[16][128];
	size_t n;
};

static void collect(const char *job, const char *node, const char *attempt,
		    const char *line, void *ctx)
{
	struct seen *s = ctx;
	if (s->n < 16)
		snprintf(s->lines[s->n++], sizeof(s->lines[0]), "%s|%s|%s|%s",
			 job, node, attempt, line);
}

static void append(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void new_whole_lines_are_read_once(void **state)
{
	(void)state;
	char dir[] = "/tmp/gd-progress.XXXXXX", path[512];
	assert_non_null(mkdtemp(dir));
	gd_progress *p = NULL;
	gd_error *err = NULL;
	assert_int_equal(gd_progress_open(dir, &p, &err), 0);
	struct seen s = {0};
	gd_progress_poll(p, collect, &s);
	assert_int_equal(s.n, 0);

	append(dir, "j1.w1.10", "step 1/3\nstep 2/3\nstep 3");
	append(dir, "notes", "not a progress file\n");
	append(dir, ".j1.w1.11", "hidden\n");
	snprintf(path, sizeof(path), "%s/j9.w9.9", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	gd_progress_poll(p, collect, &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.lines[0], "j1|w1|j1.w1.10|step 1/3");
	assert_string_equal(s.lines[1], "j1|w1|j1.w1.10|step 2/3");

	/* the line being written waits for its end; a new file is read */
	append(dir, "j1.w1.10", "/3\n");
	append(dir, "j2.w2.11", "step 1/8\n");
	s.n = 0;
	gd_progress_poll(p, collect, &s);
	assert_int_equal(s.n, 2);
	qsort(s.lines, s.n, sizeof(s.lines[0]),
	      (int (*)(const void *, const void *))strcmp);
	assert_string_equal(s.lines[0], "j1|w1|j1.w1.10|step 3/3");
	assert_string_equal(s.lines[1], "j2|w2|j2.w2.11|step 1/8");

	/* nothing new: nothing said */
	s.n = 0;
	gd_progress_poll(p, collect, &s);
	assert_int_equal(s.n, 0);
	gd_progress_free(p);

	const char *const names[] = {"j1.w1.10", "j2.w2.11", "notes",
				     ".j1.w1.11"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/j9.w9.9", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_are_job_node_attempt),
		cmocka_unit_test(lines_are_cleaned),
		cmocka_unit_test(new_whole_lines_are_read_once),
	};
	return cmocka_run_group_tests_name("progress", tests, NULL, NULL);
}
