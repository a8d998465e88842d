#include "core/status.h"

const char *ps_status_str(int status)
{
	switch (status) {
	case PS_OK:      return "success";
	case PS_ENOMEM:  return "working memory (arena) too small for this input";
	case PS_EINPUT:  return "input holds no usable log lines";
	case PS_EFULL:   return "a fixed-capacity table is full";
	case PS_EMODEL:  return "model file is damaged or of the wrong version";
	case PS_EFORMAT: return "malformed structured input";
	case PS_ERANGE:  return "parameter out of range";
	case PS_EOUTPUT: return "output buffer too small";
	}
	return "unknown status";
}
