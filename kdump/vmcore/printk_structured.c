/* The structured log buffer (Linux 3.5 - 5.9).
 *
 * log_buf holds variable-length records: a struct printk_log header
 * (ts_nsec, len, text_len, dict_len, ...; its size and offsets come
 * from VMCOREINFO, as SIZE(printk_log) or, before 3.11, SIZE(log)),
 * then the text, the dictionary and padding, len bytes in all.  The
 * live records run from log_first_idx to log_next_idx; a header with
 * len == 0 marks the end of the used part and sends the walk back to
 * index 0.
 *
 * vmcore-dmesg prints that wrap marker as an empty record, whose header
 * the kernel zeroed: "[    0.000000] ".  We do the same, so the output
 * stays byte-identical.
 *
 * The walk is bounded by construction: indices only grow, except for
 * one wrap, which is allowed only when log_first_idx > log_next_idx;
 * a record must end before log_next_idx (or before the end of the
 * buffer, ahead of the wrap). */
#include "kdump/vmcore/vmcore_int.h"

#include "core/status.h"

struct st_keys {
	uint64_t log_buf_sym, log_buf_len_sym, first_sym, next_sym;
	int64_t hdr, ts, len, text_len;
};

static int st_read_keys(struct vmcore *vm, struct st_keys *k)
{
	static const char *const names[] = { "printk_log", "log" };
	char key[64];
	const char *name = NULL;
	unsigned i;

	if (!vm_info_hex(vm, "SYMBOL(log_buf)", &k->log_buf_sym))
		return vm_fail(vm, "VMCOREINFO lacks SYMBOL(log_buf)");
	if (!vm_info_hex(vm, "SYMBOL(log_buf_len)", &k->log_buf_len_sym))
		return vm_fail(vm, "VMCOREINFO lacks SYMBOL(log_buf_len)");
	if (!vm_info_hex(vm, "SYMBOL(log_first_idx)", &k->first_sym))
		return vm_fail(vm, "VMCOREINFO lacks SYMBOL(log_first_idx)");
	if (!vm_info_hex(vm, "SYMBOL(log_next_idx)", &k->next_sym))
		return vm_fail(vm, "VMCOREINFO lacks SYMBOL(log_next_idx)");
	for (i = 0; i < 2 && !name; i++) {
		vm_fmt(key, sizeof key, "SIZE(%s)", names[i]);
		if (vm_info_dec(vm, key, &k->hdr))
			name = names[i];
	}
	if (!name)
		return vm_fail(vm, "VMCOREINFO lacks SIZE(printk_log)");
	vm_fmt(key, sizeof key, "OFFSET(%s.ts_nsec)", name);
	if (!vm_info_dec(vm, key, &k->ts))
		return vm_fail(vm, "VMCOREINFO lacks %s", key);
	vm_fmt(key, sizeof key, "OFFSET(%s.len)", name);
	if (!vm_info_dec(vm, key, &k->len))
		return vm_fail(vm, "VMCOREINFO lacks %s", key);
	vm_fmt(key, sizeof key, "OFFSET(%s.text_len)", name);
	if (!vm_info_dec(vm, key, &k->text_len))
		return vm_fail(vm, "VMCOREINFO lacks %s", key);
	if (k->hdr < 4 || k->hdr > 4096 || k->ts < 0 || k->ts + 8 > k->hdr ||
	    k->len < 0 || k->len + 2 > k->hdr || k->text_len < 0 || k->text_len + 2 > k->hdr)
		return vm_fail(vm, "VMCOREINFO: printk_log fields do not fit SIZE(%s)=%u", name,
			       (unsigned long long)k->hdr);
	return PS_OK;
}

