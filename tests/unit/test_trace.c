#include "unit.h"

#include "workload/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define HDR "JobID|Submit|Start|End|Elapsed|NCPUS|Partition|State|Timelimit\n"

/* One parse: the trace in its own arena, and the error's message (or
 * NULL) kept for the assertions. */
typedef struct run {
	gd_arena *a;
	gd_trace t;
	char msg[512];
	int ret;
} run;

static run *parse_opts(const char *text, const gd_trace_opts *o)
{
	run *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->a = gd_arena_new();
	gd_error *err = NULL;
	r->ret = gd_trace_parse(r->a, text, strlen(text), o, &r->t, &err);
	if (err)
		snprintf(r->msg, sizeof(r->msg), "%s", err->msg);
	assert_true((r->ret < 0) == (err != NULL));
	gd_error_free(err);
	return r;
}

static run *parse(const char *text)
{
	gd_trace_opts o = {.file = "t.sacct"};
	return parse_opts(text, &o);
}

static void done(run *r)
{
	gd_arena_free(r->a);
	free(r);
}

/* The parse fails with exactly this message. */
static void fails_with(const char *text, const char *msg)
{
	run *r = parse(text);
	assert_int_equal(r->ret, -EINVAL);
	assert_string_equal(r->msg, msg);
	done(r);
}

static gd_ms hms(int h, int m, int s)
{
	return h * GD_MS_PER_H + m * GD_MS_PER_M + s * GD_MS_PER_S;
}

static void reads_every_field_of_a_job(void **state)
{
	(void)state;
	run *r = parse(HDR "101|2026-11-20T14:03:11|2026-11-20T14:03:41|"
			   "2026-11-20T14:30:00|00:26:19|4|docs|COMPLETED|"
			   "01:00:00\n"
			   "102|2026-11-20T14:05:11|2026-11-20T14:05:11|"
			   "2026-11-20T14:06:00|00:00:49|1|gpu|FAILED|"
			   "UNLIMITED\n");
	assert_int_equal(r->ret, 0);
	assert_int_equal(r->t.njobs, 2);
	const gd_trace_job *j = &r->t.jobs[0];
	assert_string_equal(j->id, "101");
	assert_int_equal(j->submit, 0);
	assert_int_equal(j->wait, 30 * GD_MS_PER_S);
	assert_int_equal(j->work, hms(0, 26, 19));
	assert_int_equal(j->ncpus, 4);
	assert_string_equal(j->partition, "docs");
	assert_int_equal(j->limit, GD_MS_PER_H);
	assert_string_equal(j->state, "COMPLETED");
	assert_false(j->running);
	assert_int_equal(j->line, 2);
	j = &r->t.jobs[1];
	assert_string_equal(j->id, "102");
	assert_int_equal(j->submit, 2 * GD_MS_PER_M);
	assert_int_equal(j->limit, GD_TRACE_NONE);
	assert_string_equal(j->state, "FAILED");
	/* the origin is the first submission; the span ends a second after
	 * the last */
	gd_trace_time t0;
	assert_int_equal(gd_trace_time_parse("2026-11-20T14:03:11", &t0, NULL),
			 0);
	assert_int_equal(r->t.origin, t0);
	assert_int_equal(r->t.span, 2 * GD_MS_PER_M + GD_MS_PER_S);
	done(r);
}

static void reads_columns_by_name_in_any_order(void **state)
{
	(void)state;
	/* extra columns ignored, names in any case, as sacct -o takes them */
	run *r = parse("User|timelimit|State|JobID|AllocTRES|Partition|NCPUS|"
		       "Elapsed|End|Start|Submit\n"
		       "ana|2-00:00:00|TIMEOUT|77|cpu=2|long|2|2-00:00:05|"
		       "2026-11-22T10:00:05|2026-11-20T10:00:00|"
		       "2026-11-20T09:59:00\n");
	assert_int_equal(r->ret, 0);
	assert_int_equal(r->t.njobs, 1);
	assert_string_equal(r->t.jobs[0].id, "77");
	assert_int_equal(r->t.jobs[0].limit, 2 * GD_MS_PER_D);
	assert_int_equal(r->t.jobs[0].work, 2 * GD_MS_PER_D + 5000);
	assert_int_equal(r->t.jobs[0].wait, GD_MS_PER_M);
	assert_string_equal(r->t.jobs[0].partition, "long");
	done(r);
}

