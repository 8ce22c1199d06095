/* The node backends' table, and the public calls on nodes dispatched to
 * their row (backend.h): callers outside cluster/ name a node and never
 * its backend. */
#include "cluster/backend.h"

#include "cluster/cluster.h"
#include "cluster/ns.h"
#include "cluster/ssh_node.h"

#include <errno.h>
#include <string.h>

/* One row per backend, the default first. */
const gd_node_backend *const gd_node_backends[] = {
	&gd_node_backend_ns,
	&gd_node_backend_ssh,
};
const size_t gd_node_nbackends =
	sizeof(gd_node_backends) / sizeof(gd_node_backends[0]);

const gd_node_backend *gd_node_backend_find(const char *name)
{
	if (!name)
		return gd_node_backends[0];
	for (size_t i = 0; i < gd_node_nbackends; i++)
		if (strcmp(gd_node_backends[i]->name, name) == 0)
			return gd_node_backends[i];
	return NULL;
}

/* ---- the cluster's nodes, by name ---- */

static gd_node_rt *find_node(const gd_cluster_state *st, const char *node,
			     gd_error **err)
{
	for (size_t i = 0; i < st->nnodes; i++)
		if (strcmp(st->nodes[i].name, node) == 0)
			return &st->nodes[i];
	gd_error_set(err, ENOENT, "no node \"%s\" in cluster %s", node, st->id);
	return NULL;
}

int gd_cluster_down(const gd_cluster_state *st, int grace_ms, gd_error **err)
{
	return st->backend->down(st, grace_ms, err);
}

int gd_cluster_exec(const gd_cluster_state *st, const char *node,
		    char *const *argv, int *status, gd_error **err)
{
	return gd_cluster_exec_io(st, node, argv, NULL, status, err);
}

int gd_cluster_exec_io(const gd_cluster_state *st, const char *node,
		       char *const *argv, const gd_exec_io *io, int *status,
		       gd_error **err)
{
	const gd_node_rt *n = find_node(st, node, err);
	return n ? st->backend->exec(st, n, argv, io, status, err) : -ENOENT;
}

int gd_cluster_ready_node(const gd_cluster_state *st, const char *node,
			  bool for_stop, gd_node_ready *ready, gd_error **err)
{
	*ready = (gd_node_ready)GD_NODE_READY_INIT;
	const gd_node_rt *n = find_node(st, node, err);
	return n ? st->backend->ready(st, n, for_stop, ready, err) : -ENOENT;
}

void gd_cluster_ready_close(const gd_cluster_state *st, gd_node_ready *ready)
{
	st->backend->ready_close(ready);
}

int gd_cluster_pause(const gd_cluster_state *st, const char *node, bool pause,
		     const gd_node_ready *ready, gd_error **err)
{
	const gd_node_rt *n = find_node(st, node, err);
	return n ? st->backend->pause(st, n, pause, ready, err) : -ENOENT;
}

int gd_cluster_stop_node(const gd_cluster_state *st, const char *node,
			 bool release, const gd_node_ready *ready,
			 gd_error **err)
{
	const gd_node_rt *n = find_node(st, node, err);
	return n ? st->backend->stop(st, n, release, ready, err) : -ENOENT;
}

int gd_cluster_reboot_node(const gd_cluster_state *st, const char *node,
			   const gd_node_ready *ready, gd_error **err)
{
	const gd_node_rt *n = find_node(st, node, err);
	if (!n)
		return -ENOENT;
	return st->backend->reboot
		       ? st->backend->reboot(st, n, ready, err)
		       : st->backend->stop(st, n, false, ready, err);
}

int gd_cluster_fetch_logs(const gd_cluster_state *st, const char *node,
			  const char *to, gd_error **err)
{
	const gd_node_rt *n = find_node(st, node, err);
	if (!n)
		return -ENOENT;
	return st->backend->fetch_logs ? st->backend->fetch_logs(st, n, to, err)
				       : 0;
}

int gd_cluster_start_node(gd_cluster_state *st, const char *node,
			  const char *libexec, bool held, gd_error **err)
{
	gd_node_rt *n = find_node(st, node, err);
	return n ? st->backend->start(st, n, libexec, held, err) : -ENOENT;
}

