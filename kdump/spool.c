/* The spool: one file per case, named <case id>.case, holding the CASE
 * frame exactly as it is sent.  Files are created durably and removed
 * after the collector acknowledged them; a file that is corrupt is
 * renamed to .bad and one the collector rejected to .rejected.  The
 * only other removal is the bound (kdump_spool_bound): over its count
 * or bytes, the entries set aside and then the oldest cases go, each
 * one said by the caller. */
#include "kdump/spool.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/frame.h"
#include "port/port.h"

/* a CASE frame starts with its header, the case id, then the capture
 * time (u64, little-endian) */
#define CAPTURE_AT (PS_FRAME_HEADER + PS_FRAME_ID_LEN)

int kdump_spool_dirs(const struct kdump_config *cfg, struct kdump_spool *sp)
{
	memset(sp, 0, sizeof *sp);
	if (cfg->spool[0]) {
		snprintf(sp->dir[0], sizeof sp->dir[0], "%s", cfg->spool);
		sp->ndirs = 1;
	} else if (port_on_memory_fs(KDUMP_SPOOL_DISK_PARENT)) {
		/* an initramfs: its /var is gone after switch_root, /run
		 * moves into the root filesystem */
		snprintf(sp->dir[0], sizeof sp->dir[0], "%s", KDUMP_SPOOL_TMPFS);
		sp->ndirs = 1;
	} else {
		snprintf(sp->dir[0], sizeof sp->dir[0], "%s", KDUMP_SPOOL_DISK);
		snprintf(sp->dir[1], sizeof sp->dir[1], "%s", KDUMP_SPOOL_TMPFS);
		sp->ndirs = 2;
	}
	return 0;
}

int kdump_spool_write(struct kdump_spool *sp, const char *name, const void *data, size_t len,
		      int *dir_index, char *msg, size_t msglen)
{
	int i, err = 0;

	*dir_index = -1;
	for (i = 0; i < sp->ndirs; i++) {
		err = port_mkdir(sp->dir[i], 0700);
		if (!err)
			err = port_write_durable(sp->dir[i], name, data, len);
		if (!err) {
			*dir_index = i;
			return 0;
		}
		snprintf(msg, msglen, "cannot spool the case in %s: %s", sp->dir[i], port_strerror(err));
	}
	return err ? err : EIO;
}

static int is_case_name(const char *name)
{
	size_t n = strlen(name);

	return n == 64 + 5 && strcmp(name + 64, ".case") == 0 && strspn(name, "0123456789abcdef") == 64;
}

struct list_ctx {
	struct kdump_spool *sp;
	int dir;
	const char *skip;
};

static int list_one(void *ctx, const char *name)
{
	struct list_ctx *lc = ctx;
	struct kdump_spool *sp = lc->sp;

	if (!is_case_name(name) || (lc->skip && !strcmp(name, lc->skip)))
		return 0;
	if (sp->nfiles == KDUMP_SPOOL_MAX) {
		sp->more = 1;
		return 1;
	}
	sp->files[sp->nfiles].dir = lc->dir;
	memcpy(sp->files[sp->nfiles].name, name, 64 + 5 + 1);
	sp->nfiles++;
	return 0;
}

void kdump_spool_list(struct kdump_spool *sp, const char *skip)
{
	struct list_ctx lc = { sp, 0, skip };
	int i;

	sp->nfiles = 0;
	sp->more = 0;
	for (i = 0; i < sp->ndirs; i++) {
		lc.dir = i;
		port_dir_each(sp->dir[i], list_one, &lc);   /* a missing dir holds nothing */
	}
}

int kdump_spool_path(const struct kdump_spool *sp, int dir, const char *name, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s", sp->dir[dir], name);

	return n < 0 || (size_t)n >= cap ? ENAMETOOLONG : 0;
}

int kdump_spool_remove(const struct kdump_spool *sp, int dir, const char *name)
{
	return port_rename_durable(sp->dir[dir], name, NULL);
}

int kdump_spool_set_aside(const struct kdump_spool *sp, int dir, const char *name, const char *suffix)
{
	char to[128];

	if (snprintf(to, sizeof to, "%s%s", name, suffix) >= (int)sizeof to)
		return ENAMETOOLONG;
	return port_rename_durable(sp->dir[dir], name, to);
}

/* ---- the bound ---- */

#define BOUND_BATCH 64        /* oldest entries collected per pass */

