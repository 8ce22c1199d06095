/* What a staging node keeps as its own (scenario.h). */
#include "scenario/scenario.h"

#include "base/cleanup.h"

#include <string.h>

const gd_node_layer gd_node_layers[] = {
	{"/etc", "etc", false},
	{"/opt", "opt", false},
	{"/usr/local", "usr-local", false},
	{"/home", "home", true},
	{"/root", "root", true},
	{"/var", "var", false},
};
const size_t gd_node_nlayers = GD_ARRAY_SIZE(gd_node_layers);

/* Folders of the node's own mounted over the layers, and gameday's,
 * which no file of the team's may replace. */
static const struct {
	const char *at, *name;
} folders[] = {
	{"/run", "run"},
	{"/var/spool", "spool"},
	{"/var/log", "log"},
	{"/srv", "srv"},
	{"/srv/scratch", "scratch"},
	{"/srv/shared", NULL},
	{"/srv/gameday", NULL},
	{"/run/gameday", NULL},
};

const char *gd_node_place(const char *path, size_t *at_len)
{
	const char *best = NULL;
	size_t best_len = 0;
	size_t n = gd_node_nlayers + GD_ARRAY_SIZE(folders);
	for (size_t i = 0; i < n; i++) {
		bool layer = i < gd_node_nlayers;
		const char *at = layer ? gd_node_layers[i].at
				       : folders[i - gd_node_nlayers].at;
		size_t len = strlen(at);
		if (strncmp(path, at, len) != 0 ||
		    (path[len] && path[len] != '/') || len <= best_len)
			continue;
		best = layer ? gd_node_layers[i].name
			     : folders[i - gd_node_nlayers].name;
		best_len = len;
	}
	*at_len = best_len;
	return best;
}

const gd_node_layer *gd_node_layer_of(const char *path)
{
	size_t at_len;
	const char *name = gd_node_place(path, &at_len);
	for (size_t i = 0; name && i < gd_node_nlayers; i++)
		if (strcmp(gd_node_layers[i].name, name) == 0)
			return &gd_node_layers[i];
	return NULL;
}
