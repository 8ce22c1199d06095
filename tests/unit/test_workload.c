#include "unit.h"

#include "workload/classify.h"
#include "workload/corpus.h"

#include <stdio.h>
#include <stdlib.h>

static void documents_are_reproducible_and_varied(void **state)
{
	(void)state;
	size_t a_len, b_len, c_len;
	char *a = gd_corpus_document(7, "jobs-01", &a_len);
	char *b = gd_corpus_document(7, "jobs-01", &b_len);
	char *c = gd_corpus_document(7, "jobs-02", &c_len);
	assert_int_equal(a_len, b_len);
	assert_memory_equal(a, b, a_len);
	assert_false(a_len == c_len && memcmp(a, c, a_len) == 0);
	free(a);
	free(b);
	free(c);

	unsigned min = ~0u, max = 0;
	for (int i = 0; i < 200; i++) {
		char id[32];
		snprintf(id, sizeof(id), "j-%d", i);
		size_t len;
		char *d = gd_corpus_document(1, id, &len);
		unsigned lines = 0;
		for (size_t k = 0; k < len; k++)
			lines += d[k] == '\n';
		free(d);
		if (lines < min)
			min = lines;
		if (lines > max)
			max = lines;
	}
	/* 20 to about 400 clauses, and the spread really used */
	assert_true(min >= 20 && min < 40);
	assert_true(max > 200 && max <= 420);
}

static void clauses_get_the_label_their_words_say(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int label;
	} cases[] = {
		{"The Customer shall pay all fees within 30 days.",
		 GD_LABEL_PAYMENT},
		{"Either party may terminate this Agreement on notice.",
		 GD_LABEL_TERMINATION},
		{"The Supplier is liable for damages and shall indemnify.",
		 GD_LABEL_LIABILITY},
		{"The Receiving Party shall not disclose confidential information.",
		 GD_LABEL_CONFIDENTIALITY},
		{"The Contractor undertakes to deliver.", GD_LABEL_OBLIGATION},
		{"Headings are for convenience only.", GD_LABEL_OTHER},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int l = gd_classify_clause(cases[i].text,
					   strlen(cases[i].text));
		if (l != cases[i].label)
			fail_msg("\"%s\": %s, expected %s", cases[i].text,
				 gd_label_names[l],
				 gd_label_names[cases[i].label]);
	}
}

static void results_format_canonically(void **state)
{
	(void)state;
	const char *doc =
		"1. Each party shall pay the fee.\n2. Nothing here.\n";
	gd_doc_result r;
	gd_doc_result_init(&r);
	assert_int_equal(gd_classify_document(doc, strlen(doc), &r), 2);
	char out[512];
	gd_doc_result_format(&r, "jobs-1", out, sizeof(out));
	/* keys and labels sorted, one line */
	assert_non_null(strstr(out, "{\"clauses\":2,\"digest\":\""));
	assert_non_null(strstr(
		out,
		"\"job\":\"jobs-1\",\"labels\":{\"confidentiality\":0,\"liability\":0,\"obligation\":0,\"other\":1,\"payment\":1,\"termination\":0}}\n"));

	/* the digest covers order and text: swapping clauses changes it */
	const char *swapped =
		"2. Nothing here.\n1. Each party shall pay the fee.\n";
	gd_doc_result s;
	gd_doc_result_init(&s);
	gd_classify_document(swapped, strlen(swapped), &s);
	assert_true(s.digest != r.digest);
	assert_memory_equal(s.counts, r.counts, sizeof(r.counts));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(documents_are_reproducible_and_varied),
		cmocka_unit_test(clauses_get_the_label_their_words_say),
		cmocka_unit_test(results_format_canonically),
	};
	return cmocka_run_group_tests_name("workload", tests, NULL, NULL);
}
