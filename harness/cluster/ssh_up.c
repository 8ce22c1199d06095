/* The SSH backend's cluster coming up and going down (ssh_node.h): every
 * host connected and given the run's agent, the run's folder made in the
 * shared storage with gameday's programs for jobs, the agents' heartbeat
 * kept; at the end every agent told to finish (everything it journalled
 * reverted) and the folder removed.
 *
 * What a run leaves on a host is the agent's alone: its folder, its unit
 * and, through it, every change.  A gameday that dies stops beating and
 * the agents revert on their own (docs/agent.md); this machine keeps only
 * a run directory in its state root, which gameday cleanup undoes. */
#include "cluster/ssh_node.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/thread.h"
#include "cluster/events.h"
#include "cluster/run.h"
#include "cluster/teardown.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* gameday's programs a job (run/job_*.c) or a probe of a fault's
 * evidence (faults.c) runs on the hosts, copied into the run's folder of
 * the shared storage. */
static const char *const job_programs[] = {"gd-job", "gd-wrap", "gd-probe"};

/* Hosts brought into a run at once: each an ssh master and a thread. */
#define HOSTS_AT_ONCE 32
/* One try to reach a host coming back, in seconds. */
#define RECONNECT_TRY_S 4

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int gd_remote_reconnect(const gd_node_rt *n, int wait_ms, gd_error **err)
{
	struct gd_remote_node *h = n->remote;
	/* tried often, each try short: a host coming back must hear the
	 * heartbeat within its agent's timeout from its boot */
	gd_ssh_opts o = {.config = h->c->ssh_config,
			 .control_dir = h->control_dir,
			 .connect_timeout_s = RECONNECT_TRY_S};
	pthread_rwlock_wrlock(&h->lock);
	gd_ssh_close(h->ssh);
	h->ssh = NULL;
	pthread_rwlock_unlock(&h->lock);
	/* the wait is the lock's no longer: the heartbeat of the other
	 * hosts goes on meanwhile (a silent one reverts itself) */
	gd_ssh *s = NULL;
	int r;
	for (long started = now_ms();;) {
		gd_error *e = NULL;
		r = gd_ssh_open(h->node->host, &o, &s, &e);
		if (r == 0 || r == -EACCES || now_ms() - started >= wait_ms) {
			if (err)
				*err = e;
			else
				gd_error_free(e);
			break;
		}
		gd_error_free(e);
		nap_ms(1000);
	}
	pthread_rwlock_wrlock(&h->lock);
	h->ssh = s;
	pthread_rwlock_unlock(&h->lock);
	return r;
}

/* ---- a host back from its own reboot ---- */

struct return_wait {
	const gd_node_rt *n;
	int wait_ms;
};

/* Connected again and on a new boot: an sshd still answering on its way
 * down would give the old one, so a connection to it is let go and
 * tried again. */
static void *return_main(void *arg)
{
	struct return_wait *w = arg;
	const gd_node_rt *n = w->n;
	struct gd_remote_node *h = n->remote;
	long until = now_ms() + w->wait_ms;
	for (;;) {
		gd_error_free(TAKE_PTR(h->back_err));
		long left = until - now_ms();
		h->back_r = gd_remote_reconnect(n, left > 0 ? (int)left : 0,
						&h->back_err);
		if (h->back_r < 0)
			break;
		/* a connection that reached the old boot on its way down
		 * may fail its first command: tried again, as the same boot */
		if (gd_remote_boot_id(n, NULL) == 0 &&
		    strcmp(h->boot_id, h->boot_before))
			break;
		if (now_ms() >= until) {
			h->back_r = gd_error_set(
				&h->back_err, EIO,
				"%s: answers, but on the same boot (boot_id %s) or none read: it never rebooted",
				n->name, h->boot_id);
			break;
		}
		nap_ms(2000);
	}
	free(w);
	return NULL;
}

