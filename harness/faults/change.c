/* A reboot coming back changed ("back_with"), as a configuration-
 * management run leaves a re-provisioned machine: the node starts held
 * (gd-init runs, no service yet), the change is made through its root
 * (a skew, a clock offset, settings of the job system's configuration),
 * and only then do its services start, so none of them ever sees the node
 * as it was.  At the change's end it is reverted and, where services read
 * it only when they start, they are restarted. */
#include "base/cleanup.h"
#include "faults/engine.h"
#include "jobsys/jobsys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char ***conf_saved(gd_faults *f, const gd_plan_entry *e)
{
	return (char ***)&f->change_state[e - f->plan->entries];
}

/* The job system's configuration file (preflight made sure there is one
 * before a change of it is played). */
static const char *conf_path(const gd_faults *f)
{
	return gd_jobsys_config_path(&f->plan->scenario->cluster);
}

static int set_config(gd_faults *f, const gd_plan_entry *e, const gd_change *c,
		      gd_error **err)
{
	const char *path = conf_path(f);
	char **saved = calloc(e->nodes.n + 1, sizeof(*saved));
	if (!saved)
		return gd_error_make(err, ENOMEM, "cannot change the node");
	*conf_saved(f, e) = saved;
	for (size_t j = 0; j < e->nodes.n; j++) {
		const gd_node_rt *n = &f->st->nodes[e->nodes.v[j]];
		saved[j] = gd_node_read(n, path, err);
		if (!saved[j])
			return -EIO;
		_cleanup_free_ char *text = gd_jobsys_config_override(
			&f->plan->scenario->cluster, saved[j], n->name,
			c->config_keys, c->config_values, c->nconfig);
		if (!text)
			return gd_error_make(err, ENOMEM,
					     "cannot change the node");
		int r = gd_node_write(n, path, text, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int restore_config(gd_faults *f, const gd_plan_entry *e, gd_error **err)
{
	char **saved = *conf_saved(f, e);
	for (size_t j = 0; saved && j < e->nodes.n; j++) {
		if (!saved[j])
			continue;
		int r = gd_node_write(&f->st->nodes[e->nodes.v[j]],
				      conf_path(f), saved[j], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Evidence: the configuration as the node reads it. */
static int check_config(gd_faults *f, const gd_plan_entry *e,
			const gd_change *c, bool reverted, char *evidence,
			size_t size)
{
	char **saved = *conf_saved(f, e);
	const char *path = conf_path(f);
	int missing = 0;
	for (size_t j = 0; j < e->nodes.n; j++) {
		const gd_node_rt *n = &f->st->nodes[e->nodes.v[j]];
		gd_error *err = NULL;
		_cleanup_free_ char *text = gd_node_read(n, path, &err);
		gd_error_free(err);
		bool ok = text != NULL;
		for (size_t i = 0; ok && !reverted && i < c->nconfig; i++) {
			char want[512];
			snprintf(want, sizeof(want), "%s=%s", c->config_keys[i],
				 c->config_values[i]);
			ok = strstr(text, want) != NULL;
		}
		if (reverted)
			ok = ok && saved && saved[j] &&
			     strcmp(text, saved[j]) == 0;
		missing += !ok;
		size_t used = strlen(evidence);
		snprintf(evidence + used, size - used, "%s%s: %s %s",
			 used ? "; " : "", n->name, path,
			 reverted ? (ok ? "as it was" : "not as it was")
				  : (ok ? "has the new settings"
					: "lacks the new settings"));
	}
	return missing > 0;
}

int gd_change_make(gd_faults *f, const gd_plan_entry *e, gd_error **err)
{
	const gd_change *c = e->step->back_with;
	/* Marked before it is made: a change made in part is reverted at
	 * its end all the same (the revert skips what was not made). */
	f->changed[e - f->plan->entries] = true;
	int r = 0;
	for (size_t i = 0; r == 0 && i < c->nparts; i++)
		r = c->parts[i].kind->ops->part_make(f, e, c->parts[i].spec,
						     err);
	if (r == 0 && c->nconfig)
		r = set_config(f, e, c, err);
	return r;
}

int gd_change_check(gd_faults *f, const gd_plan_entry *e, bool reverted,
		    char *evidence, size_t size)
{
	const gd_change *c = e->step->back_with;
	int missing = 0;
	for (size_t i = 0; i < c->nparts; i++)
		missing += c->parts[i].kind->ops->part_check(
			f, e, c->parts[i].spec, reverted, evidence, size);
	if (c->nconfig)
		missing += check_config(f, e, c, reverted, evidence, size);
	return missing > 0;
}

int gd_change_revert(gd_faults *f, const gd_plan_entry *e, char *evidence,
		     size_t size, gd_error **err)
{
	const gd_change *c = e->step->back_with;
	size_t idx = (size_t)(e - f->plan->entries);
	int r = 0;
	if (c->nconfig)
		r = restore_config(f, e, err);
	/* A configuration reaches services when they start; so may a
	 * part (a security profile). */
	bool restart = c->nconfig;
	for (size_t i = c->nparts; r == 0 && i-- > 0;) {
		const gd_fault_ops *ops = c->parts[i].kind->ops;
		r = ops->part_undo(f, e, c->parts[i].spec, err);
		restart |= ops->part_restarts &&
			   ops->part_restarts(c->parts[i].spec);
	}
	for (size_t j = 0; r == 0 && restart && j < e->nodes.n; j++)
		r = gd_security_restart(&f->st->nodes[e->nodes.v[j]], err);
	if (r < 0)
		return r;
	f->changed[idx] = false;
	gd_faults_mark_applied(f);
	return gd_change_check(f, e, true, evidence, size);
}

void gd_change_forget_parts(gd_faults *f, size_t entry)
{
	const gd_change *c = f->plan->entries[entry].step->back_with;
	for (size_t i = 0; c && i < c->nparts; i++)
		if (c->parts[i].kind->ops->forget)
			c->parts[i].kind->ops->forget(f, entry);
}

void gd_change_forget(gd_faults *f, size_t entry)
{
	char **saved = f->change_state[entry];
	if (!saved)
		return;
	for (size_t j = 0; j < f->plan->entries[entry].nodes.n; j++)
		free(saved[j]);
	free(saved);
	f->change_state[entry] = NULL;
}
