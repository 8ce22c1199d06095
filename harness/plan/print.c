#include "plan/print.h"

#include "base/cleanup.h"
#include "base/duration.h"
#include "base/strbuf.h"
#include "plan/fidelity.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_FORMAT_VERSION 1

static const char *dur(gd_ms ms, char *buf)
{
	return gd_duration_format(ms, buf, GD_DURATION_BUFSZ);
}

static void nodes_text(gd_strbuf *b, const gd_cluster *c, const gd_nodeset *set)
{
	for (size_t k = 0; k < set->n; k++)
		gd_strbuf_addf(b, "%s%s", k ? " " : "",
			       c->nodes[set->v[k]].name);
}

/* What a reboot's nodes come back with, and until when. */
static void change_text(gd_strbuf *b, const gd_plan_entry *e)
{
	const gd_change *ch = e->step->back_with;
	char buf[GD_DURATION_BUFSZ];
	const char *sep = "";
	for (size_t i = 0; i < ch->nparts; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		if (m) {
			ch->parts[i].kind->part_describe(ch->parts[i].spec, m);
			fclose(m);
		}
		gd_strbuf_addf(b, "%s%s", sep, text ? text : "");
		free(text);
		sep = ", ";
	}
	for (size_t i = 0; i < ch->nconfig; i++) {
		gd_strbuf_addf(b, "%s%s=%s", sep, ch->config_keys[i],
			       ch->config_values[i]);
		sep = ", ";
	}
	if (ch->provision.n)
		gd_strbuf_addf(b, "%srenewed, provisioned by %s", sep,
			       ch->provision.v[0]);
	if (e->change_until_end)
		gd_strbuf_addf(b, " to the end");
	else
		gd_strbuf_addf(b, " until %s", dur(e->change_end, buf));
}

void gd_plan_nodes_print(FILE *out, const gd_cluster *c, const gd_nodeset *set)
{
	_cleanup_strbuf_ gd_strbuf b = GD_STRBUF_INIT;
	nodes_text(&b, c, set);
	fputs(b.buf, out);
}

/* What the entry's kind says of its settings, then its changed return. */
static void details_text(gd_strbuf *b, const gd_plan *p, const gd_plan_entry *e)
{
	const gd_step *st = e->step;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (m) {
		if (st->kind->describe)
			st->kind->describe(p, e, m);
		else
			st->kind->part_describe(st->spec, m);
		fclose(m);
	}
	if (text && *text)
		gd_strbuf_addf(b, "%s", text);
	free(text);
	if (st->back_with) {
		gd_strbuf_addf(b, "; back with ");
		change_text(b, e);
	}
}

char *gd_plan_change_text(const gd_plan_entry *e)
{
	gd_strbuf b = GD_STRBUF_INIT;
	if (e->step->back_with)
		change_text(&b, e);
	return gd_strbuf_detach(&b);
}

char *gd_plan_entry_text(const gd_plan *p, const gd_plan_entry *e)
{
	gd_strbuf b = GD_STRBUF_INIT;
	gd_strbuf_addf(&b, "%s %s", e->step->kind->name, e->id);
	if (e->nodes.n) {
		gd_strbuf_addf(&b, " on ");
		nodes_text(&b, &p->scenario->cluster, &e->nodes);
	}
	_cleanup_strbuf_ gd_strbuf d = GD_STRBUF_INIT;
	details_text(&d, p, e);
	if (d.len)
		gd_strbuf_addf(&b, ": %s", d.buf);
	return gd_strbuf_detach(&b);
}

static const char *heal_text(const gd_plan_entry *e, char *buf)
{
	if (e->until_end)
		return "end";
	if (e->end == e->start)
		return "-";
	return dur(e->end, buf);
}

static void submit_text(gd_strbuf *b, const gd_job_group *g, gd_ms last)
{
	char x[GD_DURATION_BUFSZ], y[GD_DURATION_BUFSZ];
	if (g->submit_over || g->submit_every)
		gd_strbuf_addf(b, "submitted %s..%s", dur(g->submit_at, x),
			       dur(last, y));
	else
		gd_strbuf_addf(b, "submitted at %s", dur(g->submit_at, x));
	if (g->submit_every)
		gd_strbuf_addf(b, " (one every %s)", dur(g->submit_every, x));
}