int gd_remote_await_return(const gd_node_rt *n, int wait_ms, gd_error **err)
{
	struct gd_remote_node *h = n->remote;
	struct return_wait *w = malloc(sizeof(*w));
	if (!w)
		return gd_error_make(err, ENOMEM, "%s: cannot await its return",
				     n->name);
	*w = (struct return_wait){n, wait_ms};
	snprintf(h->boot_before, sizeof(h->boot_before), "%s", h->boot_id);
	h->back_r = 0;
	if (pthread_create(&h->back, NULL, return_main, w)) {
		free(w);
		return gd_error_make(err, EAGAIN, "%s: cannot await its return",
				     n->name);
	}
	h->returning = true;
	return 0;
}

int gd_remote_returned(const gd_node_rt *n, gd_error **err)
{
	struct gd_remote_node *h = n->remote;
	if (!h || !h->returning)
		return 0;
	pthread_join(h->back, NULL);
	h->returning = false;
	int r = h->back_r;
	if (r < 0 && err)
		*err = TAKE_PTR(h->back_err);
	gd_error_free(TAKE_PTR(h->back_err));
	return r;
}

/* ---- the heartbeat ---- */

static void *beat_main(void *arg)
{
	gd_cluster_state *st = arg;
	struct gd_remote_cluster *rc = st->remote;
	long every = (long)rc->c->heartbeat_ms / 4;
	pthread_mutex_lock(&rc->mu);
	while (!rc->stop) {
		pthread_mutex_unlock(&rc->mu);
		/* a host off or away misses its beats: its agent reverts
		 * once the timeout passes, as it should; one that hangs
		 * holds the others back a quarter of the timeout at most */
		/* (from the first host's agent on, while the others are
		 * still brought up: each slot's host published whole) */
		for (size_t i = 0; i < rc->c->nnodes; i++) {
			const gd_node_rt *n = &st->nodes[i];
			struct gd_remote_node *h =
				__atomic_load_n(&n->remote, __ATOMIC_ACQUIRE);
			gd_error *e = NULL;
			if (h && __atomic_load_n(&h->agent, __ATOMIC_ACQUIRE))
				gd_remote_agent(n, "beat", NULL, NULL, 0,
						(int)every, &e);
			gd_error_free(e);
		}
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += every / 1000;
		until.tv_nsec += (every % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&rc->mu);
		if (!rc->stop)
			pthread_cond_timedwait(&rc->wake, &rc->mu, &until);
	}
	pthread_mutex_unlock(&rc->mu);
	return NULL;
}

static void beat_stop(const gd_cluster_state *st)
{
	struct gd_remote_cluster *rc = st->remote;
	if (!rc || !rc->beating)
		return;
	pthread_mutex_lock(&rc->mu);
	rc->stop = true;
	pthread_cond_signal(&rc->wake);
	pthread_mutex_unlock(&rc->mu);
	pthread_join(rc->beat, NULL);
	rc->beating = false;
}

/* ---- one host ---- */

/* The agent copied to the host and installed as the run's unit; the
 * run's scratch folder made, its removal journalled first. */
static int host_agent(gd_node_rt *n, const char *libexec, gd_error **err)
{
	struct gd_remote_node *h = n->remote;
	char dir[PATH_MAX], bin[PATH_MAX], local[PATH_MAX], timeout[32];
	gd_pathf(dir, sizeof(dir), GD_AGENT_HOST_DIR "/%s", h->run);
	gd_pathf(bin, sizeof(bin), "%s/gd-agent", dir);
	gd_pathf(local, sizeof(local), "%s/gd-agent", libexec);
	snprintf(timeout, sizeof(timeout), "%lld",
		 (long long)(h->c->heartbeat_ms / 1000));
	char *mkdir_argv[] = {"mkdir", "-p", "-m", "0700", dir, NULL};
	int r = gd_remote_do(n, mkdir_argv, NULL, 0, NULL, 0, err);
	if (r == 0) {
		pthread_rwlock_rdlock(&h->lock);
		r = gd_ssh_put(h->ssh, local, bin, 0700, err);
		pthread_rwlock_unlock(&h->lock);
	}
	char *install[] = {"--timeout", timeout, NULL};
	if (r == 0)
		r = gd_remote_agent(n, "install", install, NULL, 0, 0, err);
	__atomic_store_n(&h->agent, r == 0, __ATOMIC_RELEASE);
	return r;
}

