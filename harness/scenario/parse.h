/* The parsers of each part of a scenario file: internal to scenario/,
 * and to the kinds' rows (kinds/kind.h, kinds/jobkind.h), which read
 * their own keys.
 * Each reads one JSON value at the reader's current path into the model,
 * reporting every shape problem; cross-references are checked later by
 * check.c once the whole file is read. */
#ifndef GD_SCENARIO_PARSE_H
#define GD_SCENARIO_PARSE_H

#include "scenario/reader.h"
#include "scenario/scenario.h"

void parse_cluster(gd_reader *r, json_t *v, gd_cluster *c, bool own_file);
/* A cluster of real hosts (inventory.c): "backend", read before the
 * nodes; a node's "host" and "power"; a role's "units" (and its
 * "services" refused); the cluster's own keys and the roles' default
 * units, once the roles are read.  Each refuses its keys in a cluster of
 * namespaced nodes.  parse_role_remote: whether the role's "services"
 * may be read. */
void parse_backend(gd_reader *r, json_t *v, gd_cluster *c);
void parse_node_remote(gd_reader *r, json_t *v, const gd_cluster *c,
		       const char **host, const gd_power **power);
bool parse_role_remote(gd_reader *r, json_t *v, const gd_cluster *c,
		       gd_role *role);
void parse_cluster_remote(gd_reader *r, json_t *v, gd_cluster *c);
bool cluster_ssh(const gd_cluster *c);
/* The cluster's "users", "user_groups" and whether "service_user" is one. */
void parse_accounts(gd_reader *r, json_t *v, gd_cluster *c);
void parse_workload(gd_reader *r, json_t *v, gd_scenario *s);
void parse_steps(gd_reader *r, json_t *v, gd_scenario *s);
void parse_alerts(gd_reader *r, json_t *v, gd_scenario *s);
void parse_targets(gd_reader *r, json_t *v, gd_targets *t);
void parse_targets_field(gd_reader *r, json_t *obj, const char *key,
			 gd_targets *t);
void parse_back_with(gd_reader *r, json_t *v, gd_step *st);
/* Reports a step of a kind that lasts given without "for". */
void parse_lasts(gd_reader *r, json_t *obj, gd_step *st);

/* Cross-reference checks over a fully parsed scenario. */
void check_scenario(gd_reader *r, gd_scenario *s);

/* Looks up a node or group name: returns true and fills the node indexes
 * (allocated in the arena) when name is a node, a role, an explicit group or
 * "all". */
bool cluster_lookup(const gd_cluster *c, gd_arena *a, const char *name,
		    size_t **nodes, size_t *n);
/* Every name a target may use, for suggestions. */
const char **cluster_names(const gd_cluster *c, gd_arena *a, size_t *n);

#endif