static void names_missing_and_repeated_columns(void **state)
{
	(void)state;
	fails_with("JobID|Submit|Start|End|Elapsed|Partition|State\n",
		   "t.sacct:1:1: missing columns NCPUS, Timelimit: expected a "
		   "header naming (sacct -o) JobID,Submit,Start,End,Elapsed,"
		   "NCPUS,Partition,State,Timelimit");
	fails_with("JobID|Submit|Start|End|Elapsed|NCPUS|Partition|State\n",
		   "t.sacct:1:1: missing column Timelimit: expected a header "
		   "naming (sacct -o) JobID,Submit,Start,End,Elapsed,NCPUS,"
		   "Partition,State,Timelimit");
	fails_with("JobID|Submit|Start|End|Elapsed|NCPUS|Partition|State|"
		   "Timelimit|jobid\n",
		   "t.sacct:1:64: column JobID appears twice: expected each "
		   "column once");
	/* sacct without -P pads with spaces */
	fails_with("       JobID              Submit               Start\n",
		   "t.sacct:1:1: expected a header of column names separated "
		   "by '|' (sacct -P -o JobID,Submit,Start,End,Elapsed,NCPUS,"
		   "Partition,State,Timelimit)");
	fails_with("", "t.sacct:1:1: empty: expected a header (sacct -P -o "
		       "JobID,Submit,Start,End,Elapsed,NCPUS,Partition,State,"
		       "Timelimit)");
	fails_with("\n\n", "t.sacct:1:1: empty: expected a header (sacct -P -o "
			   "JobID,Submit,Start,End,Elapsed,NCPUS,Partition,"
			   "State,Timelimit)");
}

static void takes_blank_lines_crlf_and_sacct_p(void **state)
{
	(void)state;
	/* blank lines anywhere, CRLF, no newline at the end */
	run *r = parse("\n" HDR "\n"
		       "1|2026-11-20T14:00:00|2026-11-20T14:00:00|"
		       "2026-11-20T14:20:00|00:20:00|1|a|COMPLETED|"
		       "01:00:00\r\n\r\n"
		       "2|2026-11-20T14:00:01|2026-11-20T14:00:01|"
		       "2026-11-20T14:20:01|00:20:00|1|a|COMPLETED|01:00:00");
	assert_int_equal(r->ret, 0);
	assert_int_equal(r->t.njobs, 2);
	assert_int_equal(r->t.jobs[0].limit, GD_MS_PER_H);
	assert_int_equal(r->t.jobs[1].line, 6);
	done(r);
	/* sacct -p ends every line with '|' */
	r = parse("JobID|Submit|Start|End|Elapsed|NCPUS|Partition|State|"
		  "Timelimit|\n"
		  "1|2026-11-20T14:00:00|2026-11-20T14:00:00|"
		  "2026-11-20T14:20:00|00:20:00|1|a|COMPLETED|01:00:00|\n");
	assert_int_equal(r->ret, 0);
	assert_int_equal(r->t.njobs, 1);
	assert_int_equal(r->t.jobs[0].limit, GD_MS_PER_H);
	done(r);
}

static void reads_slurm_durations(void **state)
{
	(void)state;
	static const struct {
		const char *elapsed, *limit;
		gd_ms work, lim;
	} cases[] = {
		{"00:26:19", "01:00:00", 26 * GD_MS_PER_M + 19000, GD_MS_PER_H},
		{"1-02:03:04", "2-12:00:00",
		 GD_MS_PER_D + 2 * GD_MS_PER_H + 3 * GD_MS_PER_M + 4000,
		 2 * GD_MS_PER_D + 12 * GD_MS_PER_H},
		{"05:07", "30:00", 5 * GD_MS_PER_M + 7000, 30 * GD_MS_PER_M},
		{"00:00:00", "UNLIMITED", 0, GD_TRACE_NONE},
		{"100:00:00", "Partition_Limit", 100 * GD_MS_PER_H,
		 GD_TRACE_NONE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text),
			 HDR "9|2026-11-20T14:00:00|2026-11-20T14:00:00|"
			     "2026-11-20T14:00:00|%s|1|a|COMPLETED|%s\n",
			 cases[i].elapsed, cases[i].limit);
		run *r = parse(text);
		assert_int_equal(r->ret, 0);
		assert_int_equal(r->t.jobs[0].work, cases[i].work);
		assert_int_equal(r->t.jobs[0].limit, cases[i].lim);
		done(r);
	}
}

