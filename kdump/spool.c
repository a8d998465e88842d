/* The spool: one file per case, named <case id>.case, holding the CASE
 * frame exactly as it is sent.  Files are created durably and removed
 * only after the collector acknowledged them; a file that is corrupt is
 * renamed to .bad and one the collector rejected to .rejected, so no
 * captured case is ever deleted unsent. */
#include "kdump/spool.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "port/port.h"

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