static int host_scratch(gd_node_rt *n, const char *scratch, gd_error **err)
{
	char *args[] = {"--tag", "scratch",	  "--undo-argv", "3",	  "rm",
			"-rf",	 (char *)scratch, "--",		 "mkdir", "-m",
			"1777",	 (char *)scratch, NULL};
	return gd_remote_agent(n, "do", args, NULL, 0, 0, err);
}

static int host_up(const gd_cluster_state *st, size_t i, const char *libexec,
		   gd_error **err)
{
	const gd_cluster *c = st->remote->c;
	gd_node_rt *n = &st->nodes[i];
	struct gd_remote_node *h = calloc(1, sizeof(*h));
	if (!h)
		return gd_error_make(err, ENOMEM, "cannot reach the hosts");
	n->backend = st->backend;
	n->pending_fd = n->go_fd = n->root_fd = -1;
	snprintf(n->name, sizeof(n->name), "%s", c->nodes[i].name);
	snprintf(n->role, sizeof(n->role), "%s",
		 c->roles[c->nodes[i].role].name);
	h->c = c;
	h->node = &c->nodes[i];
	h->run = st->id;
	h->control_dir = st->remote->control_dir;
	pthread_rwlock_init(&h->lock, NULL);
	snprintf(h->state, sizeof(h->state), "up");
	/* the heartbeat looks at it from now on */
	__atomic_store_n(&n->remote, h, __ATOMIC_RELEASE);
	/* what the host's logs say of the run lands here */
	gd_pathf(n->dir, sizeof(n->dir), "%s/nodes/%s", st->dir, n->name);
	int r = gd_mkdir_p(n->dir, 0755, err);
	if (r < 0)
		return r;
	gd_ssh_opts o = {.config = c->ssh_config,
			 .control_dir = h->control_dir};
	r = gd_ssh_open(h->node->host, &o, &h->ssh, err);
	if (r == 0)
		r = gd_remote_boot_id(n, err);
	if (r == 0)
		r = gd_remote_addrs(n, err);
	if (r == 0)
		r = gd_ssh_logs_mark(n, err);
	if (r == 0)
		r = host_agent(n, libexec, err);
	if (r == 0)
		r = host_scratch(n, st->node_scratch, err);
	if (r == 0 && c->fake_clock)
		r = gd_ssh_clock_up(n, err);
	return r;
}

/* ---- every host at once ----
 * (one waits on its own host: 64 hosts one after the other would take
 * minutes) */

typedef int (*host_fn)(const gd_cluster_state *st, size_t i, const void *arg,
		       gd_error **err);

struct each_job {
	const gd_cluster_state *st;
	host_fn fn;
	const void *arg;
	int *r;
	gd_error **err;
};

static void each_at(void *ctx, size_t i)
{
	const struct each_job *j = ctx;
	j->r[i] = j->fn(j->st, i, j->arg, &j->err[i]);
}

/* fn on every host of st at once; the first failure in the inventory's
 * order said. */
