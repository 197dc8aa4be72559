/* The status page's files, embedded at build time (scripts/embed-web.sh). */
#ifndef DS_CONTROL_WEB_H
#define DS_CONTROL_WEB_H

#include <stddef.h>

struct ds_web_file {
	const char *path;             /* the one path segment it is served at; "" for / */
	const char *ctype;
	const char *data;
	size_t len;
};

extern const struct ds_web_file ds_web_files[];
extern const unsigned ds_web_n;

#endif