int gd_cluster_release_node(const gd_cluster_state *st, const char *node,
			    gd_error **err)
{
	const gd_node_rt *n = find_node(st, node, err);
	return n ? st->backend->release(st, n, err) : -ENOENT;
}

int gd_cluster_wipe_scratch(const gd_cluster_state *st, const char *node,
			    gd_error **err)
{
	const gd_node_rt *n = find_node(st, node, err);
	return n ? st->backend->wipe_scratch(st, n, err) : -ENOENT;
}

int gd_cluster_renew_node(gd_cluster_state *st, const char *node,
			  const gd_cluster *c, const gd_node_hook *hook,
			  const gd_strv *script, gd_error **err)
{
	gd_node_rt *n = (gd_node_rt *)find_node(st, node, err);
	return n ? st->backend->renew(st, n, c, hook, script, err) : -ENOENT;
}

int gd_cluster_restore_node(gd_cluster_state *st, const char *node,
			    gd_error **err)
{
	gd_node_rt *n = (gd_node_rt *)find_node(st, node, err);
	return n ? st->backend->restore(st, n, err) : -ENOENT;
}

size_t gd_cluster_node_changes(const gd_cluster_state *st, const char *node,
			       gd_strbuf *out)
{
	_cleanup_error_ gd_error *e = NULL;
	const gd_node_rt *n = find_node(st, node, &e);
	return n ? st->backend->changes(n, out) : 0;
}

int gd_cluster_cut(const gd_cluster_state *st, size_t a, size_t b,
		   enum gd_nl_cut kind, bool heal, gd_error **err)
{
	return st->backend->cut(st, a, b, kind, heal, err);
}

struct in_addr gd_cluster_node_addr(const gd_cluster_state *st, size_t index)
{
	return st->backend->addr(index);
}

/* ---- one node in hand ---- */

const char *gd_node_state(const gd_node_rt *n)
{
	return n->backend->state(n);
}

bool gd_node_running(const gd_node_rt *n)
{
	return n->backend->running(n);
}

char *gd_node_read(const gd_node_rt *n, const char *path, gd_error **err)
{
	return n->backend->read(n, path, err);
}

int gd_node_write(const gd_node_rt *n, const char *path, const char *text,
		  gd_error **err)
{
	return n->backend->write(n, path, text, strlen(text), false, err);
}

int gd_node_put(const gd_node_rt *n, const char *path, const void *data,
		size_t len, gd_error **err)
{
	return n->backend->write(n, path, data, len, true, err);
}

int gd_node_unlink(const gd_node_rt *n, const char *path, gd_error **err)
{
	return n->backend->unlink(n, path, err);
}

int gd_node_getattr(const gd_node_rt *n, const char *path, gd_file_attr *out,
		    gd_error **err)
{
	return n->backend->getattr(n, path, out, err);
}

int gd_node_setattr(const gd_node_rt *n, const char *path,
		    const gd_file_attr *attr, gd_error **err)
{
	return n->backend->setattr(n, path, attr, err);
}

int gd_node_hold_files(gd_node_rt *n)
{
	return n->backend->hold_files(n);
}

void gd_node_let_go_files(gd_node_rt *n)
{
	n->backend->let_go_files(n);
}

int gd_node_net_open(const gd_node_rt *n, gd_nl **nl, gd_error **err)
{
	return n->backend->net_open(n, nl, err);
}

int gd_node_restart_services(const gd_node_rt *n, gd_error **err)
{
	return n->backend->restart_services(n, err);
}

int gd_node_signal_all(const gd_node_rt *n, int sig, gd_error **err)
{
	return n->backend->signal_all(n, sig, err);
}

int gd_node_populated(const gd_node_rt *n, bool *any, gd_error **err)
{
	return n->backend->populated(n, any, err);
}

long gd_node_service_pid(const gd_node_rt *n, const char *service)
{
	return n->backend->service_pid(n, service);
}

int gd_node_signal_service(const gd_node_rt *n, long pid, int sig, long *group,
			   gd_error **err)
{
	return n->backend->signal_service(n, pid, sig, group, err);
}