struct bound_ctx {
	const struct kdump_spool *sp;
	int dir;
	const char *keep;
	uint64_t cases, bytes;
	struct kdump_spool_entry old[BOUND_BATCH];   /* oldest first */
	unsigned nold;
};

static struct bound_ctx bound;

/* 1 when e goes before f: set aside first, then captured earlier. */
static int older(const struct kdump_spool_entry *e, const struct kdump_spool_entry *f)
{
	if (e->aside != f->aside)
		return e->aside;
	if (e->capture_us != f->capture_us)
		return e->capture_us < f->capture_us;
	return strcmp(e->name, f->name) < 0;
}

static int entry_kind(const char *name)
{
	size_t n = strlen(name);
	char base[64 + 5 + 1];

	if (n < 64 + 5)
		return -1;
	memcpy(base, name, 64 + 5);
	base[64 + 5] = '\0';
	if (!is_case_name(base))
		return -1;
	if (n == 64 + 5)
		return 0;
	return !strcmp(name + 64 + 5, ".bad") || !strcmp(name + 64 + 5, ".rejected") ? 1 : -1;
}

static int bound_one(void *vctx, const char *name)
{
	struct bound_ctx *b = vctx;
	struct kdump_spool_entry e;
	struct port_file f;
	unsigned char head[CAPTURE_AT + 8];
	char path[KDUMP_PATH_LEN + 96];
	size_t got = 0;
	unsigned i;

	memset(&e, 0, sizeof e);
	if ((e.aside = entry_kind(name)) < 0 || (b->keep && !strcmp(name, b->keep)))
		return 0;
	e.dir = b->dir;
	snprintf(e.name, sizeof e.name, "%s", name);
	if (kdump_spool_path(b->sp, b->dir, name, path, sizeof path) || port_open(&f, path))
		return 0;     /* gone meanwhile */
	e.size = f.size;
	if (port_pread(&f, head, sizeof head, 0, &got) == 0 && got == sizeof head &&
	    memcmp(head, "PSGF", 4) == 0)
		for (i = 0; i < 8; i++)
			e.capture_us |= (uint64_t)head[CAPTURE_AT + i] << (8 * i);
	port_close(&f);
	b->cases++;
	b->bytes += e.size;
	/* keep the BOUND_BATCH oldest, oldest first */
	if (b->nold == BOUND_BATCH && !older(&e, &b->old[BOUND_BATCH - 1]))
		return 0;
	i = b->nold < BOUND_BATCH ? b->nold++ : BOUND_BATCH - 1;
	for (; i > 0 && older(&e, &b->old[i - 1]); i--)
		b->old[i] = b->old[i - 1];
	b->old[i] = e;
	return 0;
}

unsigned kdump_spool_bound(const struct kdump_spool *sp, uint32_t max_cases, uint64_t max_bytes,
			   const char *keep,
			   void (*dropped)(const void *ctx, const struct kdump_spool_entry *e,
					   uint64_t cases, uint64_t bytes),
			   const void *ctx)
{
	unsigned removed = 0, pass, i;

	/* each pass removes up to BOUND_BATCH; a spool grown by an older
	 * version may need several */
	for (pass = 0; pass < 1000; pass++) {
		uint64_t keep_cases = 0, keep_bytes = 0;
		int d, progress = 0;

		memset(&bound, 0, sizeof bound);
		bound.sp = sp;
		bound.keep = keep;
		for (d = 0; d < sp->ndirs; d++) {
			char path[KDUMP_PATH_LEN + 96];
			struct port_file f;

			bound.dir = d;
			port_dir_each(sp->dir[d], bound_one, &bound);
			if (keep && !kdump_spool_path(sp, d, keep, path, sizeof path) &&
			    port_open(&f, path) == 0) {
				keep_cases = 1;
				keep_bytes = f.size;
				port_close(&f);
			}
		}
		bound.cases += keep_cases;
		bound.bytes += keep_bytes;
		for (i = 0; i < bound.nold && (bound.cases > max_cases || bound.bytes > max_bytes); i++) {
			const struct kdump_spool_entry *e = &bound.old[i];

			if (port_rename_durable(sp->dir[e->dir], e->name, NULL) != 0)
				continue;
			if (dropped)
				dropped(ctx, e, bound.cases, bound.bytes);
			bound.cases--;
			bound.bytes -= e->size;
			removed++;
			progress = 1;
		}
		if (!progress || (bound.cases <= max_cases && bound.bytes <= max_bytes))
			break;
	}
	return removed;
}
