/* Clock faults on a real host (ssh_node.h): the job system's daemons,
 * munged among them (it checks a credential's time to live), restarted
 * under libfaketime as the host comes into a run with clock faults, each
 * through a runtime drop-in (/run/systemd/system/UNIT.d, gone at
 * reboot) that preloads it and names the offset's file, /etc/faketimerc
 * as on a namespaced node; a clock fault then writes that file (the
 * backend's write), which the daemons read again within the second.
 * gameday's own commands in the node (exec: a job's submission, a
 * probe's look at the clock) run under the same offset, as every process
 * of a namespaced node does; the host's own clock and everything else on
 * it keep the real time.
 *
 * Journalled so that a revert removes the drop-ins, reloads systemd,
 * restarts the daemons that run (on the real clock again) and removes
 * the file, in that order. */
#include "cluster/ssh_node.h"

#include "base/fileio.h"
#include "cluster/node.h"

#include <stdio.h>
#include <string.h>

#define FAKETIMERC "/etc/faketimerc"

static const char dropin[] =
	"# gameday: this unit's clock, moved by a rehearsal's clock fault\n"
	"[Service]\n"
	"Environment=LD_PRELOAD=" GD_LIBFAKETIME "\n"
	"Environment=FAKETIME_TIMESTAMP_FILE=" FAKETIMERC "\n"
	"Environment=FAKETIME_CACHE_DURATION=1\n";

char *const gd_ssh_clock_env[] = {"env", "LD_PRELOAD=" GD_LIBFAKETIME,
				  "FAKETIME_TIMESTAMP_FILE=" FAKETIMERC,
				  "FAKETIME_CACHE_DURATION=1", NULL};

static int agent(const gd_node_rt *n, const char *op, char **args,
		 const char *in, gd_error **err)
{
	return gd_remote_agent(n, op, args, in, in ? strlen(in) : 0, 0, err);
}

/* The unit's drop-in folder made when missing, its removal journalled
 * first (gone already, as a boot leaves /run, is fine); one that was
 * there is left as it is. */
static int dropin_dir(const gd_node_rt *n, const char *dir, gd_error **err)
{
	char *look[] = {"test", "-d", (char *)dir, NULL};
	if (gd_remote_do(n, look, NULL, 0, NULL, 0, NULL) == 0)
		return 0;
	char *args[] = {"--tag",
			"faketime",
			"--undo-argv",
			"5",
			"sh",
			"-c",
			"rmdir -- \"$1\" 2>/dev/null || [ ! -d \"$1\" ]",
			"rmdir",
			(char *)dir,
			"--",
			"mkdir",
			(char *)dir,
			NULL};
	return agent(n, "do", args, NULL, err);
}

/* The units to restart: the role's, named whole (a pattern has no
 * drop-in of its own). */
static size_t clock_units(const gd_node_rt *n, char **out, size_t max)
{
	const struct gd_remote_node *h = n->remote;
	gd_strv units = h->c->roles[h->node->role].units;
	size_t k = 0;
	for (size_t i = 0; i < units.n && k < max; i++)
		if (!strpbrk(units.v[i], "*?["))
			out[k++] = (char *)units.v[i];
	return k;
}

/* The drop-ins put and systemd reloaded, the running units restarted
 * under them. */
static int dropins(const gd_node_rt *n, char **units, size_t nu, gd_error **err)
{
	const struct gd_remote_node *h = n->remote;
	int r = 0;
	for (size_t i = 0; r == 0 && i < nu; i++) {
		char dir[PATH_MAX], file[PATH_MAX];
		gd_pathf(dir, sizeof(dir), "/run/systemd/system/%s.d",
			 units[i]);
		gd_pathf(file, sizeof(file), "%s/gameday-%s-clock.conf", dir,
			 h->run);
		char *put[] = {"--tag", "faketime", file, NULL};
		r = dropin_dir(n, dir, err);
		if (r == 0)
			r = agent(n, "put", put, dropin, err);
	}
	char *reload[] = {"systemctl", "daemon-reload", NULL};
	if (r == 0)
		r = gd_remote_do(n, reload, NULL, 0, NULL, 0, err);
	char *now[40] = {"systemctl", "try-restart"};
	memcpy(now + 2, units, nu * sizeof(*units));
	now[2 + nu] = NULL;
	if (r == 0)
		r = gd_remote_do(n, now, NULL, 0, NULL, 0, err);
	return r;
}

int gd_ssh_clock_up(gd_node_rt *n, gd_error **err)
{
	struct gd_remote_node *h = n->remote;
	char *units[32];
	size_t nu = clock_units(n, units, GD_ARRAY_SIZE(units));
	/* a boot took the drop-ins (in /run) but not the offset's file (in
	 * /etc), which may hold a fault's offset now */
	if (h->clock)
		return nu ? dropins(n, units, nu, err) : 0;
	char *put_rc[] = {"--tag", "faketime", FAKETIMERC, NULL};
	int r = agent(n, "put", put_rc, GD_FAKETIMERC_ZERO, err);
	/* reverted after the drop-ins went: the daemons back on the real
	 * clock */
	char *restart[40] = {"--tag", "faketime", "--", "systemctl",
			     "try-restart"};
	char *reload[] = {"--tag",     "faketime",	"--",
			  "systemctl", "daemon-reload", NULL};
	memcpy(restart + 5, units, nu * sizeof(*units));
	restart[5 + nu] = NULL;
	if (r == 0 && nu)
		r = agent(n, "on-revert", restart, NULL, err);
	if (r == 0 && nu)
		r = agent(n, "on-revert", reload, NULL, err);
	if (r == 0 && nu)
		r = dropins(n, units, nu, err);
	if (r == 0)
		h->clock = true;
	return r;
}
