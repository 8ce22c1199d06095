/* What a node keeps as its own (gd_node_place), copying the team's files
 * (gd_copy_tree), and what a renewed node's layers differ in from the kept
 * ones (gd_provision_changes), on folders made in a temporary directory:
 * no node, no root needed. */
#include "unit.h"

#include "base/fileio.h"
#include "base/strbuf.h"
#include "cluster/provision.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[64];

static int make_tmp(void **state)
{
	(void)state;
	gd_pathf(tmp, sizeof(tmp), "/tmp/gd-unit-provision.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int remove_tmp(void **state)
{
	(void)state;
	return gd_remove_tree(tmp, false, NULL);
}

static void put(const char *rel, const char *text, mode_t mode)
{
	char path[PATH_MAX], dir[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/%s", tmp, rel);
	gd_pathf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(gd_mkdir_p(dir, 0755, NULL), 0);
	assert_int_equal(gd_write_file(path, text, strlen(text), mode, NULL),
			 0);
	assert_int_equal(chmod(path, mode), 0);
}

static mode_t mode_of(const char *rel)
{
	char path[PATH_MAX];
	struct stat st;
	gd_pathf(path, sizeof(path), "%s/%s", tmp, rel);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode;
}

static void places(void **state)
{
	(void)state;
	size_t len;
	assert_string_equal(gd_node_place("/etc/docconv/app.conf", &len),
			    "etc");
	assert_int_equal(len, 4);
	assert_string_equal(gd_node_place("/usr/local/bin/x", &len),
			    "usr-local");
	assert_string_equal(gd_node_place("/var/lib/x", &len), "var");
	/* the longest place that holds it: /var/log is the node's own */
	assert_string_equal(gd_node_place("/var/log/x", &len), "log");
	assert_string_equal(gd_node_place("/srv/scratch/x", &len), "scratch");
	assert_string_equal(gd_node_place("/srv/data", &len), "srv");
	/* the host's, and gameday's */
	assert_null(gd_node_place("/usr/bin/x", &len));
	assert_null(gd_node_place("/etcetera", &len));
	assert_null(gd_node_place("/srv/shared/x", &len));
	assert_null(gd_node_place("/run/gameday/x", &len));
}

static void copies_a_tree(void **state)
{
	(void)state;
	put("from/a.conf", "a\n", 0600);
	put("from/sub/b.tmpl", "b\n", 0644);
	char from[PATH_MAX], to[PATH_MAX], link[PATH_MAX];
	gd_pathf(link, sizeof(link), "%s/from/sub/link", tmp);
	assert_int_equal(symlink("b.tmpl", link), 0);
	gd_pathf(from, sizeof(from), "%s/from", tmp);
	gd_pathf(to, sizeof(to), "%s/to/deep/copy", tmp);
	size_t bytes = 0;
	assert_int_equal(
		gd_copy_tree(from, to, getuid(), getgid(), 0640, &bytes, NULL),
		0);
	assert_int_equal(bytes, 4);
	assert_int_equal(mode_of("to/deep/copy/a.conf") & 07777, 0640);
	/* folders are searchable where the mode lets read */
	assert_int_equal(mode_of("to/deep/copy/sub") & 07777, 0750);
	assert_true(S_ISLNK(mode_of("to/deep/copy/sub/link")));
	/* without a mode, each keeps its source's */
	gd_pathf(to, sizeof(to), "%s/kept", tmp);
	assert_int_equal(
		gd_copy_tree(from, to, getuid(), getgid(), -1, NULL, NULL), 0);
	assert_int_equal(mode_of("kept/a.conf") & 07777, 0600);
	assert_int_equal(mode_of("kept/sub/b.tmpl") & 07777, 0644);
}

static void refuses_special_files(void **state)
{
	(void)state;
	char from[PATH_MAX], to[PATH_MAX];
	gd_pathf(from, sizeof(from), "%s/fifo", tmp);
	gd_pathf(to, sizeof(to), "%s/fifo-copy", tmp);
	assert_int_equal(mkfifo(from, 0644), 0);
	gd_error *err = NULL;
	assert_true(gd_copy_tree(from, to, getuid(), getgid(), -1, NULL, &err) <
		    0);
	assert_non_null(strstr(err->msg, "neither a file, a folder nor a"));
	gd_error_free(err);
}

/* What a node's root holds is read by gameday (root) without following a
 * link anywhere below the node's directory, nor waiting on a FIFO. */
static void reads_beneath(void **state)
{
	(void)state;
	put("node/log/ok.log", "fine\n", 0644);
	char path[PATH_MAX], root[PATH_MAX];
	gd_pathf(root, sizeof(root), "%s/node", tmp);
	gd_pathf(path, sizeof(path), "%s/node/log/shadow.log", tmp);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	gd_pathf(path, sizeof(path), "%s/node/fifo.log", tmp);
	assert_int_equal(mkfifo(path, 0644), 0);
	gd_pathf(path, sizeof(path), "%s/node/etc", tmp);
	assert_int_equal(symlink("/etc", path), 0);
	char *text = gd_read_beneath(root, "log/ok.log", 100);
	assert_string_equal(text, "fine\n");
	free(text);
	assert_null(gd_read_beneath(root, "log/shadow.log", 1 << 20));
	assert_null(gd_read_beneath(root, "fifo.log", 100));
	assert_null(gd_read_beneath(root, "etc/passwd", 1 << 20));
	assert_null(gd_read_beneath(root, "../node/log/ok.log", 100));
	assert_null(gd_read_beneath(root, "log/ok.log", 2)); /* over max */
}

/* A node directory with its kept layers (the old template's) and its
 * renewed ones (the new template's) side by side. */
static void differences(void **state)
{
	(void)state;
	put(".node.kept/etc/passwd",
	    "root:x:0:0::/root:/bin/sh\n"
	    "docsvc:x:2001:2001::/:/bin/false\n"
	    "old:x:3000:3000::/:/bin/false\n",
	    0644);
	put("node/etc/passwd",
	    "root:x:0:0::/root:/bin/sh\n"
	    "docsvc:x:2002:2001::/:/bin/false\n",
	    0644);
	put(".node.kept/etc/group", "root:x:0:\ndocsvc:x:2001:\n", 0644);
	put("node/etc/group", "root:x:0:\ndocsvc:x:2001:\nnew:x:4000:\n", 0644);
	/* paths no host has, so the layers alone say what the node sees */
	put(".node.kept/opt/gd-unit-app/scratch/.keep", "", 0644);
	put(".node.kept/opt/gd-unit-app/app.conf", "x\n", 0640);
	/* "scratch.d" sorts between "scratch" and "scratch/..." */
	put(".node.kept/opt/gd-unit-app/scratch.d/x", "", 0644);
	put("node/opt/gd-unit-app/app.conf", "y\n", 0644);
	put("node/opt/gd-unit-app/extra", "", 0600);
	put(".node.kept/etc/gameday/services", "a\n", 0644);
	put("node/etc/gameday/services", "b\n", 0600);
	/* the same name, another uid: both shown with their numbers */
	put(".node.kept/opt/gd-unit-app/data", "", 0644);
	put("node/opt/gd-unit-app/data", "", 0644);
	char path[PATH_MAX];
	bool root = getuid() == 0;
	gd_pathf(path, sizeof(path), "%s/.node.kept/opt/gd-unit-app/data", tmp);
	if (root)
		assert_int_equal(chown(path, 2001, 2001), 0);
	gd_pathf(path, sizeof(path), "%s/node/opt/gd-unit-app/data", tmp);
	if (root)
		assert_int_equal(chown(path, 2002, 2001), 0);
	gd_node_rt n = {0};
	gd_pathf(n.dir, sizeof(n.dir), "%s/node", tmp);
	gd_strbuf out = GD_STRBUF_INIT;
	size_t lines = gd_provision_changes(&n, &out);
	const char *want[] = {
		"user docsvc: uid 2002 (was 2001)\n",
		"user old: gone (uid 3000)\n",
		"group new: new (gid 4000)\n",
		"/opt/gd-unit-app/app.conf: file root:root 0644 (was file "
		"root:root 0640)\n",
		"/opt/gd-unit-app/extra: new, file root:root 0600\n",
		"/opt/gd-unit-app/scratch: gone (was folder root:root 0755)\n",
		"/opt/gd-unit-app/scratch.d: gone (was folder root:root "
		"0755)\n",
		"/opt/gd-unit-app/data: file docsvc(2002):docsvc(2001) 0644 "
		"(was file docsvc(2001):docsvc(2001) 0644)\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!root && (strstr(want[i], "root:root") ||
			      strstr(want[i], "docsvc(")))
			continue; /* owned by whoever runs the test */
		if (!strstr(out.buf, want[i]))
			fail_msg("missing \"%s\" in:\n%s", want[i], out.buf);
	}
	/* gameday's own files are no difference of the scripts' */
	assert_null(strstr(out.buf, "/etc/gameday"));
	/* the scratch folder's content goes with it: one line for both */
	assert_null(strstr(out.buf, ".keep"));
	assert_null(strstr(out.buf, "scratch.d/x"));
	assert_int_equal(lines, root ? 8 : 7);
	gd_strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(places),
		cmocka_unit_test_setup_teardown(copies_a_tree, make_tmp,
						remove_tmp),
		cmocka_unit_test_setup_teardown(refuses_special_files, make_tmp,
						remove_tmp),
		cmocka_unit_test_setup_teardown(reads_beneath, make_tmp,
						remove_tmp),
		cmocka_unit_test_setup_teardown(differences, make_tmp,
						remove_tmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
