/* A reboot coming back changed ("back_with"), as a configuration-
 * management run leaves a re-provisioned machine: the node starts held
 * (gd-init runs, no service yet), the change is made through its root
 * (a skew, a clock offset, settings of the job system's configuration),
 * and only then do its services start, so none of them ever sees the node
 * as it was.  At the change's end it is reverted and, where services read
 * it only when they start, they are restarted. */
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "cluster/provision.h"
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

/* ---- "provision": the node renewed by another script ---- */

int gd_change_renew(gd_faults *f, const gd_plan_entry *e, gd_error **err)
{
	const gd_change *c = e->step->back_with;
	if (!c || !c->provision.n)
		return 0;
	const gd_cluster *cl = &f->plan->scenario->cluster;
	f->changed[e - f->plan->entries] = true;
	for (size_t k = 0; k < e->nodes.n; k++) {
		int r = gd_cluster_renew_node(
			f->st, f->st->nodes[e->nodes.v[k]].name, cl,
			gd_jobsys_node_hook(cl), &c->provision, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Evidence: what the renewed node differs in, its first lines here, all
 * of them beside its provisioning output (and so in the run folder). */
static int check_renewed(gd_faults *f, const gd_plan_entry *e,
			 const gd_change *c, bool reverted, char *evidence,
			 size_t size)
{
	int missing = 0;
	for (size_t k = 0; k < e->nodes.n; k++) {
		gd_node_rt *n = &f->st->nodes[e->nodes.v[k]];
		size_t used = strlen(evidence);
		if (reverted || !n->renewed) {
			snprintf(evidence + used, size - used, "%s%s: %s",
				 used ? "; " : "", n->name,
				 n->renewed ? "still renewed"
					    : "its own files back");
			missing += n->renewed != NULL;
			continue;
		}
		_cleanup_strbuf_ gd_strbuf all = GD_STRBUF_INIT;
		size_t lines = gd_cluster_node_changes(f->st, n->name, &all);
		char path[128];
		snprintf(path, sizeof(path),
			 "/var/log/gameday/provision/changes-%u.txt",
			 n->provisioned_boot);
		_cleanup_error_ gd_error *pe = NULL;
		gd_node_put(n, path, all.buf ? all.buf : "", all.len, &pe);
		char *nl = all.buf ? strchr(all.buf, '\n') : NULL;
		if (nl)
			*nl = '\0';
		snprintf(evidence + used, size - used,
			 "%s%s: renewed by %s, %zu difference%s%s%s",
			 used ? "; " : "", n->name, c->provision.v[0], lines,
			 lines == 1 ? "" : "s", lines ? ", first: " : "",
			 lines ? all.buf : "");
	}
	return missing;
}

/* At the change's end the node is re-imaged with its kept files: down,
 * restored, booted (provisioned by its role's script again, if any). */
static int restore_renewed(gd_faults *f, const gd_plan_entry *e, gd_error **err)
{
	const gd_cluster *cl = &f->plan->scenario->cluster;
	for (size_t k = 0; k < e->nodes.n; k++) {
		gd_node_rt *n = &f->st->nodes[e->nodes.v[k]];
		if (!n->renewed)
			continue;
		int r = gd_cluster_stop_node(f->st, n->name, false, NULL, err);
		if (r == 0)
			r = gd_cluster_restore_node(f->st, n->name, err);
		if (r == 0)
			r = gd_cluster_start_node(f->st, n->name, f->libexec,
						  false, err);
		if (r == 0)
			r = gd_provision_wait(cl, e->nodes.v[k], n,
					      GD_PROVISION_TIMEOUT_MS, NULL,
					      err);
		if (r < 0)
			return r;
	}
	return 0;
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
	if (c->provision.n)
		missing += check_renewed(f, e, c, reverted, evidence, size);
	return missing > 0;
}

int gd_change_revert(gd_faults *f, const gd_plan_entry *e, char *evidence,
		     size_t size, gd_error **err)
{
	const gd_change *c = e->step->back_with;
	size_t idx = (size_t)(e - f->plan->entries);
	int r = 0;
	if (c->provision.n)
		r = restore_renewed(f, e, err);
	if (r == 0 && c->nconfig)
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
