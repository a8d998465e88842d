/* The checks on what people attach to a bucket, shared by `panicsage
 * label` and the web page (tools/collector/texts.c). */
#ifndef PS_TOOLS_COLLECTOR_TEXTS_H
#define PS_TOOLS_COLLECTOR_TEXTS_H

#include <stddef.h>

#define TEXT_BY_MAX 128

/* UTF-8 below is core/utf8.h's strict UTF-8 with NUL rejected (the texts
 * are C strings, so a NUL could not be in them anyway).  */

/* A resolution text: UTF-8 without control characters (C0, DEL, C1), at
 * most max bytes; with url, printable ASCII without spaces starting
 * http:// or https://.  NULL when fine, else what is wrong. */
const char *text_check(const char *s, size_t max, int url);

/* A "labelled by" name: 1 to TEXT_BY_MAX bytes, UTF-8, no control
 * characters.  NULL or what is wrong. */
const char *text_check_by(const char *s);

#endif
