/* A plan's faults as a timeline of actions: each fault applied at its
 * start and healed at its end (a reboot's nodes drained in the job system
 * "drain" before it, its "back_with" change reverted when it lapses), in
 * the order a run plays them.  Pure: the same plan gives
 * the same schedule, which is what 'gameday run --dry-run' prints. */
#ifndef GD_FAULTS_SCHEDULE_H
#define GD_FAULTS_SCHEDULE_H

#include "plan/plan.h"

#include <stddef.h>

enum gd_action_kind {
	GD_ACT_APPLY,
	GD_ACT_HEAL,	   /* the fault ends (a rebooted node comes back) */
	GD_ACT_CHANGE_END, /* a reboot's back_with change is reverted */
	GD_ACT_DRAIN,	   /* a reboot's nodes are drained ahead of it */
};
const char *gd_action_kind_name(enum gd_action_kind k);

typedef struct gd_action {
	gd_ms at; /* scenario time */
	enum gd_action_kind kind;
	const gd_plan_entry *entry;
} gd_action;

/* The actions of p, by time; at one instant heals come before applies (a
 * fault may take an aspect the moment another lets it go), then plan
 * order.  Faults and changes lasting "until the end" have no heal: they
 * stay until the run ends (the last deadline, or every job done), when
 * gameday tidies up; instant ones (a service kill, a clock reset) have
 * none either.  *out is a
 * heap array. */
int gd_schedule_build(const gd_plan *p, gd_action **out, size_t *n);

#endif
