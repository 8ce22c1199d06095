/* The security profile a skew fault gives a node's services, as gameday
 * leaves it in the node's /etc/gameday (written on the host, read here):
 *
 *   seccomp.bpf   a seccomp filter libseccomp compiled on the host: the
 *                 raw struct sock_filter array
 *   caps-drop     capability numbers, one a line
 *
 * gd-init applies both to every service it (re)starts; gd-probe applies
 * them to itself to show what a service meets.  Shared by both, so what
 * is checked is what is applied. */
#ifndef GD_FAKES_PROFILE_H
#define GD_FAKES_PROFILE_H

#define GD_PROFILE_SECCOMP "/etc/gameday/seccomp.bpf"
#define GD_PROFILE_CAPS	   "/etc/gameday/caps-drop"

/* Drops the listed capabilities from the bounding set: before the switch
 * to the service's user, while CAP_SETPCAP is still held.  0 when there
 * is no file, or a negative errno. */
int gd_profile_drop_bounding(void);

/* Drops them from the effective, permitted, inheritable and ambient sets
 * too (a service still running as root keeps none of them). */
int gd_profile_drop_caps(void);

/* Loads the seccomp filter, last before execve: setting no_new_privs
 * first when the process lacks CAP_SYS_ADMIN, as a service manager does.
 * 0 when there is no file, or a negative errno. */
int gd_profile_seccomp(void);

#endif
