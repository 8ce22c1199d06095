/* Writing a plan for people (a table) and for programs (JSON).  Both are
 * deterministic: same plan, same bytes. */
#ifndef GD_PLAN_PRINT_H
#define GD_PLAN_PRINT_H

#include "plan/plan.h"

#include <jansson.h>
#include <stdio.h>

void gd_plan_print_text(const gd_plan *p, FILE *out);
/* The plan as a JSON document (new reference); keys are sorted when
 * dumped with JSON_SORT_KEYS. */
json_t *gd_plan_to_json(const gd_plan *p);

/* One fault in words, as the plan's table gives it: "pause w#1 on w1 w2:
 * ..." (a heap string; NULL when out of memory, as for the next). */
char *gd_plan_entry_text(const gd_plan *p, const gd_plan_entry *e);
/* What a reboot's nodes come back changed with, and until when: "uid
 * 2001, ... until 7h45m" (a heap string; empty for any other fault). */
char *gd_plan_change_text(const gd_plan_entry *e);

/* Pieces of the plan's words and JSON that the kinds' rows
 * (kinds/kind.h) share: nodes by name ("w1 w2"; ["w1", "w2"]), and a
 * duration as two keys (key: "1m30s", key_ms: 90000). */
void gd_plan_nodes_print(FILE *out, const gd_cluster *c, const gd_nodeset *set);
json_t *gd_plan_nodes_json(const gd_cluster *c, const gd_nodeset *set);
void gd_plan_json_duration(json_t *o, const char *key, gd_ms ms);

#endif