static void print_fidelity(const gd_plan *p, FILE *out)
{
	double scale = p->scenario->time_scale;
	double max = gd_fidelity_max_scale(p);
	if (gd_fidelity_check(p, scale, NULL, 0) == 0)
		fprintf(out, "fidelity    faithful up to scale %g\n", max);
	else {
		fprintf(out,
			"fidelity    NOT faithful at scale %g, only up to %g; at %g:\n",
			scale, max, scale);
		gd_fidelity_print(p, out);
	}
	/* what compression may add to the durations the expectations judge:
	 * said up front, never left to flip an expectation unannounced */
	gd_fidelity_print_bias(p, out);
}

/* Each job group on a line; a kind whose jobs have their own times says
 * them in its words, on lines of its own below. */
static void print_groups(const gd_plan *p, FILE *out)
{
	const gd_scenario *s = p->scenario;
	char x[GD_DURATION_BUFSZ], y[GD_DURATION_BUFSZ];
	fprintf(out, "workload    %zu jobs\n", p->njobs);
	for (size_t g = 0; g < s->ngroups; g++) {
		const gd_job_group *jg = &s->groups[g];
		gd_ms first = -1, last = 0;
		for (size_t k = 0; k < p->njobs; k++) {
			if (p->jobs[k].group != g)
				continue;
			if (first < 0)
				first = p->jobs[k].submit;
			if (p->jobs[k].submit > last)
				last = p->jobs[k].submit;
		}
		_cleanup_strbuf_ gd_strbuf b = GD_STRBUF_INIT;
		if (jg->kind->plan_words) {
			jg->kind->plan_words(jg, &b);
			fprintf(out,
				"  %-10s %u %s jobs, submitted %s..%s as recorded, %s\n",
				jg->name, jg->jobs, jg->kind->name,
				dur(first, x), dur(last, y),
				b.buf ? b.buf : "");
			jg->kind->plan_text(jg, out);
			continue;
		}
		submit_text(&b, jg, last);
		fprintf(out, "  %-10s %u %s jobs, %s, deadline %s,", jg->name,
			jg->jobs, jg->kind->name, b.buf, dur(jg->deadline, x));
		fprintf(out, " expected %s..%s\n", dur(jg->expected_lo, x),
			dur(jg->expected_hi, y));
	}
}

