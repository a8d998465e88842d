#include "core/default_model.h"

#if defined(__has_include)
#if __has_include("model/default.psm")
#define PS_HAVE_DEFAULT_MODEL 1
#endif
#endif

#ifdef PS_HAVE_DEFAULT_MODEL
/* The assembler copies the file in; the Makefile makes this object
 * depend on model/default.psm. */
__asm__(".section .rodata.ps_default_model,\"a\"\n"
	".balign 64\n"
	"ps_default_model_begin:\n"
	".incbin \"model/default.psm\"\n"
	"ps_default_model_end:\n"
	".previous\n");
/* Hidden: the compiler then addresses them directly.  Through the GOT
 * (the default for PIE code), aarch64's GOT relocations lose the
 * addend of these local labels and both would read as the section's
 * start: a built-in model of 0 bytes. */
extern const unsigned char ps_default_model_begin[] __attribute__((visibility("hidden")));
extern const unsigned char ps_default_model_end[] __attribute__((visibility("hidden")));

const unsigned char *ps_default_model(size_t *len)
{
	*len = (size_t)(ps_default_model_end - ps_default_model_begin);
	return ps_default_model_begin;
}
#else
const unsigned char *ps_default_model(size_t *len)
{
	*len = 0;
	return 0;
}
#endif