int printk_structured(struct vmcore *vm, struct vm_out *o)
{
	struct st_keys k;
	uint64_t log_buf, buf_len, first, next, idx;
	int must_wrap, wrapped = 0, rc;
	uint64_t steps = 0, max_steps;

	rc = st_read_keys(vm, &k);
	if (rc)
		return rc;
	if ((rc = vm_read_uint(vm, WIN_META, k.log_buf_sym, vm->ptr, &log_buf)) ||
	    (rc = vm_read_uint(vm, WIN_META, k.log_buf_len_sym, 4, &buf_len)) ||
	    (rc = vm_read_uint(vm, WIN_META, k.first_sym, 4, &first)) ||
	    (rc = vm_read_uint(vm, WIN_META, k.next_sym, 4, &next)))
		return vm_fail(vm, "cannot read the log_buf variables at 0x%x: %s",
			       (unsigned long long)vm->err_addr, vm_read_error(vm, rc));
	if (buf_len == 0 || buf_len > 0x80000000u)
		return vm_fail(vm, "log_buf_len %u is out of range", (unsigned long long)buf_len);
	if (first >= buf_len || next >= buf_len)
		return vm_fail(vm, "log_first_idx %u / log_next_idx %u outside log_buf (%u bytes)",
			       (unsigned long long)first, (unsigned long long)next,
			       (unsigned long long)buf_len);
	must_wrap = first > next;
	/* every step but the wrap consumes at least a header */
	max_steps = buf_len / (uint64_t)k.hdr + 2;

	for (idx = first; idx != next && !o->status; steps++) {
		uint64_t rec = log_buf + idx, len, text_len, ts, limit;

		if (steps > max_steps) {
			vm_warn(vm, "log_buf: walk did not reach log_next_idx %u",
				(unsigned long long)next);
			break;
		}
		if (idx + (uint64_t)k.hdr > buf_len) {
			vm_warn(vm, "log_buf: record header at index %u runs past the end of log_buf",
				(unsigned long long)idx);
			break;
		}
		if ((rc = vm_read_uint(vm, WIN_TEXT, rec + (uint64_t)k.len, 2, &len)) ||
		    (rc = vm_read_uint(vm, WIN_TEXT, rec + (uint64_t)k.ts, 8, &ts)) ||
		    (rc = vm_read_uint(vm, WIN_TEXT, rec + (uint64_t)k.text_len, 2, &text_len))) {
			vm_warn(vm, "log_buf: cannot read the record at index %u: %s",
				(unsigned long long)idx, vm_read_error(vm, rc));
			break;
		}
		if (len == 0) {
			if (!must_wrap || wrapped) {
				vm_warn(vm, "log_buf: unexpected end-of-buffer marker at index %u",
					(unsigned long long)idx);
				break;
			}
			/* vmcore-dmesg shows the (zeroed) marker as a record */
			out_ts(o, ts);
			out_raw(o, "\n", 1);
			vm->st->records++;
			wrapped = 1;
			idx = 0;
			continue;
		}
		limit = must_wrap && !wrapped ? buf_len : next;
		if (len < (uint64_t)k.hdr || idx + len > limit) {
			vm->st->skipped++;
			vm_warn(vm, "log_buf: record at index %u has length %u, past %s",
				(unsigned long long)idx, (unsigned long long)len,
				limit == next ? "log_next_idx" : "the end of log_buf");
			break;
		}
		if ((uint64_t)k.hdr + text_len > len) {
			vm->st->skipped++;
			vm_warn(vm, "log_buf: record at index %u has text_len %u beyond its length %u",
				(unsigned long long)idx, (unsigned long long)text_len,
				(unsigned long long)len);
		} else {
			rc = out_record_from(vm, o, WIN_TEXT, ts, rec + (uint64_t)k.hdr,
					     (size_t)text_len);
			if (rc) {
				vm->st->skipped++;
				vm_warn(vm, "log_buf: cannot read the text at index %u: %s",
					(unsigned long long)idx, vm_read_error(vm, rc));
			} else {
				vm->st->records++;
			}
		}
		idx += len;
	}
	return PS_OK;
}
