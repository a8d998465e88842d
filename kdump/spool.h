/* The kdump spool directory (see kdump/spool.c). */
#ifndef PS_KDUMP_SPOOL_H
#define PS_KDUMP_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "kdump/upload.h"

#define KDUMP_SPOOL_DISK  "/var/spool/panicsage"
#define KDUMP_SPOOL_DISK_PARENT "/var/spool"   /* on tmpfs/ramfs: no disk spool */
#define KDUMP_SPOOL_TMPFS "/run/panicsage"
#define KDUMP_SPOOL_MAX   64      /* cases sent per run; the rest wait */

struct kdump_spool_file {
	int dir;
	char name[64 + 5 + 1];        /* <hex id>.case */
};

struct kdump_spool {
	char dir[2][KDUMP_PATH_LEN];  /* the configured one, or disk then tmpfs */
	int ndirs;
	struct kdump_spool_file files[KDUMP_SPOOL_MAX];
	int nfiles;
	int more;                     /* more files than KDUMP_SPOOL_MAX */
};

int kdump_spool_dirs(const struct kdump_config *cfg, struct kdump_spool *sp);
/* Writes dir/name durably in the first directory that takes it. */
int kdump_spool_write(struct kdump_spool *sp, const char *name, const void *data, size_t len,
		      int *dir_index, char *msg, size_t msglen);
/* Lists the spooled cases of every directory, except `skip`. */
void kdump_spool_list(struct kdump_spool *sp, const char *skip);
int kdump_spool_path(const struct kdump_spool *sp, int dir, const char *name, char *out, size_t cap);
int kdump_spool_remove(const struct kdump_spool *sp, int dir, const char *name);
/* Renames name to name+suffix (".bad", ".rejected"). */
int kdump_spool_set_aside(const struct kdump_spool *sp, int dir, const char *name, const char *suffix);

/* One entry of the spool: a case, or one set aside (.bad, .rejected). */
struct kdump_spool_entry {
	int dir;
	char name[64 + 5 + 10];       /* <hex id>.case[.bad|.rejected] */
	int aside;                    /* set aside: never sent again */
	uint64_t capture_us;          /* from the frame; 0 if unreadable */
	uint64_t size;
};

/* Keeps the spool (all its directories) within max_cases entries and
 * max_bytes bytes: drops the entries set aside first, then the cases
 * captured longest ago, never `keep` (the case just captured; NULL for
 * none), whose size counts all the same.  Calls dropped(ctx, entry,
 * cases, bytes) for each entry removed, with the totals before it went.
 * Returns how many were removed. */
unsigned kdump_spool_bound(const struct kdump_spool *sp, uint32_t max_cases, uint64_t max_bytes,
			   const char *keep,
			   void (*dropped)(const void *ctx, const struct kdump_spool_entry *e,
					   uint64_t cases, uint64_t bytes),
			   const void *ctx);

#endif
