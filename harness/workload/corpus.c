#include "workload/corpus.h"

#include "base/prng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const subjects[] = {
	"The Licensee",	       "The Supplier",	 "Each party",
	"The Customer",	       "The Contractor", "Neither party",
	"The Receiving Party", "The Company",
};
static const char *const verbs[] = {
	"shall pay all fees",	     "must keep confidential",
	"agrees to indemnify",	     "may terminate this Agreement",
	"shall not disclose",	     "is liable for damages",
	"shall invoice monthly",     "will renew automatically",
	"undertakes to deliver",     "may assign its rights",
	"shall give written notice", "waives any claim",
};
static const char *const objects[] = {
	"arising from any breach",   "within thirty (30) days",
	"to the other party",	     "in accordance with Schedule A",
	"unless agreed in writing",  "including interest on late payment",
	"for any loss or damage",    "upon expiry of the Term",
	"relating to trade secrets", "under the laws of England",
	"as set out in clause 4.2",
};

char *gd_corpus_document(uint64_t seed, const char *job_id, size_t *len)
{
	char label[256];
	snprintf(label, sizeof(label), "doc:%s", job_id);
	gd_prng r;
	gd_prng_stream(&r, seed, label);
	/* Log-uniform between 20 and 400 clauses: many short documents, a
	 * few long ones. */
	unsigned clauses = 20;
	for (unsigned steps = (unsigned)gd_prng_below(&r, 30); steps; steps--)
		clauses = clauses * 11 / 10;
	clauses += (unsigned)gd_prng_below(&r, 10);

	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	if (!f)
		abort();
	for (unsigned c = 0; c < clauses; c++) {
		fprintf(f, "%u. %s %s %s", c + 1,
			subjects[gd_prng_below(&r, sizeof(subjects) /
							   sizeof(*subjects))],
			verbs[gd_prng_below(&r, sizeof(verbs) / sizeof(*verbs))],
			objects[gd_prng_below(&r, sizeof(objects) /
							  sizeof(*objects))]);
		if (gd_prng_below(&r, 3) == 0)
			fprintf(f, ", %s",
				objects[gd_prng_below(
					&r,
					sizeof(objects) / sizeof(*objects))]);
		fputs(".\n", f);
	}
	if (fclose(f) != 0)
		abort();
	*len = n;
	return text;
}
