#include "cluster/event_names.h"

#include <string.h>

/* The lengths are kept so that a lookup, asked for every line of a log of
 * millions, compares bytes only where the length matches. */
#define NAME(s)                                                                \
	{                                                                      \
		s, sizeof(s) - 1                                               \
	}

static const struct {
	const char *name;
	size_t len;
} names[GD_EV__COUNT] = {
	[GD_EV_UNKNOWN] = NAME(""),

	[GD_EV_CLUSTER_CREATING] = NAME("cluster-creating"),
	[GD_EV_CLUSTER_UP] = NAME("cluster-up"),
	[GD_EV_CLUSTER_FAILED] = NAME("cluster-failed"),
	[GD_EV_NODE_STARTED] = NAME("node-started"),
	[GD_EV_NODE_PAUSED] = NAME("node-paused"),
	[GD_EV_NODE_RESUMED] = NAME("node-resumed"),
	[GD_EV_NODE_KILLING] = NAME("node-killing"),
	[GD_EV_NODE_KILLED] = NAME("node-killed"),
	[GD_EV_NODE_RELEASED] = NAME("node-released"),

	[GD_EV_FAULT_APPLYING] = NAME("fault-applying"),
	[GD_EV_FAULT_APPLIED] = NAME("fault-applied"),
	[GD_EV_FAULT_NOT_APPLIED] = NAME("fault-not-applied"),
	[GD_EV_FAULT_HEALED] = NAME("fault-healed"),
	[GD_EV_FAULT_NOT_HEALED] = NAME("fault-not-healed"),
	[GD_EV_FAULT_DRAINED] = NAME("fault-drained"),
	[GD_EV_FAULT_NOT_DRAINED] = NAME("fault-not-drained"),
	[GD_EV_FAULT_RESUMED] = NAME("fault-resumed"),
	[GD_EV_FAULT_NOT_RESUMED] = NAME("fault-not-resumed"),
	[GD_EV_CHANGE_REVERTED] = NAME("change-reverted"),
	[GD_EV_CHANGE_NOT_REVERTED] = NAME("change-not-reverted"),

	[GD_EV_RUN_STARTED] = NAME("run-started"),
	[GD_EV_RUN_LAGGING] = NAME("run-lagging"),
	[GD_EV_RUN_ENDED_HELD] = NAME("run-ended-held"),
	[GD_EV_RUN_STOPPED] = NAME("run-stopped"),
	[GD_EV_RUN_FINISHED] = NAME("run-finished"),
	[GD_EV_JOB_PLANNED] = NAME("job-planned"),
	[GD_EV_JOB_SUBMITTED] = NAME("job-submitted"),
	[GD_EV_JOB_STRAY_WITHDRAWN] = NAME("job-stray-withdrawn"),
	[GD_EV_JOB_HELD] = NAME("job-held"),
	[GD_EV_JOB_RELEASED] = NAME("job-released"),
	[GD_EV_JOB_STARTED] = NAME("job-started"),
	[GD_EV_JOB_REQUEUED] = NAME("job-requeued"),
	[GD_EV_JOB_MISSING] = NAME("job-missing"),
	[GD_EV_JOB_PROGRESS] = NAME("job-progress"),
	[GD_EV_JOB_FINISHED] = NAME("job-finished"),
	[GD_EV_JOB_OUTCOME] = NAME("job-outcome"),
	[GD_EV_JOB_SYSTEM_ERROR] = NAME("job-system-error"),
	[GD_EV_JOB_SYSTEM_ANSWERING] = NAME("job-system-answering"),
	[GD_EV_NODE_STATE] = NAME("node-state"),
	[GD_EV_SYSTEM_LOG] = NAME("system-log"),
	[GD_EV_NODE_LOGS] = NAME("node-logs"),

	[GD_EV_START] = NAME("start"),
	[GD_EV_START_FAILED] = NAME("start-failed"),
	[GD_EV_EXIT] = NAME("exit"),
	[GD_EV_RESTART] = NAME("restart"),
	[GD_EV_GIVE_UP] = NAME("give-up"),
	[GD_EV_NODE_UP] = NAME("node-up"),
	[GD_EV_NODE_DOWN] = NAME("node-down"),
	[GD_EV_NODE_STOPPING] = NAME("node-stopping"),
	[GD_EV_NODE_RELOAD] = NAME("node-reload"),
	[GD_EV_NODE_PROVISIONING] = NAME("node-provisioning"),
	[GD_EV_NODE_PROVISIONED] = NAME("node-provisioned"),
};

const char *gd_event_name(gd_event_kind kind)
{
	if ((unsigned)kind >= GD_EV__COUNT || !names[kind].name)
		return "";
	return names[kind].name;
}

gd_event_kind gd_event_kind_of(const char *name, size_t len)
{
	/* from 1: "" is no event's name, even when a line says it */
	for (unsigned k = 1; k < GD_EV__COUNT; k++)
		if (names[k].len == len && names[k].name &&
		    memcmp(names[k].name, name, len) == 0)
			return (gd_event_kind)k;
	return GD_EV_UNKNOWN;
}
