/* Writing a JSON document to a file (jansson). */
#ifndef SMCLAT_COMMON_JSON_FILE_H
#define SMCLAT_COMMON_JSON_FILE_H

#include <jansson.h>

/* Writes j (indented) to path through a temporary file and a rename. 0 or -1 (errno). */
int sm_json_write_file(json_t *j, const char *path);

#endif