static int each_host(const gd_cluster_state *st, host_fn fn, const void *arg,
		     gd_error **err)
{
	size_t n = st->nnodes;
	int *r = calloc(n + 1, sizeof(*r));
	gd_error **errs = calloc(n + 1, sizeof(*errs));
	if (!r || !errs) {
		free(r);
		free(errs);
		return gd_error_make(err, ENOMEM, "cannot reach the hosts");
	}
	struct each_job j = {st, fn, arg, r, errs};
	gd_thread_each(n, HOSTS_AT_ONCE, each_at, &j);
	int first = 0;
	for (size_t i = 0; i < n; i++) {
		if (r[i] < 0 && !first) {
			first = r[i];
			if (err)
				*err = TAKE_PTR(errs[i]);
		}
		gd_error_free(errs[i]);
	}
	free(r);
	free(errs);
	return first;
}

static int up_at(const gd_cluster_state *st, size_t i, const void *libexec,
		 gd_error **err)
{
	return host_up(st, i, libexec, err);
}

/* ---- the run's folder in the shared storage ---- */

static int storage_up(gd_cluster_state *st, const char *libexec, gd_error **err)
{
	const gd_cluster *c = st->remote->c;
	gd_pathf(st->node_shared, sizeof(st->node_shared), "%s/gameday-%s",
		 c->storage, st->id);
	gd_pathf(st->node_programs, sizeof(st->node_programs), "%s/bin",
		 st->node_shared);
	gd_pathf(st->node_scratch, sizeof(st->node_scratch),
		 "/var/tmp/gameday-%s", st->id);
	gd_pathf(st->shared, sizeof(st->shared), "%s/gameday-%s",
		 c->storage_here, st->id);
	int r = gd_mkdir_mode(st->shared, 01777, err);
	char bin[PATH_MAX];
	gd_pathf(bin, sizeof(bin), "%s/bin", st->shared);
	if (r == 0)
		r = gd_mkdir_mode(bin, 0755, err);
	for (size_t i = 0; r == 0 && i < GD_ARRAY_SIZE(job_programs); i++) {
		char from[PATH_MAX], to[PATH_MAX];
		gd_pathf(from, sizeof(from), "%s/%s", libexec, job_programs[i]);
		gd_pathf(to, sizeof(to), "%s/%s", bin, job_programs[i]);
		r = gd_copy_file(from, to, 64u << 20, 0755, err);
	}
	return r;
}

/* ---- the cluster ---- */

static int hosts_down(const gd_cluster_state *st, gd_error **err);

static int open_run(gd_cluster_state *st, const gd_cluster *c, gd_run *run,
		    gd_error **err)
{
	int r = gd_run_create(run, err);
	if (r < 0)
		return r;
	snprintf(st->id, sizeof(st->id), "%s", run->id);
	snprintf(st->name, sizeof(st->name), "%s", c->name);
	gd_pathf(st->dir, sizeof(st->dir), "%s", run->dir);
	gd_pathf(st->events, sizeof(st->events), "%s/events.jsonl",
		 run->logdir);
	gd_pathf(st->remote->control_dir, sizeof(st->remote->control_dir),
		 "%s/ssh", run->dir);
	if (mkdir(st->remote->control_dir, 0700) < 0)
		return gd_error_make(err, errno, "cannot create \"%s\"",
				     st->remote->control_dir);
	int fd = open(st->events, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		      0644);
	gd_event(fd, GD_EV_CLUSTER_CREATING,
		 json_pack("{s:s,s:s,s:i,s:s}", "run", run->id, "cluster",
			   c->name, "nodes", (int)c->nnodes, "backend",
			   GD_BACKEND_SSH));
	if (fd >= 0)
		close(fd);
	return 0;
}

static gd_cluster_state *state_new(const gd_cluster *c)
{
	gd_cluster_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->nodes = calloc(c->nnodes, sizeof(*st->nodes));
	st->remote = calloc(1, sizeof(*st->remote));
	if (!st->nodes || !st->remote) {
		gd_cluster_state_free(st);
		return NULL;
	}
	st->backend = &gd_node_backend_ssh;
	st->remote->c = c;
	return st;
}

