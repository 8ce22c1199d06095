/* Test tool: writes a job's generated document and its expected output,
 * as gameday's oracle computes them.
 *   gd_oracle SEED JOB_ID DOCUMENT_OUT EXPECTED_OUT */
#include "workload/classify.h"
#include "workload/corpus.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr,
			"usage: gd_oracle SEED JOB_ID DOCUMENT_OUT EXPECTED_OUT\n");
		return 2;
	}
	size_t len;
	char *doc =
		gd_corpus_document(strtoull(argv[1], NULL, 10), argv[2], &len);
	FILE *f = fopen(argv[3], "w");
	if (!f || fwrite(doc, 1, len, f) != len || fclose(f) != 0) {
		perror(argv[3]);
		return 1;
	}
	gd_doc_result r;
	gd_doc_result_init(&r);
	gd_classify_document(doc, len, &r);
	char out[1024];
	int n = gd_doc_result_format(&r, argv[2], out, sizeof(out));
	f = fopen(argv[4], "w");
	if (!f || fwrite(out, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0) {
		perror(argv[4]);
		return 1;
	}
	free(doc);
	return 0;
}