#define ROW_PRE "9|2026-11-20T14:00:00|2026-11-20T14:00:00|"
#define ROW_END "2026-11-20T14:00:00|"

static void rejects_bad_durations_at_their_column(void **state)
{
	(void)state;
	/* Elapsed starts at column 63, Timelimit at 86 */
	static const char *const bad_elapsed[] = {
		"1:2:3:4", "00:61", "00:60:00", "1-25:00:00", "1-00:00",
		"abc",	   "",	    "-00:05",	"00:05.5",    "367-00:00:00",
	};
	for (size_t i = 0; i < sizeof(bad_elapsed) / sizeof(*bad_elapsed);
	     i++) {
		char text[512], msg[512];
		snprintf(text, sizeof(text),
			 HDR ROW_PRE ROW_END "%s|1|a|COMPLETED|01:00:00\n",
			 bad_elapsed[i]);
		snprintf(msg, sizeof(msg),
			 "t.sacct:2:63: Elapsed \"%s\": expected a duration "
			 "D-HH:MM:SS, HH:MM:SS or MM:SS",
			 bad_elapsed[i]);
		fails_with(text, msg);
	}
	fails_with(HDR ROW_PRE ROW_END "00:01:00|1|a|COMPLETED|unlimited\n",
		   "t.sacct:2:86: Timelimit \"unlimited\": expected a duration "
		   "D-HH:MM:SS, HH:MM:SS or MM:SS, UNLIMITED or "
		   "Partition_Limit");
}

static void reads_times_without_a_zone(void **state)
{
	(void)state;
	gd_trace_time a, b;
	const char *why = NULL;
	assert_int_equal(gd_trace_time_parse("2026-12-31T23:59:59", &a, &why),
			 0);
	assert_int_equal(gd_trace_time_parse("2027-01-01T00:00:00", &b, &why),
			 0);
	assert_int_equal(b - a, 1);
	assert_int_equal(gd_trace_time_parse("2028-02-29T00:00:00", &a, &why),
			 0);
	assert_int_equal(gd_trace_time_parse("2028-03-01T00:00:00", &b, &why),
			 0);
	assert_int_equal(b - a, 86400);
	assert_int_equal(gd_trace_time_parse("1970-01-01T00:00:00", &a, &why),
			 0);
	assert_int_equal(a, 0);
	static const char *const bad_times[] = {
		"2026-02-29T00:00:00", "2026-11-20 14:03:11",
		"2026-11-20T24:00:00", "2026-11-20T14:03:11+01:00",
		"2026-13-01T00:00:00", "Unknown",
		"26-11-20T14:03:11",   "",
	};
	for (size_t i = 0; i < sizeof(bad_times) / sizeof(*bad_times); i++) {
		why = NULL;
		assert_int_equal(gd_trace_time_parse(bad_times[i], &a, &why),
				 -EINVAL);
		assert_non_null(why);
	}
	fails_with(HDR "9|2026-11-20 14:00:00|2026-11-20T14:00:00|" ROW_END
		       "00:01:00|1|a|COMPLETED|01:00:00\n",
		   "t.sacct:2:3: Submit \"2026-11-20 14:00:00\": expected a "
		   "time like 2026-11-20T14:03:11 (sacct's default format, no "
		   "zone)");
	fails_with(HDR "9|Unknown|Unknown|Unknown|00:00:00|1|a|PENDING|"
		       "01:00:00\n",
		   "t.sacct:2:3: Submit \"Unknown\": expected a time like "
		   "2026-11-20T14:03:11 (sacct's default format, no zone)");
	fails_with(HDR "9|2026-11-20T14:00:00|2026-11-20T14:00:00|"
		       "2026-11-31T00:00:00|00:01:00|1|a|COMPLETED|01:00:00\n",
		   "t.sacct:2:43: End \"2026-11-31T00:00:00\": expected a "
		   "time like 2026-11-20T14:03:11, or Unknown or None");
}

