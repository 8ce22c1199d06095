/* The job kinds table: one line per kind of job a workload group runs,
 * its row in its own file. */
#include "kinds/jobkind.h"

#include <string.h>

/* Each defined in its kind's file under run/. */
extern const gd_job_kind gd_job_kind_document, gd_job_kind_command,
	gd_job_kind_trace;

const gd_job_kind *const gd_job_kinds[] = {
	&gd_job_kind_document,
	&gd_job_kind_command,
	&gd_job_kind_trace,
};
const size_t gd_njob_kinds = sizeof(gd_job_kinds) / sizeof(gd_job_kinds[0]);

const gd_job_kind *gd_job_kind_find(const char *name)
{
	for (size_t i = 0; i < gd_njob_kinds; i++)
		if (strcmp(gd_job_kinds[i]->name, name) == 0)
			return gd_job_kinds[i];
	return NULL;
}
