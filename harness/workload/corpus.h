/* The workload's documents, generated from the run's seed: legal-looking
 * text, one clause a line, of varied length (20 to 400 clauses, most of
 * them short, a few long, as real contracts are). */
#ifndef GD_WORKLOAD_CORPUS_H
#define GD_WORKLOAD_CORPUS_H

#include <stddef.h>
#include <stdint.h>

/* The document of job id for seed: a heap buffer (caller frees), *len set. */
char *gd_corpus_document(uint64_t seed, const char *job_id, size_t *len);

#endif
