#include "unit.h"

#include "agent/host.h"
#include "agent/journal.h"
#include "base/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The journal read from text; the test fails on a parse error. */
static void parse_ok(const char *text, ag_journal *j, bool *cut)
{
	gd_error *err = NULL;
	size_t good;
	int r = ag_journal_parse(text, strlen(text), j, cut, &good, &err);
	if (r < 0)
		fail_msg("parse: %s", err->msg);
	gd_error_free(err);
}

static void encodes_and_reads_back_any_argv(void **state)
{
	(void)state;
	char *argv[] = {"sh", "-c",  "printf 'a\tb\\n' >\t/x\nnext",
			"",   "\\t", NULL};
	ag_entry in[] = {
		{.id = 0, .kind = AG_CMD, .tag = "t:1", .argv = argv, .argc = 5},
		{.id = 1,
		 .kind = AG_FILE,
		 .tag = "t2",
		 .path = "/etc/pass\twd",
		 .uid = 4294967294u,
		 .gid = 7,
		 .mode = 04755},
		{.id = 2,
		 .kind = AG_FILE,
		 .tag = "t2",
		 .path = "/x\n",
		 .absent = true},
		{.id = 7,
		 .kind = AG_ATTR,
		 .tag = "t3",
		 .path = "/d",
		 .mode = 01777},
	};
	_cleanup_strbuf_ gd_strbuf text = GD_STRBUF_INIT;
	gd_strbuf_add(&text, AG_JOURNAL_HEADER);
	for (size_t i = 0; i < GD_ARRAY_SIZE(in); i++)
		ag_entry_encode(&in[i], &text);
	ag_done_encode(2, &text);
	/* one line an entry whatever the fields held */
	size_t lines = 0;
	for (size_t i = 0; i < text.len; i++)
		lines += text.buf[i] == '\n';
	assert_int_equal(lines, 6);

	ag_journal j = {0};
	bool cut = true;
	parse_ok(text.buf, &j, &cut);
	assert_false(cut);
	assert_int_equal(j.n, 4);
	assert_int_equal(j.next_id, 8);
	assert_int_equal(j.entries[0].argc, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(j.entries[0].argv[i], argv[i]);
	assert_null(j.entries[0].argv[5]);
	assert_string_equal(j.entries[0].tag, "t:1");
	assert_string_equal(j.entries[1].path, "/etc/pass\twd");
	assert_int_equal(j.entries[1].uid, 4294967294u);
	assert_int_equal(j.entries[1].gid, 7);
	assert_int_equal(j.entries[1].mode, 04755);
	assert_false(j.entries[1].absent);
	assert_true(j.entries[2].absent);
	assert_string_equal(j.entries[2].path, "/x\n");
	assert_true(j.entries[2].done);
	assert_false(j.entries[1].done);
	assert_int_equal(j.entries[3].kind, AG_ATTR);
	assert_int_equal(j.entries[3].mode, 01777);
	ag_journal_free(&j);
}

static void cut_last_line_is_ignored(void **state)
{
	(void)state;
	const char *whole = AG_JOURNAL_HEADER "entry\t0\tt\tcmd\ttrue\n"
					      "entry\t1\tt\tfile\t/a\tabsent\n";
	/* every cut a power failure can make in the last line */
	const char *last = "done\t1\n";
	for (size_t k = 0; k < strlen(last); k++) {
		_cleanup_strbuf_ gd_strbuf text = GD_STRBUF_INIT;
		gd_strbuf_add(&text, whole);
		gd_strbuf_addn(&text, last, k);
		ag_journal j = {0};
		bool cut = false;
		size_t good = 0;
		gd_error *err = NULL;
		assert_int_equal(ag_journal_parse(text.buf, text.len, &j, &cut,
						  &good, &err),
				 0);
		assert_int_equal(cut, k > 0);
		assert_int_equal(good, strlen(whole));
		assert_int_equal(j.n, 2);
		assert_false(j.entries[1].done); /* the cut done is not one */
		ag_journal_free(&j);
	}
	/* a cut entry: its id is free again, the one before stands */
	ag_journal j = {0};
	bool cut = false;
	parse_ok(AG_JOURNAL_HEADER "entry\t0\tt\tcmd\ttrue\nentry\t1\tt\tcm",
		 &j, &cut);
	assert_true(cut);
	assert_int_equal(j.n, 1);
	assert_int_equal(j.next_id, 1);
	ag_journal_free(&j);
}

static void a_bad_whole_line_is_an_error(void **state)
{
	(void)state;
	const char *bad[] = {
		"entry\t0\tt\tcmd\n",		    /* no argv */
		"entry\t0\tt\tfile\t/a\t1\t2\n",    /* no mode */
		"entry\t0\tt\tfile\t/a\t1\t2\t9\n", /* mode not octal */
		"entry\t0\tt\tlink\t/a\t1\t2\t7\n", /* no such kind */
		"entry\tx\tt\tcmd\ttrue\n",	    /* id */
		"entry\t0\tt\tcmd\ttr\\qe\n",	    /* escape */
		"done\t3\n",			    /* no entry 3 */
		"entry\t1\tt\tcmd\ta\nentry\t1\tt\tcmd\tb\n", /* id again */
		"what\n",
	};
	for (size_t i = 0; i < GD_ARRAY_SIZE(bad); i++) {
		ag_journal j = {0};
		gd_error *err = NULL;
		int r = ag_journal_parse(bad[i], strlen(bad[i]), &j, NULL, NULL,
					 &err);
		assert_int_equal(r, -EBADMSG);
		assert_non_null(strstr(err->msg, "journal line"));
		gd_error_free(err);
		ag_journal_free(&j);
	}
}

static const char *plan_text =
	AG_JOURNAL_HEADER "entry\t0\ta\tfile\t/etc/passwd\t0\t0\t644\n"
			  "entry\t1\tb\tcmd\tnft\tdelete\ttable\tinet\tgd\n"
			  "entry\t2\ta\tattr\t/srv\t0\t0\t755\n"
			  "entry\t3\tb\tfile\t/run/x\tabsent\n"
			  "done\t1\n"
			  "entry\t4\ta\tcmd\tsystemctl\tdaemon-reload\n";

static void reverts_newest_first_by_tag(void **state)
{
	(void)state;
	ag_journal j = {0};
	parse_ok(plan_text, &j, NULL);
	size_t order[8];
	size_t n = ag_journal_plan(&j, NULL, order);
	assert_int_equal(n, 4); /* 1 is done */
	assert_int_equal(j.entries[order[0]].id, 4);
	assert_int_equal(j.entries[order[1]].id, 3);
	assert_int_equal(j.entries[order[2]].id, 2);
	assert_int_equal(j.entries[order[3]].id, 0);
	n = ag_journal_plan(&j, "a", order);
	assert_int_equal(n, 3);
	assert_int_equal(j.entries[order[0]].id, 4);
	assert_int_equal(j.entries[order[2]].id, 0);
	n = ag_journal_plan(&j, "b", order);
	assert_int_equal(n, 1);
	assert_int_equal(j.entries[order[0]].id, 3);
	assert_int_equal(ag_journal_plan(&j, "c", order), 0);
	ag_journal_free(&j);
}

static void done_entries_are_not_reverted_again(void **state)
{
	(void)state;
	_cleanup_strbuf_ gd_strbuf text = GD_STRBUF_INIT;
	gd_strbuf_add(&text, plan_text);
	/* a revert of tag a marked its entries done, as gd-agent does */
	ag_journal j = {0};
	parse_ok(text.buf, &j, NULL);
	size_t order[8];
	size_t n = ag_journal_plan(&j, "a", order);
	for (size_t i = 0; i < n; i++)
		ag_done_encode(j.entries[order[i]].id, &text);
	ag_journal_free(&j);

	parse_ok(text.buf, &j, NULL);
	assert_int_equal(ag_journal_plan(&j, "a", order), 0);
	n = ag_journal_plan(&j, NULL, order);
	assert_int_equal(n, 1);
	assert_int_equal(j.entries[order[0]].id, 3);
	ag_journal_free(&j);
}

static void the_first_save_of_a_path_wins(void **state)
{
	(void)state;
	ag_journal j = {0};
	parse_ok(plan_text, &j, NULL);
	/* /etc/passwd's bytes are held: neither save records again */
	const ag_entry *e = ag_journal_saved(&j, "/etc/passwd", AG_FILE);
	assert_non_null(e);
	assert_int_equal(e->id, 0);
	assert_ptr_equal(ag_journal_saved(&j, "/etc/passwd", AG_ATTR), e);
	/* /srv's owner and mode only: a save of its bytes still records */
	assert_null(ag_journal_saved(&j, "/srv", AG_FILE));
	assert_int_equal(ag_journal_saved(&j, "/srv", AG_ATTR)->id, 2);
	/* an absent state is a state */
	assert_int_equal(ag_journal_saved(&j, "/run/x", AG_FILE)->id, 3);
	assert_null(ag_journal_saved(&j, "/etc/group", AG_FILE));
	/* whatever the tag, and only while pending */
	ag_journal_free(&j);
	_cleanup_strbuf_ gd_strbuf text = GD_STRBUF_INIT;
	gd_strbuf_addf(&text, "%sdone\t0\n", plan_text);
	parse_ok(text.buf, &j, NULL);
	assert_null(ag_journal_saved(&j, "/etc/passwd", AG_FILE));
	ag_journal_free(&j);
}

static void names_are_checked(void **state)
{
	(void)state;
	assert_true(ag_run_valid("gd-2026-12-07-a1"));
	assert_true(ag_run_valid("0123456789012345678901234567890123456789"));
	assert_false(ag_run_valid("01234567890123456789012345678901234567890"));
	assert_false(ag_run_valid(""));
	assert_false(ag_run_valid("Run"));
	assert_false(ag_run_valid("a/b"));
	assert_false(ag_run_valid("a b"));
	assert_true(ag_tag_valid("skew:n1.2@x-y_z"));
	assert_false(ag_tag_valid("a\tb"));
	assert_false(ag_tag_valid(""));
	assert_true(ag_path_valid("/etc/passwd"));
	assert_true(ag_path_valid("//etc//x..y/.z"));
	assert_false(ag_path_valid("etc/passwd"));
	assert_false(ag_path_valid("/"));
	assert_false(ag_path_valid("///"));
	assert_false(ag_path_valid("/etc/../root/x"));
	assert_false(ag_path_valid("/etc/.."));
	assert_false(ag_path_valid("/etc/./x"));
	assert_false(ag_path_valid("/etc/a\nb"));
	assert_false(ag_path_valid(""));
}

/* Rule 1 (docs/agent.md): a file's or an attr's failed revert keeps the
 * run, whose saved/ holds the only copy of the original; a command's,
 * gameday's and expected idempotent, never does. */
static void only_a_state_revert_failing_keeps_the_run(void **state)
{
	(void)state;
	ag_journal j = {0};
	parse_ok(AG_JOURNAL_HEADER
		 "entry\t0\tp\tfile\t/etc/passwd\t0\t0\t644\n"
		 "entry\t1\tp\tfile\t/etc/new\tabsent\n"
		 "entry\t2\ts\tattr\t/srv\t7\t8\t2775\n"
		 "entry\t3\tn\tcmd\tiptables-legacy\t-X\tgd_t2\n",
		 &j, NULL);
	assert_int_equal(j.n, 4);
	assert_true(ag_failure_keeps_run(&j.entries[0]));
	assert_true(ag_failure_keeps_run(&j.entries[1]));
	assert_true(ag_failure_keeps_run(&j.entries[2]));
	assert_false(ag_failure_keeps_run(&j.entries[3]));
	ag_journal_free(&j);
}

/* ---- host.c: never through a link ---- */

/* A folder standing for "/" with etc/ in it, and a target outside it
 * that a link may point to. */
typedef struct host_dir {
	char root[64];
	char target[96];
	ag_host h;
} host_dir;

static void write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static char *read_text(const char *path)
{
	char *text = gd_read_file_or_null(path, 4096);
	assert_non_null(text);
	return text;
}

static void host_dir_make(host_dir *d)
{
	snprintf(d->root, sizeof(d->root), "/tmp/gd-agent-unit-XXXXXX");
	assert_non_null(mkdtemp(d->root));
	char etc[96];
	snprintf(etc, sizeof(etc), "%s/etc", d->root);
	assert_int_equal(mkdir(etc, 0755), 0);
	snprintf(d->target, sizeof(d->target), "%s/target", d->root);
	write_text(d->target, "target\n", 0600);
	d->h = (ag_host){.root = d->root, .run = "gd-unit"};
}

static void host_dir_remove(host_dir *d)
{
	assert_int_equal(gd_remove_tree(d->root, false, NULL), 0);
}

static void a_link_is_neither_saved_nor_followed(void **state)
{
	(void)state;
	host_dir d;
	host_dir_make(&d);
	char link[96], keep[96];
	snprintf(link, sizeof(link), "%s/etc/f", d.root);
	snprintf(keep, sizeof(keep), "%s/kept", d.root);
	assert_int_equal(symlink(d.target, link), 0);
	ag_entry e = {0};
	gd_error *err = NULL;
	assert_int_equal(ag_state_save(&d.h, "/etc/f", AG_FILE, &e, keep, &err),
			 -ELOOP);
	gd_error_free(err);
	assert_int_equal(access(keep, F_OK), -1);
	/* a FIFO is refused, never opened (an open would hang) */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(mkfifo(link, 0600), 0);
	err = NULL;
	assert_int_equal(ag_state_save(&d.h, "/etc/f", AG_FILE, &e, keep, &err),
			 -EINVAL);
	gd_error_free(err);
	host_dir_remove(&d);
}

/* An owner and mode put back on what is at the path now: a link put
 * there since the save is refused, its target's mode untouched (a chmod
 * by name would follow it). */
static void an_attr_revert_refuses_a_link(void **state)
{
	(void)state;
	host_dir d;
	host_dir_make(&d);
	char link[96];
	snprintf(link, sizeof(link), "%s/etc/f", d.root);
	assert_int_equal(symlink(d.target, link), 0);
	ag_entry e = {.kind = AG_ATTR,
		      .tag = "t",
		      .path = "/etc/f",
		      .uid = getuid(),
		      .gid = getgid(),
		      .mode = 0644};
	gd_error *err = NULL;
	assert_int_equal(ag_revert(&d.h, &e, NULL, &err), -ELOOP);
	gd_error_free(err);
	struct stat st;
	assert_int_equal(stat(d.target, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* the file back: its mode restored */
	assert_int_equal(unlink(link), 0);
	write_text(link, "f\n", 0600);
	err = NULL;
	assert_int_equal(ag_revert(&d.h, &e, NULL, &err), 0);
	assert_int_equal(stat(link, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	host_dir_remove(&d);
}

/* A file's revert over a link: the link replaced by the kept bytes, with
 * their owner and mode, its target untouched. */
static void a_file_revert_replaces_a_link(void **state)
{
	(void)state;
	host_dir d;
	host_dir_make(&d);
	char path[96], keep[96];
	snprintf(path, sizeof(path), "%s/etc/f", d.root);
	snprintf(keep, sizeof(keep), "%s/kept", d.root);
	write_text(path, "original\n", 0640);
	ag_entry e = {.kind = AG_FILE, .tag = "t", .path = "/etc/f"};
	gd_error *err = NULL;
	assert_int_equal(ag_state_save(&d.h, "/etc/f", AG_FILE, &e, keep, &err),
			 0);
	assert_int_equal(e.mode, 0640);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink(d.target, path), 0);
	assert_int_equal(ag_revert(&d.h, &e, keep, &err), 0);
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);
	char *text = read_text(path);
	assert_string_equal(text, "original\n");
	free(text);
	text = read_text(d.target);
	assert_string_equal(text, "target\n");
	free(text);
	host_dir_remove(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encodes_and_reads_back_any_argv),
		cmocka_unit_test(cut_last_line_is_ignored),
		cmocka_unit_test(a_bad_whole_line_is_an_error),
		cmocka_unit_test(reverts_newest_first_by_tag),
		cmocka_unit_test(done_entries_are_not_reverted_again),
		cmocka_unit_test(the_first_save_of_a_path_wins),
		cmocka_unit_test(names_are_checked),
		cmocka_unit_test(only_a_state_revert_failing_keeps_the_run),
		cmocka_unit_test(a_link_is_neither_saved_nor_followed),
		cmocka_unit_test(an_attr_revert_refuses_a_link),
		cmocka_unit_test(a_file_revert_replaces_a_link),
	};
	return cmocka_run_group_tests_name("agent", tests, NULL, NULL);
}
