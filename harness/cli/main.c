#include "cli/cli.h"

#include "base/cleanup.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const gd_command commands[] = {
	{"validate", "check scenario files without touching the host",
	 cmd_validate},
	{"plan", "print the exact timeline a scenario would play", cmd_plan},
	{"run", "play a scenario against a staging cluster", cmd_run},
	{"cluster", "bring a staging cluster up, inspect it, take it down",
	 cmd_cluster},
	{"cleanup", "remove everything earlier runs left behind", cmd_cleanup},
	{"report", "score a run and write its reports", cmd_report},
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: gameday COMMAND [OPTIONS] [ARGS]\n"
		"       gameday --help | --version\n\n"
		"Rehearse maintenance and faults against a staging batch cluster,\n"
		"and score whether every job still finished correctly on time.\n\n"
		"commands:\n");
	for (size_t i = 0; i < GD_ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out,
		"\n'gameday COMMAND --help' describes a command.  A command's options\n"
		"may come before or after its arguments; \"--\" ends them.\n\n"
		"exit codes:\n"
		"  0  success; every scenario passed\n"
		"  1  a scenario failed its expectations\n"
		"  2  invalid input or usage\n"
		"  3  environment problem (missing privilege, dependency or kernel feature),\n"
		"     or a run that fell behind compressed time (verdict invalid)\n"
		"  4  run aborted by a stop condition\n");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "gameday %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'gameday %s --help')\n", cmd);
	return GD_EXIT_INVALID;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return GD_EXIT_INVALID;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		if (argc > 2 && strcmp(cmd, "help") == 0) {
			for (size_t i = 0; i < GD_ARRAY_SIZE(commands); i++)
				if (strcmp(argv[2], commands[i].name) == 0) {
					char *help_argv[] = {argv[2], "--help",
							     NULL};
					return commands[i].run(2, help_argv);
				}
		}
		usage(stdout);
		return GD_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("gameday %s\n", GD_VERSION);
		return GD_EXIT_OK;
	}
	for (size_t i = 0; i < GD_ARRAY_SIZE(commands); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);

	fprintf(stderr, "gameday: unknown command \"%s\"\n\n", cmd);
	usage(stderr);
	return GD_EXIT_INVALID;
}