void gd_plan_print_text(const gd_plan *p, FILE *out)
{
	const gd_scenario *s = p->scenario;
	const gd_cluster *c = &s->cluster;
	char x[GD_DURATION_BUFSZ], y[GD_DURATION_BUFSZ];

	fprintf(out, "scenario    %s (%s)\n", s->name, s->file);
	if (s->description)
		fprintf(out, "            %s\n", s->description);
	switch (p->seed_source) {
	case GD_SEED_SCENARIO:
		fprintf(out, "seed        %llu (from the scenario)\n",
			(unsigned long long)p->seed);
		break;
	case GD_SEED_COMMAND_LINE:
		fprintf(out, "seed        %llu (from --seed)\n",
			(unsigned long long)p->seed);
		break;
	case GD_SEED_RANDOM:
		fprintf(out,
			"seed        %llu (random; replay with --seed %llu)\n",
			(unsigned long long)p->seed,
			(unsigned long long)p->seed);
		break;
	}
	fprintf(out,
		"duration    %s of faults; jobs then run to their deadlines\n",
		dur(s->duration, x));
	fprintf(out, "time scale  %g (the %s window plays in %s)\n",
		s->time_scale, x,
		dur((gd_ms)((double)s->duration / s->time_scale), y));
	print_fidelity(p, out);
	fprintf(out, "cluster     %s: %s, %zu nodes", c->name,
		gd_system_name(c->system), c->nnodes);
	/* the backend only when the file chose one: a namespaced cluster's
	 * plan stays as it was */
	if (c->backend)
		fprintf(out, ", backend %s", c->backend);
	fputc('\n', out);
	for (size_t r = 0; r < c->nroles; r++) {
		fprintf(out, "  %-10s", c->roles[r].name);
		for (size_t i = 0; i < c->nnodes; i++)
			if (c->nodes[i].role != r)
				continue;
			else if (c->nodes[i].host)
				fprintf(out, " %s (%s%s)", c->nodes[i].name,
					c->nodes[i].host,
					c->nodes[i].power ? ", power" : "");
			else
				fprintf(out, " %s", c->nodes[i].name);
		fputc('\n', out);
	}

	print_groups(p, out);

	/* The table: widths from the widest cell of each column. */
	size_t n = p->nentries;
	const char **cells = calloc(n * 6 + 6, sizeof(char *));
	if (!cells)
		abort();
	static const char *const head[6] = {"START", "HEALS",	"STEP",
					    "FAULT", "TARGETS", "DETAILS"};
	size_t width[6];
	for (int k = 0; k < 6; k++) {
		cells[k] = head[k];
		width[k] = strlen(head[k]);
	}
	for (size_t i = 0; i < n; i++) {
		const gd_plan_entry *e = &p->entries[i];
		gd_strbuf b[6];
		for (int k = 0; k < 6; k++)
			gd_strbuf_init(&b[k]);
		gd_strbuf_addf(&b[0], "%s", dur(e->start, x));
		gd_strbuf_addf(&b[1], "%s", heal_text(e, x));
		gd_strbuf_addf(&b[2], "%s", e->id);
		gd_strbuf_addf(&b[3], "%s", e->step->kind->name);
		nodes_text(&b[4], c, &e->nodes);
		details_text(&b[5], p, e);
		for (int k = 0; k < 6; k++) {
			if (!(cells[(i + 1) * 6 + k] = gd_strbuf_detach(&b[k])))
				abort();
			size_t len = strlen(cells[(i + 1) * 6 + k]);
			if (k < 5 && len > width[k])
				width[k] = len;
		}
	}
	fprintf(out, "\ntimeline (scenario time since the start)\n");
	for (size_t i = 0; i <= n; i++) {
		fputs(" ", out);
		for (int k = 0; k < 5; k++)
			fprintf(out, " %-*s", (int)width[k], cells[i * 6 + k]);
		fprintf(out, " %s\n", cells[i * 6 + 5]);
	}
	if (n == 0)
		fprintf(out, "  (no faults: a baseline run)\n");
	for (size_t i = 6; i < (n + 1) * 6; i++)
		free((void *)cells[i]);
	free(cells);

	size_t stay = 0;
	for (size_t i = 0; i < n; i++)
		stay += p->entries[i].until_end ||
			p->entries[i].change_until_end;
	if (n && stay < n)
		fprintf(out, "\nlast fault heals at %s\n",
			dur(p->last_heal, x));
	if (stay)
		fprintf(out,
			"%s%zu fault%s nothing in the scenario undoes: %s until the run ends (every job done, or the last deadline)\n",
			stay < n ? "" : "\n", stay, stay > 1 ? "s" : "",
			stay > 1 ? "they stay" : "it stays");
}

/* ---- JSON ---- */

void gd_plan_json_duration(json_t *o, const char *key, gd_ms ms)
{
	char buf[GD_DURATION_BUFSZ], k2[64];
	json_object_set_new(o, key, json_string(dur(ms, buf)));
	snprintf(k2, sizeof(k2), "%s_ms", key);
	json_object_set_new(o, k2, json_integer(ms));
}

json_t *gd_plan_nodes_json(const gd_cluster *c, const gd_nodeset *set)
{
	json_t *a = json_array();
	for (size_t k = 0; k < set->n; k++)
		json_array_append_new(a, json_string(c->nodes[set->v[k]].name));
	return a;
}

static json_t *details_json(const gd_plan *p, const gd_plan_entry *e)
{
	const gd_kind *k = e->step->kind;
	return k->describe_json ? k->describe_json(p, e)
				: k->part_describe_json(e->step->spec);
}

static json_t *change_json(const gd_plan_entry *e)
{
	const gd_change *ch = e->step->back_with;
	json_t *o = json_object();
	gd_plan_json_duration(o, "from", e->end);
	if (e->change_until_end)
		json_object_set_new(o, "until", json_null());
	else
		gd_plan_json_duration(o, "until", e->change_end);
	for (size_t i = 0; i < ch->nparts; i++)
		json_object_set_new(o, ch->parts[i].kind->name,
				    ch->parts[i].kind->part_describe_json(
					    ch->parts[i].spec));
	if (ch->nconfig) {
		json_t *cfg = json_object();
		for (size_t i = 0; i < ch->nconfig; i++)
			json_object_set_new(cfg, ch->config_keys[i],
					    json_string(ch->config_values[i]));
		json_object_set_new(o, "config", cfg);
	}
	if (ch->provision.n) {
		json_t *argv = json_array();
		for (size_t i = 0; i < ch->provision.n; i++)
			json_array_append_new(argv,
					      json_string(ch->provision.v[i]));
		json_object_set_new(o, "provision", argv);
	}
	return o;
}

