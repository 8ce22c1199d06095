#include "workload/classify.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *const gd_label_names[GD_LABEL_COUNT] = {
	[GD_LABEL_OBLIGATION] = "obligation",
	[GD_LABEL_TERMINATION] = "termination",
	[GD_LABEL_LIABILITY] = "liability",
	[GD_LABEL_CONFIDENTIALITY] = "confidentiality",
	[GD_LABEL_PAYMENT] = "payment",
	[GD_LABEL_OTHER] = "other",
};

/* The labels by name, for output with sorted keys. */
static const int by_name[GD_LABEL_COUNT] = {
	GD_LABEL_CONFIDENTIALITY, GD_LABEL_LIABILITY, GD_LABEL_OBLIGATION,
	GD_LABEL_OTHER,		  GD_LABEL_PAYMENT,   GD_LABEL_TERMINATION,
};

static const struct {
	const char *stem;
	int label;
	int weight;
} keywords[] = {
	{"shall", GD_LABEL_OBLIGATION, 2},
	{"must", GD_LABEL_OBLIGATION, 2},
	{"agree", GD_LABEL_OBLIGATION, 1},
	{"undertake", GD_LABEL_OBLIGATION, 2},
	{"terminat", GD_LABEL_TERMINATION, 3},
	{"expir", GD_LABEL_TERMINATION, 2},
	{"notice", GD_LABEL_TERMINATION, 1},
	{"renew", GD_LABEL_TERMINATION, 1},
	{"liab", GD_LABEL_LIABILITY, 3},
	{"indemn", GD_LABEL_LIABILITY, 3},
	{"damage", GD_LABEL_LIABILITY, 2},
	{"loss", GD_LABEL_LIABILITY, 1},
	{"confidential", GD_LABEL_CONFIDENTIALITY, 3},
	{"disclos", GD_LABEL_CONFIDENTIALITY, 2},
	{"secret", GD_LABEL_CONFIDENTIALITY, 2},
	{"pay", GD_LABEL_PAYMENT, 3},
	{"fee", GD_LABEL_PAYMENT, 2},
	{"invoice", GD_LABEL_PAYMENT, 2},
	{"interest", GD_LABEL_PAYMENT, 1},
};

int gd_classify_clause(const char *clause, size_t len)
{
	int score[GD_LABEL_COUNT] = {0};
	size_t i = 0;
	while (i < len) {
		while (i < len && !isalpha((unsigned char)clause[i]))
			i++;
		char word[32];
		size_t n = 0;
		while (i < len && isalpha((unsigned char)clause[i])) {
			if (n + 1 < sizeof(word))
				word[n++] =
					(char)tolower((unsigned char)clause[i]);
			i++;
		}
		word[n] = '\0';
		for (size_t k = 0;
		     n && k < sizeof(keywords) / sizeof(keywords[0]); k++)
			if (strncmp(word, keywords[k].stem,
				    strlen(keywords[k].stem)) == 0)
				score[keywords[k].label] += keywords[k].weight;
	}
	int best = GD_LABEL_OTHER, best_score = 0;
	for (int l = 0; l < GD_LABEL_COUNT; l++)
		if (score[l] > best_score) {
			best = l;
			best_score = score[l];
		}
	return best;
}

void gd_doc_result_init(gd_doc_result *r)
{
	memset(r, 0, sizeof(*r));
	r->digest = UINT64_C(0xcbf29ce484222325);
}

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

void gd_doc_result_add(gd_doc_result *r, const char *clause, size_t len,
		       int label)
{
	r->clauses++;
	r->counts[label]++;
	unsigned char l = (unsigned char)label;
	r->digest = fnv(r->digest, &l, 1);
	r->digest = fnv(r->digest, clause, len);
}

unsigned gd_classify_document(const char *text, size_t len, gd_doc_result *r)
{
	unsigned n = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		if (end > i) {
			gd_doc_result_add(
				r, text + i, end - i,
				gd_classify_clause(text + i, end - i));
			n++;
		}
		i = end + 1;
	}
	return n;
}

int gd_doc_result_format(const gd_doc_result *r, const char *job, char *buf,
			 size_t size)
{
	/* Keys sorted, labels sorted: the same bytes from job and oracle. */
	int n = snprintf(
		buf, size,
		"{\"clauses\":%u,\"digest\":\"%016llx\",\"job\":\"%s\",\"labels\":{",
		r->clauses, (unsigned long long)r->digest, job);
	for (int k = 0; k < GD_LABEL_COUNT; k++) {
		int l = by_name[k];
		n += snprintf(buf + (n < (int)size ? n : (int)size),
			      size > (size_t)n ? size - (size_t)n : 0,
			      "%s\"%s\":%u", k ? "," : "", gd_label_names[l],
			      r->counts[l]);
	}
	n += snprintf(buf + (n < (int)size ? n : (int)size),
		      size > (size_t)n ? size - (size_t)n : 0, "}}\n");
	return n;
}
