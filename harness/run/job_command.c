/* The command job kind: the team's own program as the job. */
#include "run/job.h"

#include "base/cleanup.h"
#include "scenario/parse.h"

static const char *const command_keys[] = {"command"};

static void command_parse(gd_reader *r, json_t *v, const gd_scenario *s,
			  gd_job_group *g)
{
	(void)r, (void)v, (void)s, (void)g;
}

static const gd_job_ops command_ops = {0};

const gd_job_kind gd_job_kind_command = {
	.name = "command",
	.keys = command_keys,
	.nkeys = GD_ARRAY_SIZE(command_keys),
	.jobs_instead = "inputs",
	.parse = command_parse,
	.ops = &command_ops,
};
