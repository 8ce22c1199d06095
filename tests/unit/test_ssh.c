/* The remote shell's quoting (remote/ssh.c): what a POSIX shell reads
 * back as the same words.  The round trip through a real sshd and shell
 * is tests/integration/ssh.sh's. */
#include "unit.h"

#include "remote/ssh.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_words_stay_plain),
		cmocka_unit_test(others_are_single_quoted),
		cmocka_unit_test(quote_and_empty_and_newline),
		cmocka_unit_test(a_shell_reads_the_words_back),
		cmocka_unit_test(
			the_sockets_folder_is_private_and_removed_whole),
	};
	return cmocka_run_group_tests_name("ssh", tests, NULL, NULL);
}
