/* Kernel names a scenario may use: errno names, capability names and
 * system call names, each checked against this machine's definitions. */
#ifndef GD_BASE_SYSNAMES_H
#define GD_BASE_SYSNAMES_H

#include <stdbool.h>
#include <stddef.h>

/* "EACCES" -> 13; -1 when unknown. */
int gd_errno_by_name(const char *name);
/* "CAP_DAC_OVERRIDE" -> 1; -1 when unknown. */
int gd_cap_by_name(const char *name);
/* True when libseccomp knows the system call on the native architecture. */
bool gd_syscall_known(const char *name);

/* The names each lookup knows, for suggestions and messages. */
const char *const *gd_errno_names(size_t *n);
const char *const *gd_cap_names(size_t *n);

#endif
