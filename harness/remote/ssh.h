/* The SSH transport to a real host: one OpenSSH master connection per
 * host, commands multiplexed over it.
 *
 * It uses the OpenSSH client as the user configured it (their
 * ~/.ssh/config, or the cluster's -F file), in batch mode: it never
 * prompts and never turns host key checking off, so an unknown or
 * changed host key, or a key the host refuses, is an error naming the
 * host.  Nothing here runs a local shell: ssh is spawned with its
 * arguments, its other file descriptors closed, safe with threads.
 *
 * The rule is the library's: 0, or a negative errno with err filled. */
#ifndef GD_REMOTE_SSH_H
#define GD_REMOTE_SSH_H

#include "base/error.h"
#include "base/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct gd_ssh_opts {
	const char *config;	 /* -F file, NULL: the user's */
	const char *control_dir; /* where the master's socket lives (a run's
				    private dir, 0700) */
	int connect_timeout_s;	 /* ConnectTimeout; <= 0: 10 */
} gd_ssh_opts;

/* One host: its master connection, a child of this process. */
typedef struct gd_ssh gd_ssh;

/* Starts the master to dest (user@host or a Host alias) and waits, at
 * most the connect timeout and a little for the login, until it answers
 * `ssh -O check`; a master that exits first fails with its own words
 * ("Permission denied (publickey)", "Host key verification failed").
 * Then asks `id -u` once: a destination that is not root gets its
 * commands through `sudo -n --`, which must not want a password. */
int gd_ssh_open(const char *dest, const gd_ssh_opts *o, gd_ssh **out,
		gd_error **err);

/* Whether the destination's user is root (else commands go by sudo). */
bool gd_ssh_is_root(const gd_ssh *s);

/* Runs argv on the host: quoted for its shell (gd_ssh_quote), stdin from
 * in/inlen (in NULL: /dev/null), stdout and stderr appended to out and
 * errout (NULL: discarded).  timeout_ms > 0: past it the command is
 * killed there (coreutils timeout, its process group) and here,
 * -ETIMEDOUT.  *status as a shell says it: the exit code, 128+n for a
 * signal n.  When ssh itself fails (its 255, and the master no longer
 * answers, or the master has exited): -ECONNRESET, ssh's stderr or the
 * master's in err.  Several threads may run commands on one gd_ssh at
 * once, each its own session of the master (up to the server's
 * MaxSessions, 10 by default); open and close are the owner's alone. */
int gd_ssh_run(gd_ssh *s, char *const *argv, const void *in, size_t inlen,
	       gd_strbuf *out, gd_strbuf *errout, int timeout_ms, int *status,
	       gd_error **err);

/* argv run as the login user even when it is not root (no sudo, so the
 * command sees the login's own environment: SSH_CONNECTION, its uid), its
 * stdout appended to out; otherwise as gd_ssh_run. */
int gd_ssh_run_login(gd_ssh *s, char *const *argv, gd_strbuf *out,
		     int timeout_ms, int *status, gd_error **err);

/* Copies local_path to remote_path (absolute) with mode, atomically
 * there: written to a temporary file beside it that mktemp makes there
 * (a name nobody else has or can guess), then renamed over it. */
int gd_ssh_put(gd_ssh *s, const char *local_path, const char *remote_path,
	       mode_t mode, gd_error **err);

/* Ends the master (ssh -O exit), reaps it and removes its socket. */
void gd_ssh_close(gd_ssh *s);

/* The private folder (0700, mkdtemp) for the masters' sockets of one
 * command that has no run folder of its own (the preflight's check of
 * the hosts, cleanup): /tmp/gd-ssh-XXXXXX, short because a socket's path
 * must fit sun_path's 108 bytes.  These two are the only maker and
 * remover of such folders; dir gets its path. */
#define GD_SSH_DIR_LEN 32
int gd_ssh_dir_make(char dir[GD_SSH_DIR_LEN], gd_error **err);
/* The folder and whatever a master left in it. */
void gd_ssh_dir_remove(const char *dir);

/* A program of this machine's run for a remote host (ssh itself, a
 * node's power command), PATH searched: its stdin, stdout and stderr on
 * in, out, errfd (-1: /dev/null), every other descriptor closed, its
 * signals as a fresh program's, in a process group of its own (a Ctrl-C
 * at the terminal is gameday's to act on, which still needs its
 * connections to tidy the hosts up).  *pid is the caller's to reap. */
int gd_remote_spawn(char *const *argv, int in, int out, int errfd, pid_t *pid,
		    gd_error **err);

/* argv as one POSIX shell command line: words of plain characters as
 * they are, every other word in single quotes (a ' inside as '\''), the
 * empty word as ''. */
void gd_ssh_quote(gd_strbuf *sb, char *const *argv);

#endif
