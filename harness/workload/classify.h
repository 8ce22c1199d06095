/* The document job's "model": a fixed keyword classifier for the clauses
 * of a legal document, and the result a job reports.  One copy of this
 * code runs inside the job (fakes/gd-job) and one in gameday, which
 * computes every job's expected output itself (the oracle) and compares
 * byte for byte. */
#ifndef GD_WORKLOAD_CLASSIFY_H
#define GD_WORKLOAD_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

enum {
	GD_LABEL_OBLIGATION,
	GD_LABEL_TERMINATION,
	GD_LABEL_LIABILITY,
	GD_LABEL_CONFIDENTIALITY,
	GD_LABEL_PAYMENT,
	GD_LABEL_OTHER,
	GD_LABEL_COUNT
};

extern const char *const gd_label_names[GD_LABEL_COUNT];

/* The label of one clause (a line of text, not NUL-terminated). */
int gd_classify_clause(const char *clause, size_t len);

typedef struct gd_doc_result {
	unsigned clauses;
	unsigned counts[GD_LABEL_COUNT];
	uint64_t digest; /* FNV-1a over every clause's label and text */
} gd_doc_result;

void gd_doc_result_init(gd_doc_result *r);
void gd_doc_result_add(gd_doc_result *r, const char *clause, size_t len,
		       int label);

/* Classifies a whole document (clauses are its lines), from clause
 * number first on, into r; returns the number of clauses read. */
unsigned gd_classify_document(const char *text, size_t len, gd_doc_result *r);

/* The canonical output: one line of JSON with sorted keys.  Returns the
 * length written (as snprintf). */
int gd_doc_result_format(const gd_doc_result *r, const char *job, char *buf,
			 size_t size);

#endif
