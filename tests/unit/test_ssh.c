/* The remote shell's quoting (remote/ssh.c): what a POSIX shell reads
 * back as the same words.  The round trip through a real sshd and shell
 * is tests/integration/ssh.sh's. */
#include "unit.h"

#include "cluster/ssh_power.h"
#include "remote/ssh.h"

#include <time.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *quoted(char *const *argv)
{
	gd_strbuf sb = GD_STRBUF_INIT;
	gd_ssh_quote(&sb, argv);
	return gd_strbuf_detach(&sb);
}

#define QUOTES_AS(want, ...)                                                   \
	do {                                                                   \
		char *argv[] = {__VA_ARGS__, NULL};                            \
		char *got = quoted(argv);                                      \
		assert_string_equal(got, want);                                \
		free(got);                                                     \
	} while (0)

static void plain_words_stay_plain(void **state)
{
	(void)state;
	QUOTES_AS("systemctl restart slurmd.service", "systemctl", "restart",
		  "slurmd.service");
	QUOTES_AS("cp -a /etc/x user@h:/y a=b,c+d%", "cp", "-a", "/etc/x",
		  "user@h:/y", "a=b,c+d%");
}

static void others_are_single_quoted(void **state)
{
	(void)state;
	QUOTES_AS("echo 'a b' '$HOME' '`id`' ';' '*' '~' 'a|b'", "echo", "a b",
		  "$HOME", "`id`", ";", "*", "~", "a|b");
	QUOTES_AS("echo '\"q\"' 'back\\slash'", "echo", "\"q\"", "back\\slash");
	/* a first word with '=' would be an assignment, not a program */
	QUOTES_AS("'A=b' c=d", "A=b", "c=d");
}

static void quote_and_empty_and_newline(void **state)
{
	(void)state;
	QUOTES_AS("echo 'it'\\''s' ''", "echo", "it's", "");
	QUOTES_AS("''\\'''", "'");
	QUOTES_AS("echo 'one\ntwo'", "echo", "one\ntwo");
	QUOTES_AS("", (char *)NULL);
}

/* Every byte but NUL, through /bin/sh: the words come back as given. */
static void a_shell_reads_the_words_back(void **state)
{
	(void)state;
	char all[256];
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	char *argv[] = {"printf", "%s|", all, "", "'", "x y", NULL};
	char *cmd = quoted(argv);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char got[1024];
	size_t n = fread(got, 1, sizeof(got), p);
	assert_int_equal(WEXITSTATUS(pclose(p)), 0);
	char want[1024];
	int wn = snprintf(want, sizeof(want), "%s||'|x y|", all);
	assert_int_equal(n, (size_t)wn);
	assert_memory_equal(got, want, n);
	free(cmd);
}

/* The one maker of the sockets' folders: private, short, and removed
 * with what a master left in it. */
static void the_sockets_folder_is_private_and_removed_whole(void **state)
{
	(void)state;
	char a[GD_SSH_DIR_LEN], b[GD_SSH_DIR_LEN];
	gd_error *err = NULL;
	assert_int_equal(gd_ssh_dir_make(a, &err), 0);
	assert_int_equal(gd_ssh_dir_make(b, &err), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(strncmp(a, "/tmp/gd-ssh-", 12), 0);
	struct stat st;
	assert_int_equal(lstat(a, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	char left[64];
	snprintf(left, sizeof(left), "%s/master-x", a);
	FILE *f = fopen(left, "w");
	assert_non_null(f);
	fclose(f);
	gd_ssh_dir_remove(a);
	gd_ssh_dir_remove(b);
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(access(b, F_OK), -1);
}

/* A node whose status command is argv (NULL-terminated). */
static gd_power_state status_of(const char **argv, int timeout_s,
				gd_error **err)
{
	size_t n = 0;
	while (argv[n])
		n++;
	gd_power pw = {.status = {argv, n}};
	gd_node node = {.name = "w1", .host = "root@w1", .power = &pw};
	return gd_ssh_power_status(&node, timeout_s, err);
}

#define STATUS_IS(want, timeout, ...)                                          \
	do {                                                                   \
		const char *argv[] = {__VA_ARGS__, NULL};                      \
		gd_error *err = NULL;                                          \
		assert_int_equal(status_of(argv, timeout, &err), want);        \
		if (want == GD_POWER_UNKNOWN)                                  \
			assert_non_null(err);                                  \
		else                                                           \
			assert_null(err);                                      \
		gd_error_free(err);                                            \
	} while (0)

/* Exit 0 is on and another exit code off; a status that could not run,
 * was killed or ran past its time says nothing, and must never read as
 * off (cleanup would power the host on blindly). */
static void power_status_tells_off_from_no_answer(void **state)
{
	(void)state;
	STATUS_IS(GD_POWER_ON, 5, "true");
	STATUS_IS(GD_POWER_ON, 5, "sh", "-c", "test \"$0\" = w1", "{node}");
	STATUS_IS(GD_POWER_OFF, 5, "sh", "-c", "exit 1");
	STATUS_IS(GD_POWER_OFF, 5, "sh", "-c", "exit 3");
	STATUS_IS(GD_POWER_UNKNOWN, 5, "/nonexistent/gd-power-status", "w1");
	STATUS_IS(GD_POWER_UNKNOWN, 5, "sh", "-c", "exec /nonexistent/x");
	STATUS_IS(GD_POWER_UNKNOWN, 5, "sh", "-c", "kill -KILL $$");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const char *slow[] = {"sh", "-c", "sleep 30 & sleep 30", NULL};
	gd_error *err = NULL;
	assert_int_equal(status_of(slow, 1, &err), GD_POWER_UNKNOWN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "still running after 1 s"));
	gd_error_free(err);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_words_stay_plain),
		cmocka_unit_test(others_are_single_quoted),
		cmocka_unit_test(quote_and_empty_and_newline),
		cmocka_unit_test(a_shell_reads_the_words_back),
		cmocka_unit_test(
			the_sockets_folder_is_private_and_removed_whole),
		cmocka_unit_test(power_status_tells_off_from_no_answer),
	};
	return cmocka_run_group_tests_name("ssh", tests, NULL, NULL);
}
