#include "jobsys/command.h"

#include "base/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int gd_jobsys_command(const gd_cluster_state *st, const char *node,
		      char *const *argv, int timeout_ms, char **out,
		      gd_error **err)
{
	_cleanup_free_ char *errout = NULL;
	int status = 0;
	*out = NULL;
	int r = gd_cluster_capture(st, node, argv, timeout_ms, out, &errout,
				   &status, err);
	if (r < 0)
		return gd_error_prefix(err, "%s", argv[0]);
	if (status == 0)
		return 0;
	size_t n = strlen(errout);
	while (n && (errout[n - 1] == '\n' || errout[n - 1] == '\r'))
		errout[--n] = '\0';
	free(*out);
	*out = NULL;
	return gd_error_make(err, EIO, "%s exited %d: %s", argv[0], status,
			     *errout ? errout : "(no message)");
}
