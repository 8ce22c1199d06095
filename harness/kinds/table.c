/* The kinds table: one line per fault kind, its row in its own file. */
#include "kinds/kind.h"

#include <string.h>

/* Each defined in its kind's file. */
extern const gd_kind gd_kind_kill, gd_kind_reboot, gd_kind_pause,
	gd_kind_partition, gd_kind_skew, gd_kind_clock, gd_kind_netem;

const gd_kind *const gd_kinds[] = {
	&gd_kind_kill, &gd_kind_reboot, &gd_kind_pause, &gd_kind_partition,
	&gd_kind_skew, &gd_kind_clock,	&gd_kind_netem,
};
const size_t gd_nkinds = sizeof(gd_kinds) / sizeof(gd_kinds[0]);

const gd_kind *gd_kind_find(const char *name)
{
	for (size_t i = 0; i < gd_nkinds; i++)
		if (strcmp(gd_kinds[i]->name, name) == 0)
			return gd_kinds[i];
	return NULL;
}
