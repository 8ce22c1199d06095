/* "Did you mean …?" for misspelt keys and names. */
#ifndef GD_BASE_SUGGEST_H
#define GD_BASE_SUGGEST_H

#include <stddef.h>

/* Edit distance (insertions, deletions, substitutions and adjacent
 * transpositions), capped: returns cap + 1 as soon as it must exceed cap. */
size_t gd_edit_distance(const char *a, const char *b, size_t cap);

/* The candidate closest to word, or NULL when none is close enough to be a
 * plausible typo.  Ties go to the earlier candidate. */
const char *gd_suggest(const char *word, const char *const *candidates,
		       size_t n);

#endif
