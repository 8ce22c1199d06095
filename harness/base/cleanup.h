/* Scoped cleanup for every resource kind, and explicit ownership transfer.
 *
 * Every destructor here accepts NULL (or a negative fd), so a variable can be
 * declared with its cleanup attribute before it is assigned. */
#ifndef GD_BASE_CLEANUP_H
#define GD_BASE_CLEANUP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void gd_freep(void *p)
{
	free(*(void **)p);
}
static inline void gd_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void gd_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void gd_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define _cleanup_free_	 _cleanup_(gd_freep)
#define _cleanup_dir_	 _cleanup_(gd_closedirp)
#define _cleanup_fclose_ _cleanup_(gd_fclosep)
#define _cleanup_close_	 _cleanup_(gd_closep)

/* Hand a resource over to the caller: the scoped variable forgets it. */
#define TAKE_PTR(p)                                                            \
	({                                                                     \
		__typeof__(p) _taken = (p);                                    \
		(p) = NULL;                                                    \
		_taken;                                                        \
	})
#define TAKE_FD(fd)                                                            \
	({                                                                     \
		int _taken = (fd);                                             \
		(fd) = -1;                                                     \
		_taken;                                                        \
	})

#define GD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