static void drops_and_counts_jobs_that_never_ran(void **state)
{
	(void)state;
	run *r = parse(
		HDR
		/* pending at the export's end: no start */
		"1|2026-11-20T14:00:00|Unknown|Unknown|00:00:00|2|a|PENDING|"
		"01:00:00\n"
		/* pending, with the scheduler's expected start shown */
		"2|2026-11-20T14:00:00|2026-11-20T18:00:00|Unknown|00:00:00|2|"
		"a|PENDING|01:00:00\n"
		/* cancelled while pending: Start = End, no Elapsed */
		"3|2026-11-20T14:00:00|2026-11-20T14:05:00|"
		"2026-11-20T14:05:00|00:00:00|0|a|CANCELLED by 1234|01:00:00\n"
		"4|2026-11-20T14:00:00|None|None|00:00:00|2|a|CANCELLED by 0|"
		"01:00:00\n"
		/* cancelled after a run: kept, its state as written */
		"5|2026-11-20T14:00:00|2026-11-20T14:00:00|"
		"2026-11-20T14:05:00|00:05:00|2|a|CANCELLED by 1234|"
		"01:00:00\n"
		/* ran and failed at once: kept, with no work */
		"6|2026-11-20T14:00:09|2026-11-20T14:00:10|"
		"2026-11-20T14:00:10|00:00:00|2|a|FAILED|01:00:00\n");
	assert_int_equal(r->ret, 0);
	assert_int_equal(r->t.never_ran, 4);
	assert_int_equal(r->t.njobs, 2);
	assert_string_equal(r->t.jobs[0].id, "5");
	assert_string_equal(r->t.jobs[0].state, "CANCELLED by 1234");
	assert_string_equal(r->t.jobs[1].id, "6");
	assert_int_equal(r->t.jobs[1].work, 0);
	assert_int_equal(r->t.jobs[1].submit, 9000);
	done(r);
}

static void keeps_every_state_as_written(void **state)
{
	(void)state;
	static const char *const states[] = {
		"COMPLETED",	     "FAILED",	      "TIMEOUT", "NODE_FAIL",
		"PREEMPTED",	     "OUT_OF_MEMORY", "RUNNING", "BOOT_FAIL",
		"CANCELLED by 1234", "REQUEUED",
	};
	for (size_t i = 0; i < sizeof(states) / sizeof(*states); i++) {
		char text[512];
		snprintf(text, sizeof(text),
			 HDR ROW_PRE "%s00:10:00|3|a|%s|01:00:00\n",
			 strcmp(states[i], "RUNNING") ? ROW_END : "Unknown|",
			 states[i]);
		run *r = parse(text);
		assert_int_equal(r->ret, 0);
		assert_int_equal(r->t.njobs, 1);
		assert_string_equal(r->t.jobs[0].state, states[i]);
		bool running = strcmp(states[i], "RUNNING") == 0;
		assert_int_equal(r->t.jobs[0].running, running);
		assert_int_equal(r->t.running, running);
		done(r);
	}
	static const char *const bad_states[] = {
		"completed", "CANCELLED by", "CANCELLED by x", "", "FAIL-ED"};
	for (size_t i = 0; i < sizeof(bad_states) / sizeof(*bad_states); i++) {
		char text[512], msg[512];
		snprintf(text, sizeof(text),
			 HDR ROW_PRE ROW_END "00:10:00|3|a|%s|01:00:00\n",
			 bad_states[i]);
		snprintf(msg, sizeof(msg),
			 "t.sacct:2:76: State \"%s\": expected a job state "
			 "such as COMPLETED, NODE_FAIL or \"CANCELLED by "
			 "1234\"",
			 bad_states[i]);
		fails_with(text, msg);
	}
}

