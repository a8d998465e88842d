/* The plain character ring (before Linux 3.5).
 *
 * log_buf is a ring of log_buf_len bytes of console text ("<6>[ ts]
 * message\n..."); log_end counts every byte ever written (an unsigned
 * int that wraps), so the newest byte is at (log_end - 1) % log_buf_len.
 * Like vmcore-dmesg (and crash), print the last min(log_end,
 * log_buf_len) bytes as they are, whatever logged_chars says (it is
 * zero after dmesg -c). */
#include "kdump/vmcore/vmcore_int.h"

#include "core/status.h"

/* after a failed read, retry in pieces this small */
#define SMALL_CHUNK 256

int printk_plain(struct vmcore *vm, struct vm_out *o)
{
	uint64_t log_buf_sym, len_sym, end_sym, log_buf, buf_len, log_end;
	uint64_t logged, pos, left, unreadable = 0, small_left = 0;
	unsigned char chunk[4096];
	int rc;

	if (!vm_info_hex(vm, "SYMBOL(log_buf)", &log_buf_sym))
		return vm_fail(vm, "VMCOREINFO lacks SYMBOL(log_buf)");
	if (!vm_info_hex(vm, "SYMBOL(log_buf_len)", &len_sym))
		return vm_fail(vm, "VMCOREINFO lacks SYMBOL(log_buf_len)");
	if (!vm_info_hex(vm, "SYMBOL(log_end)", &end_sym))
		return vm_fail(vm, "VMCOREINFO has neither SYMBOL(prb), SYMBOL(log_first_idx) "
			       "nor SYMBOL(log_end): no known printk format");
	if ((rc = vm_read_uint(vm, WIN_META, log_buf_sym, vm->ptr, &log_buf)) ||
	    (rc = vm_read_uint(vm, WIN_META, len_sym, 4, &buf_len)) ||
	    (rc = vm_read_uint(vm, WIN_META, end_sym, 4, &log_end)))
		return vm_fail(vm, "cannot read the log_buf variables at 0x%x: %s",
			       (unsigned long long)vm->err_addr, vm_read_error(vm, rc));
	/* log_buf_len is an int */
	if (buf_len == 0 || buf_len >= 0x80000000u)
		return vm_fail(vm, "log_buf_len %u is out of range", (unsigned long long)buf_len);
	logged = log_end < buf_len ? log_end : buf_len;
	pos = (log_end - logged) % buf_len;   /* 0 until the ring wrapped */
	for (left = logged; left && !o->status;) {
		uint64_t take = small_left ? SMALL_CHUNK : sizeof chunk;
		uint64_t i;

		if (take > left)
			take = left;
		if (take > buf_len - pos)
			take = buf_len - pos;
		rc = vm_read(vm, WIN_TEXT, log_buf + pos, chunk, (size_t)take);
		if (rc && !small_left && take > SMALL_CHUNK) {
			small_left = take;    /* go over that span in small pieces */
			continue;
		}
		small_left = small_left > take ? small_left - take : 0;
		if (rc) {
			/* a hole (truncated dump, page left out): skip it, the
			 * newest text may still be readable further on */
			if (!unreadable)
				vm_warn(vm, "log_buf: cannot read at 0x%x: %s; skipped",
					(unsigned long long)vm->err_addr, vm_read_error(vm, rc));
			unreadable += take;
		} else {
			out_raw(o, chunk, (size_t)take);
			for (i = 0; i < take; i++)
				vm->st->records += chunk[i] == '\n';
		}
		left -= take;
		pos = (pos + take) % buf_len;
	}
	return PS_OK;
}
