/* The agent's undo journal as text: what a line says, what a whole
 * journal means (which entries are still pending, which state of a path
 * was the first), and the names the agent accepts.  No I/O: gd-agent
 * reads and appends the file, this reads and writes its lines.
 *
 * One entry a line, fields separated by tabs, each field escaped (a
 * backslash, tab or newline written as \\, \t, \n), so any argv or path
 * survives:
 *
 *   # gd-agent journal 1                      (comment: ignored)
 *   entry ID TAG file PATH UID GID MODE       content kept in saved/ID
 *   entry ID TAG file PATH absent             nothing was at PATH
 *   entry ID TAG attr PATH UID GID MODE       owner and mode only
 *   entry ID TAG cmd ARG0 ARG1 ...            the revert runs this argv
 *   done ID                                   the entry is reverted
 *
 * MODE is octal, the rest decimal.  The file is only ever appended to, so
 * a power cut can cut only its last line: a last line without its newline
 * is ignored, never an error.  Any other line that does not read is. */
#ifndef GD_AGENT_JOURNAL_H
#define GD_AGENT_JOURNAL_H

#include "base/error.h"
#include "base/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

#define AG_JOURNAL_HEADER "# gd-agent journal 1\n"

typedef enum ag_kind {
	AG_FILE, /* a regular file's bytes, owner and mode, or its absence */
	AG_ATTR, /* a path's owner and mode */
	AG_CMD,	 /* a command that undoes a change */
} ag_kind;

typedef struct ag_entry {
	unsigned long id; /* unique in the journal, increasing */
	ag_kind kind;
	char *tag;
	char *path;		 /* file, attr: absolute host path */
	bool absent;		 /* file: nothing was there */
	unsigned uid, gid, mode; /* file (present), attr */
	char **argv;		 /* cmd: argc strings and a NULL */
	size_t argc;
	bool done; /* a "done" line names it */
} ag_entry;

typedef struct ag_journal {
	ag_entry *entries; /* in the order they were written */
	size_t n, cap;
	unsigned long next_id; /* one past the largest id read */
} ag_journal;

/* Reads a journal's text (len bytes, NUL not needed).  A cut last line is
 * skipped; *cut, when given, says whether there was one and *good the
 * length of the text up to it (where an append must start).  A line that
 * does not read fails, naming its number.  j starts zeroed; free it with
 * ag_journal_free whatever the result. */
int ag_journal_parse(const char *text, size_t len, ag_journal *j, bool *cut,
		     size_t *good, gd_error **err);
void ag_journal_free(ag_journal *j);

/* The line (newline included) that records e, or marks entry id done,
 * appended to out. */
void ag_entry_encode(const ag_entry *e, gd_strbuf *out);
void ag_done_encode(unsigned long id, gd_strbuf *out);

/* The pending entry already holding path's first state for a save of
 * kind (AG_FILE or AG_ATTR), or NULL when a new one must be written.  A
 * file entry holds everything; an attr entry holds enough only for
 * another attr save: a file save after it still keeps the bytes, and the
 * revert, newest first, puts the owner and mode of the older back last. */
const ag_entry *ag_journal_saved(const ag_journal *j, const char *path,
				 ag_kind kind);

/* The pending entries of tag (every tag when NULL), newest first, as
 * indices into j->entries written to order (room for j->n).  Returns how
 * many. */
size_t ag_journal_plan(const ag_journal *j, const char *tag, size_t *order);

/* Whether a failed revert of e keeps the run (its journal, saved/ and
 * unit) for the next boot's watcher to retry: a file's or an attr's,
 * whose original exists nowhere else; never a command's, gameday's own
 * and expected idempotent (an undo of a chain a reboot already dropped
 * fails forever and must not pin the run). */
bool ag_failure_keeps_run(const ag_entry *e);

/* The names the command line takes: a run [a-z0-9-]{1,40}; a tag
 * [A-Za-z0-9._:@-]{1,64}; a path absolute, not "/" alone, without a ".."
 * or "." component or a newline. */
bool ag_run_valid(const char *run);
bool ag_tag_valid(const char *tag);
bool ag_path_valid(const char *path);

#endif
