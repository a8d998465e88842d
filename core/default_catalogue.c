#include "core/default_catalogue.h"

#if defined(__has_include)
#if __has_include("model/catalogue.tsv")
#define PS_HAVE_DEFAULT_CATALOGUE 1
#endif
#endif

#ifdef PS_HAVE_DEFAULT_CATALOGUE
/* The assembler copies the file in; the Makefile makes this object
 * depend on model/catalogue.tsv. */
__asm__(".section .rodata.ps_default_catalogue,\"a\"\n"
	".balign 16\n"
	"ps_default_catalogue_begin:\n"
	".incbin \"model/catalogue.tsv\"\n"
	"ps_default_catalogue_end:\n"
	".previous\n");
extern const char ps_default_catalogue_begin[], ps_default_catalogue_end[];

const char *ps_default_catalogue(size_t *len)
{
	*len = (size_t)(ps_default_catalogue_end - ps_default_catalogue_begin);
	return ps_default_catalogue_begin;
}
#else
const char *ps_default_catalogue(size_t *len)
{
	*len = 0;
	return 0;
}
#endif
