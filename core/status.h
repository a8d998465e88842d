/* Status codes shared by every layer.  Functions in core/ and model/
 * return one of these; callers turn them into messages and exit codes. */
#ifndef PS_STATUS_H
#define PS_STATUS_H

enum ps_status {
	PS_OK = 0,
	PS_ENOMEM,   /* the caller's arena is too small for this input */
	PS_EINPUT,   /* the input holds nothing usable (empty, binary, ...) */
	PS_EFULL,    /* a fixed-capacity table is full (not fatal) */
	PS_EMODEL,   /* model file missing, damaged or of the wrong version */
	PS_EFORMAT,  /* a structured input (vmcore, frame) is malformed */
	PS_ERANGE,   /* a parameter is out of its allowed range */
	PS_EOUTPUT,  /* the output buffer is too small */
};

/* A short human-readable description of a status code. */
const char *ps_status_str(int status);

#endif