int gd_ssh_up(const gd_cluster *c, const char *libexec,
	      const gd_node_hook *hook, gd_cluster_state **out, gd_error **err)
{
	/* the job system is the team's, running already: nothing of it is
	 * written on their hosts */
	(void)hook;
	gd_cluster_state *st = state_new(c);
	if (!st)
		return gd_error_make(err, ENOMEM, "cannot reach the hosts");
	gd_run run = {0};
	int r = open_run(st, c, &run, err);
	if (r == 0)
		r = storage_up(st, libexec, err);
	/* beating before the first agent is installed: a host brought up
	 * early must not go quiet while the others follow */
	/* (timed on the monotonic clock, every signal blocked) */
	if (r == 0 && gd_thread_start(&st->remote->beat, &st->remote->mu,
				      &st->remote->wake, beat_main, st))
		r = gd_error_make(err, EAGAIN, "cannot start the heartbeat");
	st->remote->beating = r == 0;
	/* every slot is the heartbeat's and the teardown's to look at from
	 * now on (a node's host is NULL until its thread made it); every
	 * host made so far is undone below if one fails */
	st->nnodes = c->nnodes;
	if (r == 0)
		r = each_host(st, up_at, libexec, err);
	if (r == 0)
		r = gd_cluster_save(st, err);
	if (r < 0) {
		hosts_down(st, NULL);
		beat_stop(st);
		if (run.ledger)
			gd_run_undo_held(&run, NULL, NULL);
		gd_run_close(&run);
		gd_cluster_state_free(st);
		return r;
	}
	gd_event_at(st->events, GD_EV_CLUSTER_UP,
		    json_pack("{s:s}", "run", st->id));
	gd_run_close(&run);
	*out = st;
	return 0;
}

/* A host off at the end (a scenario that leaves it so, or a failed heal)
 * is powered on, so that its agent reverts now rather than at its next
 * boot; one that cannot be is said. */
static int host_finish(const gd_node_rt *n, gd_error **err)
{
	struct gd_remote_node *h = n->remote;
	if (!h || !h->agent)
		return 0;
	/* one on its way back from a reboot is awaited: its agent must be
	 * told (else it reverts only once the heartbeat's timeout passes) */
	gd_remote_returned(n, NULL);
	if (!h->ssh && h->node->power &&
	    gd_ssh_power_run(&h->node->power->on, h->node) == 0)
		gd_remote_reconnect(n, 10 * 60 * 1000, NULL);
	int r = gd_remote_agent(n, "finish", NULL, NULL, 0, 0, err);
	__atomic_store_n(&h->agent, r < 0, __ATOMIC_RELEASE);
	return r;
}

static int down_at(const gd_cluster_state *st, size_t i, const void *arg,
		   gd_error **err)
{
	(void)arg;
	int r = host_finish(&st->nodes[i], err);
	struct gd_remote_node *h = st->nodes[i].remote;
	if (h) {
		pthread_rwlock_wrlock(&h->lock);
		gd_ssh_close(h->ssh);
		h->ssh = NULL;
		pthread_rwlock_unlock(&h->lock);
	}
	return r;
}

/* Every host's agent finished, its connection closed (all at once), the
 * run's folder in the shared storage removed; the first failure kept. */
static int hosts_down(const gd_cluster_state *st, gd_error **err)
{
	int first = each_host(st, down_at, NULL, err);
	if (st->shared[0])
		gd_remove_tree(st->shared, false, NULL);
	return first;
}

int gd_ssh_down(const gd_cluster_state *st, int grace_ms, gd_error **err)
{
	(void)grace_ms;
	/* beating until every host is finished: one awaited long (back
	 * from a boot, powered on) must not leave the others silent */
	int first = hosts_down(st, err);
	beat_stop(st);
	gd_error *e = NULL;
	int r = gd_run_undo(st->dir, NULL, &e);
	if (r < 0 && !first) {
		first = r;
		if (err)
			*err = TAKE_PTR(e);
	}
	gd_error_free(e);
	return first;
}
