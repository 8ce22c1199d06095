/* Whole-file reads and writes. */
#ifndef GD_BASE_FILEIO_H
#define GD_BASE_FILEIO_H

#include "base/error.h"

#include <stddef.h>

/* Reads all of path into a NUL-terminated heap buffer (caller frees).
 * Refuses directories and files over max bytes. */
int gd_read_file(const char *path, size_t max, char **buf, size_t *len,
		 gd_error **err);

#endif