static void reads_array_heterogeneous_and_step_ids(void **state)
{
	(void)state;
	run *r = parse(
		HDR
		"123_4|2026-11-20T14:00:00|2026-11-20T14:00:00|" ROW_END
		"00:10:00|2|a|COMPLETED|01:00:00\n"
		"123_[5-9]|2026-11-20T14:00:00|Unknown|Unknown|00:00:00|2|"
		"a|PENDING|01:00:00\n"
		"124_[1,3,5-7%2]|2026-11-20T14:00:00|Unknown|Unknown|"
		"00:00:00|2|a|PENDING|01:00:00\n"
		"125+0|2026-11-20T14:00:01|2026-11-20T14:00:02|" ROW_END
		"00:10:00|1|a|COMPLETED|01:00:00\n"
		"125+1|2026-11-20T14:00:01|2026-11-20T14:00:02|" ROW_END
		"00:10:00|8|b|COMPLETED|01:00:00\n"
		"123_4.batch|2026-11-20T14:00:00|2026-11-20T14:00:00|" ROW_END
		"00:10:00|2||COMPLETED|\n"
		"125+0.extern|2026-11-20T14:00:01|2026-11-20T14:00:02|" ROW_END
		"00:10:00|1||COMPLETED|\n"
		"126.0|x|x|x|x|x|x|x|x\n");
	assert_int_equal(r->ret, 0);
	assert_int_equal(r->t.njobs, 3);
	assert_string_equal(r->t.jobs[0].id, "123_4");
	assert_string_equal(r->t.jobs[1].id, "125+0");
	assert_string_equal(r->t.jobs[2].id, "125+1");
	assert_int_equal(r->t.jobs[2].ncpus, 8);
	assert_string_equal(r->t.jobs[2].partition, "b");
	assert_int_equal(r->t.pending_tasks, 5 + 5);
	assert_int_equal(r->t.steps, 3);
	assert_int_equal(r->t.never_ran, 0);
	done(r);
	static const char *const bad_ids[] = {
		"",	    "abc",     "123_",	      "123_[9-5]",
		"123_[5-9", "123+",    "123.",	      "123.Batch",
		"12 3",	    "123_4_5", "4294967296x", "123_[1-9999999]",
	};
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(*bad_ids); i++) {
		char text[512], msg[512];
		snprintf(text, sizeof(text),
			 HDR
			 "%s|2026-11-20T14:00:00|2026-11-20T14:00:00|" ROW_END
			 "00:10:00|2|a|COMPLETED|01:00:00\n",
			 bad_ids[i]);
		snprintf(msg, sizeof(msg),
			 "t.sacct:2:1: JobID \"%s\": expected a job id: 123, "
			 "an array task 123_4 or range 123_[5-9], a "
			 "heterogeneous component 123+0, or a step 123.batch",
			 bad_ids[i]);
		fails_with(text, msg);
	}
	/* Slurm's ids go past 9 digits */
	r = parse(HDR
		  "4294967295|2026-11-20T14:00:00|2026-11-20T14:00:00|" ROW_END
		  "00:10:00|2|a|COMPLETED|01:00:00\n");
	assert_int_equal(r->ret, 0);
	assert_string_equal(r->t.jobs[0].id, "4294967295");
	done(r);
}

static void names_the_field_count_that_differs(void **state)
{
	(void)state;
	fails_with(HDR "9|2026-11-20T14:00:00|2026-11-20T14:00:00\n",
		   "t.sacct:2:42: expected 9 fields separated by '|' as on "
		   "the header, found 3");
	fails_with(HDR ROW_PRE ROW_END "00:10:00|2|a|COMPLETED|01:00:00|x|y\n",
		   "t.sacct:2:95: expected 9 fields separated by '|' as on "
		   "the header, found 11");
}

static void quotes_bad_values_on_one_line(void **state)
{
	(void)state;
	/* control characters escaped, long values cut */
	fails_with(HDR "1\t2|2026-11-20T14:00:00|2026-11-20T14:00:00|" ROW_END
		       "00:10:00|2|a|COMPLETED|01:00:00\n",
		   "t.sacct:2:1: JobID \"1\\x092\": expected a job id: 123, an "
		   "array task 123_4 or range 123_[5-9], a heterogeneous "
		   "component 123+0, or a step 123.batch");
	fails_with(
		HDR ROW_PRE ROW_END "00:10:00|2|a|COMPLETED|"
				    "0123456789012345678901234567890123456789"
				    "0123456789012345678901234567890123456789"
				    "\n",
		"t.sacct:2:86: Timelimit \"0123456789012345678901234567890123456789"
		"01234567890123456...\": expected a duration "
		"D-HH:MM:SS, HH:MM:SS or MM:SS, UNLIMITED or "
		"Partition_Limit");
	/* an editor's byte order mark before the header is not a column */
	run *r = parse("\xef\xbb\xbf" HDR ROW_PRE ROW_END
		       "00:10:00|2|a|COMPLETED|01:00:00\n");
	assert_int_equal(r->ret, 0);
	assert_int_equal(r->t.njobs, 1);
	done(r);
}

