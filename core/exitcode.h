/* Process exit codes of both binaries, documented in README.md.
 * Keep the numbers stable: scripts in initramfs images depend on them. */
#ifndef PS_EXITCODE_H
#define PS_EXITCODE_H

enum ps_exit {
	PS_EXIT_OK = 0,        /* report printed / command done */
	PS_EXIT_FAILURE = 1,   /* anything not covered below */
	PS_EXIT_USAGE = 2,     /* bad command line */
	PS_EXIT_IO = 3,        /* input or output file cannot be read or written */
	PS_EXIT_INPUT = 4,     /* input read but unusable: empty, binary, malformed */
	PS_EXIT_MODEL = 5,     /* model file missing, damaged or wrong version */
	PS_EXIT_NOMEM = 6,     /* working memory too small for this input */
	PS_EXIT_TIMEOUT = 7,   /* time budget ran out (capture kernel) */
	PS_EXIT_UPLOAD = 8,    /* upload failed; the case stays in the spool */
};

/* Exit code for a core status. */
static inline int ps_exit_for_status(int status)
{
	switch (status) {
	case 0: return PS_EXIT_OK;
	case 1: return PS_EXIT_NOMEM;    /* PS_ENOMEM */
	case 2: return PS_EXIT_INPUT;    /* PS_EINPUT */
	case 4: return PS_EXIT_MODEL;    /* PS_EMODEL */
	case 5: return PS_EXIT_INPUT;    /* PS_EFORMAT */
	case 6: return PS_EXIT_USAGE;    /* PS_ERANGE */
	}
	return PS_EXIT_FAILURE;
}

#endif
