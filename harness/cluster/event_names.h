/* Every event the run's log can hold, as one enum with one name table:
 * writers (gameday's cluster, faults and run, and gd-init in each node)
 * pass the enum, the scorer maps a line's name back to it once.  The
 * names are the log's format (docs/verdict.md, golden logs): renaming one
 * breaks every log recorded before.
 *
 * Plain C with no library behind it, so gd-init (static, PID 1 of a
 * node) links it as gameday does. */
#ifndef GD_CLUSTER_EVENT_NAMES_H
#define GD_CLUSTER_EVENT_NAMES_H

#include <stddef.h>

typedef enum gd_event_kind {
	/* a name the table does not have: a later version's event, or a
	 * hand-written log's; 0, so a table indexed by the enum has an
	 * empty slot for it */
	GD_EV_UNKNOWN = 0,

	/* the cluster (cluster/) */
	GD_EV_CLUSTER_CREATING,
	GD_EV_CLUSTER_UP,
	GD_EV_CLUSTER_FAILED,
	GD_EV_NODE_STARTED,
	GD_EV_NODE_PAUSED,
	GD_EV_NODE_RESUMED,
	GD_EV_NODE_KILLING,
	GD_EV_NODE_KILLED,
	GD_EV_NODE_RELEASED, /* gameday's, and gd-init's once it is let go */

	/* the fault player (faults/) */
	GD_EV_FAULT_APPLYING,
	GD_EV_FAULT_APPLIED,
	GD_EV_FAULT_NOT_APPLIED,
	GD_EV_FAULT_HEALED,
	GD_EV_FAULT_NOT_HEALED,
	GD_EV_FAULT_DRAINED,
	GD_EV_FAULT_NOT_DRAINED,
	GD_EV_FAULT_RESUMED,
	GD_EV_FAULT_NOT_RESUMED,
	GD_EV_CHANGE_REVERTED,
	GD_EV_CHANGE_NOT_REVERTED,

	/* the runner and its watchers (run/) */
	GD_EV_RUN_STARTED,
	GD_EV_RUN_LAGGING,
	GD_EV_RUN_ENDED_HELD,
	GD_EV_RUN_STOPPED,
	GD_EV_RUN_FINISHED,
	GD_EV_JOB_PLANNED,
	GD_EV_JOB_SUBMITTED,
	GD_EV_JOB_STRAY_WITHDRAWN,
	GD_EV_JOB_HELD,
	GD_EV_JOB_RELEASED,
	GD_EV_JOB_STARTED,
	GD_EV_JOB_REQUEUED,
	GD_EV_JOB_MISSING,
	GD_EV_JOB_PROGRESS,
	GD_EV_JOB_FINISHED,
	GD_EV_JOB_OUTCOME,
	GD_EV_JOB_SYSTEM_ERROR,
	GD_EV_JOB_SYSTEM_ANSWERING,
	GD_EV_NODE_STATE,
	GD_EV_SYSTEM_LOG,
	GD_EV_NODE_LOGS,

	/* a node's supervisor (fakes/gd-init, "source": "supervisor") */
	GD_EV_START,
	GD_EV_START_FAILED,
	GD_EV_EXIT,
	GD_EV_RESTART,
	GD_EV_GIVE_UP,
	GD_EV_NODE_UP,
	GD_EV_NODE_DOWN,
	GD_EV_NODE_STOPPING,
	GD_EV_NODE_RELOAD,
	GD_EV_NODE_PROVISIONING,
	GD_EV_NODE_PROVISIONED,

	GD_EV__COUNT
} gd_event_kind;

/* The name written in the log ("fault-applied"); "" for GD_EV_UNKNOWN
 * or a value out of range. */
const char *gd_event_name(gd_event_kind kind);

/* The kind named by len bytes at name (not NUL-terminated: the scorer
 * asks with a name still inside the line), GD_EV_UNKNOWN for any other. */
gd_event_kind gd_event_kind_of(const char *name, size_t len);

#endif
