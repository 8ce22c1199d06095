#include "unit.h"

#include "faults/engine.h"

#include <stdlib.h>

static void the_service_users_ids_are_remapped(void **state)
{
	(void)state;
	const char *passwd =
		"root:x:0:0:root:/root:/bin/bash\n"
		"gdjobx:x:7:7::/:/bin/sh\n"
		"gdjob:x:64000:64000:gameday service user:/srv/scratch:/bin/sh\n";
	char *out = gd_passwd_remap(passwd, "gdjob", 2001, 2002);
	assert_string_equal(
		out,
		"root:x:0:0:root:/root:/bin/bash\n"
		"gdjobx:x:7:7::/:/bin/sh\n"
		"gdjob:x:2001:2002:gameday service user:/srv/scratch:/bin/sh\n");
	free(out);
	/* -1 keeps a field */
	out = gd_passwd_remap(passwd, "gdjob", -1, 5);
	assert_non_null(strstr(out, "\ngdjob:x:64000:5:gameday"));
	free(out);
}

static void a_group_line_keeps_its_members(void **state)
{
	(void)state;
	const char *group = "adm:x:4:syslog\ngdjob:x:64000:alice,bob\n";
	char *out = gd_passwd_remap(group, "gdjob", 2001, -1);
	assert_string_equal(out, "adm:x:4:syslog\ngdjob:x:2001:alice,bob\n");
	free(out);
	/* no trailing newline, no such user: unchanged */
	out = gd_passwd_remap("a:x:1:1", "gdjob", 5, 5);
	assert_string_equal(out, "a:x:1:1");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_service_users_ids_are_remapped),
		cmocka_unit_test(a_group_line_keeps_its_members),
	};
	return cmocka_run_group_tests_name("skew", tests, NULL, NULL);
}