static void sorts_by_submission_stably(void **state)
{
	(void)state;
	run *r = parse(HDR "30|2026-11-20T14:10:00|2026-11-20T14:10:00|" ROW_END
			   "00:10:00|2|a|COMPLETED|01:00:00\n"
			   "10|2026-11-20T14:00:00|2026-11-20T14:00:00|" ROW_END
			   "00:10:00|2|a|COMPLETED|01:00:00\n"
			   "21|2026-11-20T14:05:00|2026-11-20T14:05:00|" ROW_END
			   "00:10:00|2|a|COMPLETED|01:00:00\n"
			   "20|2026-11-20T14:05:00|2026-11-20T14:05:00|" ROW_END
			   "00:10:00|2|a|COMPLETED|01:00:00\n"
			   "22|2026-11-20T14:05:00|2026-11-20T14:05:00|" ROW_END
			   "00:10:00|2|a|COMPLETED|01:00:00\n");
	assert_int_equal(r->ret, 0);
	static const char *const order[] = {"10", "21", "20", "22", "30"};
	static const gd_ms at[] = {0, 300000, 300000, 300000, 600000};
	assert_int_equal(r->t.njobs, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(r->t.jobs[i].id, order[i]);
		assert_int_equal(r->t.jobs[i].submit, at[i]);
	}
	assert_int_equal(r->t.span, 601000);
	done(r);
}

static const char window_text[] =
	HDR "1|2026-11-20T13:59:59|2026-11-20T14:00:00|" ROW_END
	    "00:10:00|2|a|COMPLETED|01:00:00\n"
	    "2|2026-11-20T14:00:00|2026-11-20T14:00:00|" ROW_END
	    "00:10:00|2|a|COMPLETED|01:00:00\n"
	    "3|2026-11-20T14:59:59|2026-11-20T15:00:00|" ROW_END
	    "00:10:00|2|a|COMPLETED|01:00:00\n"
	    "4|2026-11-20T15:00:00|2026-11-20T15:00:00|" ROW_END
	    "00:10:00|2|a|COMPLETED|01:00:00\n"
	    "5|2026-11-20T14:30:00|Unknown|Unknown|00:00:00|2|a|PENDING|"
	    "01:00:00\n"
	    "6_[1-4]|2026-11-20T16:00:00|Unknown|Unknown|00:00:00|2|a|"
	    "PENDING|01:00:00\n";

static void selects_a_window_of_submissions(void **state)
{
	(void)state;
	gd_trace_opts o = {.file = "t.sacct",
			   .has_window = true,
			   .window_length = GD_MS_PER_H};
	assert_int_equal(gd_trace_time_parse("2026-11-20T14:00:00",
					     &o.window_from, NULL),
			 0);
	run *r = parse_opts(window_text, &o);
	assert_int_equal(r->ret, 0);
	assert_int_equal(r->t.njobs, 2);
	assert_string_equal(r->t.jobs[0].id, "2");
	assert_int_equal(r->t.jobs[0].submit, 0);
	assert_string_equal(r->t.jobs[1].id, "3");
	assert_int_equal(r->t.jobs[1].submit, GD_MS_PER_H - 1000);
	assert_int_equal(r->t.outside, 3); /* 1, 4 and the array range */
	assert_int_equal(r->t.never_ran, 1);
	assert_int_equal(r->t.pending_tasks, 0);
	assert_int_equal(r->t.origin, o.window_from);
	assert_int_equal(r->t.span, GD_MS_PER_H);
	done(r);

	/* the whole export: offsets from the first submission */
	o.has_window = false;
	r = parse_opts(window_text, &o);
	assert_int_equal(r->ret, 0);
	assert_int_equal(r->t.njobs, 4);
	assert_int_equal(r->t.jobs[3].submit, GD_MS_PER_H + 1000);
	assert_int_equal(r->t.pending_tasks, 4);
	done(r);

	o.has_window = true;
	o.window_length = 0;
	r = parse_opts(window_text, &o);
	assert_int_equal(r->ret, -EINVAL);
	assert_string_equal(r->msg,
			    "t.sacct: the window's length must be positive");
	done(r);
}

static const char big_job[] =
	HDR "1|2026-11-20T14:00:00|2026-11-20T14:00:00|" ROW_END
	    "00:10:00|2|a|COMPLETED|01:00:00\n"
	    "2|2026-11-20T14:00:00|Unknown|Unknown|00:00:00|64|a|PENDING|"
	    "01:00:00\n"
	    "3|2026-11-20T14:00:00|2026-11-20T14:00:00|" ROW_END
	    "00:10:00|16|a|COMPLETED|01:00:00\n";

