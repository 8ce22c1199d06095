/* The command-line program: a table of subcommands over the library.
 * Each command parses its own options, calls library functions and maps
 * the outcome to an exit code.  Only this layer prints. */
#ifndef GD_CLI_CLI_H
#define GD_CLI_CLI_H

/* The exit-code contract (README, gameday --help). */
enum gd_exit {
	GD_EXIT_OK = 0,	     /* success; every scenario passed */
	GD_EXIT_FAILED = 1,  /* a scenario failed its expectations */
	GD_EXIT_INVALID = 2, /* invalid input or usage */
	GD_EXIT_ENV = 3,     /* environment: privilege, dependency, kernel */
	GD_EXIT_STOPPED = 4, /* run aborted by a stop condition */
};

#include "base/error.h"
#include "plan/plan.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#ifndef GD_VERSION
#define GD_VERSION "0.0.0-dev"
#endif

typedef struct gd_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
} gd_command;

int cmd_validate(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_cluster(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* "gameday CMD: message" on stderr, with usage advice; returns
 * GD_EXIT_INVALID. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The directory holding gd-init and gd-probe: $GAMEDAY_LIBEXEC, else the
 * directory of the running gameday when they sit beside it (a build
 * tree), else the installed libexec directory. */
const char *cli_libexec(void);

/* Prints "gameday CMD: MESSAGE" for err and maps its errno to an exit code:
 * privilege and missing features are the environment's (3), bad names the
 * user's (2). */
int cli_fail(const char *cmd, const gd_error *err);

/* A seed from the command line: a whole number from 0 to 2^63-1. */
int cli_parse_seed(const char *s, uint64_t *out);

/* Loads and plans a scenario with the seed from the command line, else
 * the scenario's, else a fresh one, and the time scale from the command
 * line (scale > 0) instead of the scenario's, or the largest faithful one
 * (scale < 0: --scale max); prints the problems and
 * returns NULL when it cannot.  *scenario owns the plan's memory
 * (gd_scenario_free). */
gd_plan *cli_load_plan(const char *cmd, const char *file, int have_seed,
		       uint64_t seed, double scale, gd_scenario **scenario);

/* --scale K: scenario time K times faster than real time, 1 to 10000;
 * "max" (-1): the largest scale the scenario can be played at faithfully. */
int cli_parse_scale(const char *s, double *out);
#define CLI_SCALE_HELP "a number from 1 to 10000, or max"
/* --scale's argument for cmd into *out: 0, or the usage error's code. */
int cli_scale_arg(const char *cmd, const char *arg, double *out);

/* Whether p can be played faithfully at its time scale (plan/fidelity.h).
 * When it cannot, says why on stderr and returns GD_EXIT_INVALID, unless
 * unfaithful is set (--unfaithful): then it warns and returns 0. */
int cli_check_fidelity(const char *cmd, const gd_plan *p, int unfaithful);

/* True when argv holds -h or --help before any "--": the rule cli_getopt
 * follows, for a command with no other option to parse. */
int cli_wants_help(int argc, char **argv);

/* A command's arguments taken as GNU tools take them: options anywhere
 * among the operands, until "--" (what follows it is all operands) or,
 * with stop_at > 0, until the stop_at-th operand (cluster exec's command,
 * whose options are its own).  argv[0] is the command's name. */
typedef struct cli_args {
	int argc;
	char **argv;
	int stop_at;
	int n;	      /* operands: argv[1] to argv[n] once cli_getopt is done */
	int dashdash; /* operands before the "--" that ended the options, or -1 */
	bool begun, done;
} cli_args;
#define CLI_ARGS(argc, argv, stop_at)                                          \
	{                                                                      \
		(argc), (argv), (stop_at), 0, -1, 0, 0                         \
	}

/* getopt_long over a: the next option (with optarg), or -1 at the end,
 * when the operands have been gathered in order at argv[1..n], NULL after
 * them. */
int cli_getopt(cli_args *a, const char *shortopts,
	       const struct option *longopts);

#endif