json_t *gd_plan_to_json(const gd_plan *p)
{
	const gd_scenario *s = p->scenario;
	const gd_cluster *c = &s->cluster;
	json_t *root = json_object();
	json_object_set_new(root, "format", json_string("gameday-plan"));
	json_object_set_new(root, "version", json_integer(PLAN_FORMAT_VERSION));

	json_t *sc = json_object();
	json_object_set_new(sc, "name", json_string(s->name));
	json_object_set_new(sc, "file", json_string(s->file));
	json_object_set_new(sc, "description",
			    s->description ? json_string(s->description)
					   : json_null());
	gd_plan_json_duration(sc, "duration", s->duration);
	json_object_set_new(sc, "time_scale", json_real(s->time_scale));
	json_object_set_new(root, "fidelity", gd_fidelity_json(p));
	json_object_set_new(root, "scenario", sc);
	json_object_set_new(root, "seed", json_integer((json_int_t)p->seed));
	json_object_set_new(root, "seed_source",
			    json_string(gd_seed_source_name(p->seed_source)));

	json_t *cl = json_object();
	json_object_set_new(cl, "name", json_string(c->name));
	json_object_set_new(cl, "system",
			    json_string(gd_system_name(c->system)));
	if (c->backend)
		json_object_set_new(cl, "backend", json_string(c->backend));
	json_t *nodes = json_array();
	for (size_t i = 0; i < c->nnodes; i++) {
		json_t *n = json_pack("{s:s,s:s}", "name", c->nodes[i].name,
				      "role", c->roles[c->nodes[i].role].name);
		if (c->nodes[i].host)
			json_object_set_new(n, "host",
					    json_string(c->nodes[i].host));
		json_array_append_new(nodes, n);
	}
	json_object_set_new(cl, "nodes", nodes);
	json_object_set_new(root, "cluster", cl);

	json_t *jobs = json_array();
	for (size_t k = 0; k < p->njobs; k++) {
		const gd_plan_job *j = &p->jobs[k];
		const gd_job_group *g = &s->groups[j->group];
		json_t *o = json_pack("{s:s,s:s,s:s}", "id", j->id, "group",
				      g->name, "kind", g->kind->name);
		gd_plan_json_duration(o, "submit", j->submit);
		gd_plan_json_duration(o, "runtime", j->runtime);
		gd_plan_json_duration(o, "deadline", j->deadline);
		gd_plan_json_duration(o, "expected_min", j->expected_lo);
		gd_plan_json_duration(o, "expected_max", j->expected_hi);
		json_array_append_new(jobs, o);
	}
	json_object_set_new(root, "jobs", jobs);
	json_t *own = json_array();
	for (size_t g = 0; g < s->ngroups; g++) {
		if (!s->groups[g].kind->plan_json)
			continue;
		json_t *o = json_pack("{s:s}", "group", s->groups[g].name);
		s->groups[g].kind->plan_json(&s->groups[g], o);
		json_array_append_new(own, o);
	}
	if (json_array_size(own))
		json_object_set_new(root, "groups", own);
	else
		json_decref(own);

	json_t *steps = json_array();
	for (size_t i = 0; i < p->nentries; i++) {
		const gd_plan_entry *e = &p->entries[i];
		json_t *o =
			json_pack("{s:s,s:s,s:s,s:o,s:b}", "id", e->id, "step",
				  e->step->id, "kind", e->step->kind->name,
				  "targets", gd_plan_nodes_json(c, &e->nodes),
				  "until_end", e->until_end);
		if (e->batch)
			json_object_set_new(o, "batch", json_integer(e->batch));
		if (e->step->note)
			json_object_set_new(o, "note",
					    json_string(e->step->note));
		gd_plan_json_duration(o, "start", e->start);
		gd_plan_json_duration(o, "heals", e->end);
		if (e->step->drain)
			gd_plan_json_duration(o, "drain_from",
					      e->start - e->step->drain);
		json_object_set_new(o, "details", details_json(p, e));
		if (e->step->back_with)
			json_object_set_new(o, "back_with", change_json(e));
		json_array_append_new(steps, o);
	}
	json_object_set_new(root, "steps", steps);
	gd_plan_json_duration(root, "last_heal", p->last_heal);
	return root;
}