static void bounds_the_cpus_a_job_asks(void **state)
{
	(void)state;
	gd_trace_opts o = {.file = "t.sacct", .max_cpus = 8};
	run *r = parse_opts(big_job, &o);
	assert_int_equal(r->ret, -EINVAL);
	assert_string_equal(r->msg, "t.sacct:4:72: NCPUS \"16\": expected at "
				    "most 8 CPUs, the most any node has");
	done(r);
	/* capped on request; the pending job asking 64 never ran: no error */
	o.cap_cpus = true;
	r = parse_opts(big_job, &o);
	assert_int_equal(r->ret, 0);
	assert_int_equal(r->t.njobs, 2);
	assert_int_equal(r->t.jobs[0].ncpus, 2);
	assert_int_equal(r->t.jobs[1].ncpus, 8);
	assert_int_equal(r->t.capped, 1);
	done(r);
	/* 0: unchecked */
	o = (gd_trace_opts){.file = "t.sacct"};
	r = parse_opts(big_job, &o);
	assert_int_equal(r->ret, 0);
	assert_int_equal(r->t.jobs[1].ncpus, 16);
	done(r);

	fails_with(HDR ROW_PRE ROW_END "00:10:00|0|a|COMPLETED|01:00:00\n",
		   "t.sacct:2:72: NCPUS \"0\": expected at least 1 CPU for a "
		   "job that ran");
	fails_with(HDR ROW_PRE ROW_END "00:10:00|2.5|a|COMPLETED|01:00:00\n",
		   "t.sacct:2:72: NCPUS \"2.5\": expected a whole number of "
		   "CPUs");
	fails_with(HDR ROW_PRE ROW_END "00:10:00|2||COMPLETED|01:00:00\n",
		   "t.sacct:2:74: Partition \"\": expected a partition name");
}

static void makes_deadlines_by_a_rule(void **state)
{
	(void)state;
	gd_trace_job limited = {.wait = 30 * GD_MS_PER_S, .limit = GD_MS_PER_H};
	gd_trace_job unlimited = {.wait = 30 * GD_MS_PER_S,
				  .limit = GD_TRACE_NONE};
	gd_trace_deadline_rule rule = {GD_TRACE_DEADLINE_LIMIT, GD_TRACE_NONE};
	assert_int_equal(gd_trace_deadline(&limited, &rule), GD_MS_PER_H);
	assert_int_equal(gd_trace_deadline(&unlimited, &rule), GD_TRACE_NONE);
	rule.fixed = 2 * GD_MS_PER_H;
	assert_int_equal(gd_trace_deadline(&unlimited, &rule), 2 * GD_MS_PER_H);
	rule.kind = GD_TRACE_DEADLINE_WAIT_AND_LIMIT;
	assert_int_equal(gd_trace_deadline(&limited, &rule),
			 GD_MS_PER_H + 30 * GD_MS_PER_S);
	assert_int_equal(gd_trace_deadline(&unlimited, &rule), 2 * GD_MS_PER_H);
	rule = (gd_trace_deadline_rule){GD_TRACE_DEADLINE_FIXED,
					45 * GD_MS_PER_M};
	assert_int_equal(gd_trace_deadline(&limited, &rule), 45 * GD_MS_PER_M);
	assert_int_equal(gd_trace_deadline(&unlimited, &rule),
			 45 * GD_MS_PER_M);
}

static void gives_the_submission_curve_and_peak_rate(void **state)
{
	(void)state;
	static const gd_ms at[] = {0,	  0,	 500,	1000,  59000,  60000,
				   61000, 61000, 61000, 61000, 179000, 179999};
	gd_trace_job jobs[sizeof(at) / sizeof(at[0])] = {0};
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		jobs[i].submit = at[i];
	gd_trace t = {.jobs = jobs, .njobs = 12, .span = 180000};
	assert_int_equal(gd_trace_nbuckets(&t, GD_MS_PER_M), 3);
	assert_int_equal(gd_trace_nbuckets(&t, 70000), 3);
	unsigned counts[4] = {9, 9, 9, 9};
	gd_trace_curve(&t, GD_MS_PER_M, counts, 3);
	assert_int_equal(counts[0], 5);
	assert_int_equal(counts[1], 5);
	assert_int_equal(counts[2], 2);
	assert_int_equal(counts[3], 9); /* past n: untouched */
	/* a short array counts the first buckets only */
	gd_trace_curve(&t, GD_MS_PER_M, counts, 1);
	assert_int_equal(counts[0], 5);

	/* sliding: 59 s to 61 s holds 6, more than any aligned minute's 5 */
	assert_int_equal(gd_trace_peak(&t, 1000), 4);
	assert_int_equal(gd_trace_peak(&t, 3000), 6);
	assert_int_equal(gd_trace_peak(&t, GD_MS_PER_M), 6);
	assert_int_equal(gd_trace_peak(&t, GD_MS_PER_H), 12);
	assert_true(gd_trace_peak_rate(&t, 1000) == 4.0);
	assert_true(gd_trace_peak_rate(&t, 3000) == 2.0);
	assert_int_equal(gd_trace_peak(&t, 0), 0);

	gd_trace empty = {0};
	assert_int_equal(gd_trace_nbuckets(&empty, 1000), 0);
	assert_int_equal(gd_trace_peak(&empty, 1000), 0);
}

