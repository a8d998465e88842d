/* panicsage web: the triage page.  web.c serves HTTPS (mbedTLS) and
 * decides who is asking; web_pages.c writes the pages and takes the
 * forms; web_req.c parses requests, web_html.c writes HTML and SVG,
 * web_auth.c makes and checks tokens. */
#ifndef PS_TOOLS_COLLECTOR_WEB_H
#define PS_TOOLS_COLLECTOR_WEB_H

#include "tools/collector/web_auth.h"
#include "tools/collector/web_html.h"
#include "tools/collector/web_req.h"

struct store;

/* One request, authenticated (or not: then only the login form). */
struct web_ctx {
	struct store *db;
	const struct web_auth *auth;
	const struct web_req *req;
	const char *body;            /* a POST's form, body_len bytes */
	size_t body_len;
	int authed;                  /* certificate, bearer token or session cookie */
	int by_cert;                 /* the certificate: `who` is its subject */
	char who[160];               /* "labelled by" */
	char csrf[WEB_HEX];          /* the forms' token for this session */
	int64_t now;                 /* Unix seconds */
	/* the answer */
	int status;
	struct web_out out;
	char location[400];          /* a 303's target */
	char cookie[200];            /* a Set-Cookie value */
};

/* Answers c->req: the page (status 200), a redirect after a form (303),
 * or an error page (4xx, 500). */
void web_route(struct web_ctx *c);

/* An error page: status and a message (escaped). */
void web_error(struct web_ctx *c, int status, const char *msg);
const char *web_status_text(int status);

#endif