/* The library's trace: tests/unit/test_trace.c lives two folders down. */
static void parses_the_shipped_ml_week_trace(void **state)
{
	(void)state;
	char path[512];
	const char *self = __FILE__, *slash = strrchr(self, '/');
	snprintf(path, sizeof(path),
		 "%.*s/../../scenarios/traces/ml-week.sacct",
		 (int)(slash ? slash - self : 1), slash ? self : ".");
	gd_arena *a = gd_arena_new();
	gd_error *err = NULL;
	gd_trace t;
	gd_trace_opts o = {.max_cpus = 8};
	int ret = gd_trace_load(a, path, &o, &t, &err);
	if (err)
		fail_msg("%s", err->msg);
	assert_int_equal(ret, 0);
	/* 65 lines: one pending array range (3 tasks), a job cancelled while
	 * pending and one pending at the end dropped */
	assert_int_equal(t.njobs, 62);
	assert_int_equal(t.pending_tasks, 3);
	assert_int_equal(t.never_ran, 2);
	assert_int_equal(t.steps, 0);
	assert_int_equal(t.running, 3);
	assert_int_equal(t.capped, 0);
	size_t parts[2] = {0}, unlimited = 0, days = 0, typical = 0;
	for (size_t i = 0; i < t.njobs; i++) {
		const gd_trace_job *j = &t.jobs[i];
		assert_true(i == 0 || j->submit >= t.jobs[i - 1].submit);
		assert_true(j->ncpus >= 1 && j->ncpus <= 8);
		parts[strcmp(j->partition, "docs") != 0]++;
		unlimited += j->limit == GD_TRACE_NONE;
		days += j->limit >= GD_MS_PER_D;
		typical += j->work >= 20 * GD_MS_PER_M &&
			   j->work <= 41 * GD_MS_PER_M;
	}
	assert_true(parts[0] > 0 && parts[1] > 0);
	assert_true(unlimited >= 3 && days >= 2);
	assert_true(typical * 4 >= t.njobs * 3); /* mostly 20-40 minutes */
	assert_true(t.span > 4 * GD_MS_PER_H && t.span < 5 * GD_MS_PER_H);
	/* the array's six tasks come in one second */
	assert_true(gd_trace_peak(&t, 1000) >= 6);
	gd_error_free(err);
	gd_arena_free(a);

	a = gd_arena_new();
	ret = gd_trace_load(a, "/nonexistent/ml.sacct", &o, &t, &err);
	assert_int_equal(ret, -ENOENT);
	assert_non_null(strstr(err->msg, "/nonexistent/ml.sacct"));
	gd_error_free(err);
	gd_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_every_field_of_a_job),
		cmocka_unit_test(reads_columns_by_name_in_any_order),
		cmocka_unit_test(names_missing_and_repeated_columns),
		cmocka_unit_test(takes_blank_lines_crlf_and_sacct_p),
		cmocka_unit_test(reads_slurm_durations),
		cmocka_unit_test(rejects_bad_durations_at_their_column),
		cmocka_unit_test(reads_times_without_a_zone),
		cmocka_unit_test(drops_and_counts_jobs_that_never_ran),
		cmocka_unit_test(keeps_every_state_as_written),
		cmocka_unit_test(reads_array_heterogeneous_and_step_ids),
		cmocka_unit_test(names_the_field_count_that_differs),
		cmocka_unit_test(quotes_bad_values_on_one_line),
		cmocka_unit_test(sorts_by_submission_stably),
		cmocka_unit_test(selects_a_window_of_submissions),
		cmocka_unit_test(bounds_the_cpus_a_job_asks),
		cmocka_unit_test(makes_deadlines_by_a_rule),
		cmocka_unit_test(gives_the_submission_curve_and_peak_rate),
		cmocka_unit_test(parses_the_shipped_ml_week_trace),
	};
	return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
