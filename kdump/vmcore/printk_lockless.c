/* The lockless printk ring buffer (Linux 5.10 and later).
 *
 * struct printk_ringbuffer holds a descriptor ring and a text data
 * ring.  Descriptor i (of 2^count_bits) has a state word, state_var =
 * 2 state bits on top of a record id, and the logical positions
 * [begin, next) of its text block; infos[i] has the timestamp and
 * text_len.  Ids grow by one per record and wrap below 2^(bits-2); the
 * first one is -(count + 1), so they start near the top of that range.
 * Text blocks start with the record id (an unsigned long); a block that
 * would cross the end of the data ring is stored at its start instead.
 * A record is readable when its state is committed or finalized and
 * its state word carries the id being looked for.
 *
 * The walk visits the ids from tail_id to head_id, never more than the
 * ring holds.  Layouts come from VMCOREINFO's SIZE()/OFFSET() lines. */
#include "kdump/vmcore/vmcore_int.h"

#include "core/status.h"

enum { DESC_RESERVED = 0, DESC_COMMITTED = 1, DESC_FINALIZED = 2, DESC_REUSABLE = 3 };

/* A descriptor is read whole into a buffer this big (it is 24 bytes on
 * 64-bit kernels, 12 on 32-bit). */
#define MAX_DESC 256

/* Give up after this many unreadable descriptors in a row (a dump cut
 * short before the descriptor array): each one costs a segment search. */
#define MAX_UNREADABLE_RUN 256

struct lk_keys {
	int64_t rb_desc_ring, rb_text_ring;
	int64_t dr_count_bits, dr_descs, dr_infos, dr_head_id, dr_tail_id;
	int64_t desc_size, desc_state_var, desc_lpos, lpos_begin, lpos_next;
	int64_t info_size, info_ts, info_text_len;
	int64_t tr_size_bits, tr_data;
	int64_t counter;
	int have_tail;
};

static const struct {
	const char *key;
	size_t at;
} lk_required[] = {
#define K(name, field) { name, offsetof(struct lk_keys, field) }
	K("OFFSET(printk_ringbuffer.desc_ring)", rb_desc_ring),
	K("OFFSET(printk_ringbuffer.text_data_ring)", rb_text_ring),
	K("OFFSET(prb_desc_ring.count_bits)", dr_count_bits),
	K("OFFSET(prb_desc_ring.descs)", dr_descs),
	K("OFFSET(prb_desc_ring.infos)", dr_infos),
	K("OFFSET(prb_desc_ring.head_id)", dr_head_id),
	K("SIZE(prb_desc)", desc_size),
	K("OFFSET(prb_desc.state_var)", desc_state_var),
	K("OFFSET(prb_desc.text_blk_lpos)", desc_lpos),
	K("OFFSET(prb_data_blk_lpos.begin)", lpos_begin),
	K("OFFSET(prb_data_blk_lpos.next)", lpos_next),
	K("SIZE(printk_info)", info_size),
	K("OFFSET(printk_info.ts_nsec)", info_ts),
	K("OFFSET(printk_info.text_len)", info_text_len),
	K("OFFSET(prb_data_ring.size_bits)", tr_size_bits),
	K("OFFSET(prb_data_ring.data)", tr_data),
#undef K
};

/* Reads the layout; PS_OK or PS_EFORMAT naming what is missing. */
static int lk_read_keys(struct vmcore *vm, struct lk_keys *k)
{
	char missing[160];
	size_t i, nmiss = 0;
	unsigned L = vm->ptr;

	missing[0] = '\0';
	for (i = 0; i < sizeof lk_required / sizeof lk_required[0]; i++) {
		int64_t *v = (int64_t *)((char *)k + lk_required[i].at);

		if (!vm_info_dec(vm, lk_required[i].key, v) || *v < 0 || *v > 65536) {
			if (!nmiss++)
				vm_fmt(missing, sizeof missing, "%s", lk_required[i].key);
		}
	}
	if (nmiss)
		return vm_fail(vm, "VMCOREINFO lacks %s%s for the lockless printk ring", missing,
			       nmiss > 1 ? " (and more)" : "");
	k->have_tail = vm_info_dec(vm, "OFFSET(prb_desc_ring.tail_id)", &k->dr_tail_id) &&
		       k->dr_tail_id >= 0 && k->dr_tail_id <= 65536;
	if (!vm_info_dec(vm, "OFFSET(atomic_long_t.counter)", &k->counter) ||
	    k->counter < 0 || k->counter > 64)
		k->counter = 0;
	/* every field must lie inside its structure */
	if (k->desc_state_var + k->counter + L > k->desc_size ||
	    k->desc_lpos + k->lpos_begin + L > k->desc_size ||
	    k->desc_lpos + k->lpos_next + L > k->desc_size)
		return vm_fail(vm, "VMCOREINFO: prb_desc fields do not fit SIZE(prb_desc)=%u",
			       (unsigned long long)k->desc_size);
	if (k->info_ts + 8 > k->info_size || k->info_text_len + 2 > k->info_size)
		return vm_fail(vm, "VMCOREINFO: printk_info fields do not fit SIZE(printk_info)=%u",
			       (unsigned long long)k->info_size);
	if (k->desc_size > MAX_DESC)
		return vm_fail(vm, "VMCOREINFO: SIZE(prb_desc)=%u is implausible",
			       (unsigned long long)k->desc_size);
	return PS_OK;
}

static int read_ulong(struct vmcore *vm, int w, uint64_t va, uint64_t *out)
{
	return vm_read_uint(vm, w, va, vm->ptr, out);
}

int printk_lockless(struct vmcore *vm, struct vm_out *o)
{
	struct lk_keys k;
	unsigned L = vm->ptr, bits = 8 * L;
	uint64_t um = L == 8 ? UINT64_MAX : 0xffffffffu;
	uint64_t id_mask = ((uint64_t)1 << (bits - 2)) - 1;
	uint64_t prb_sym, rb, dr, tr, descs, infos, data, head, tail = 0;
	uint64_t count, size, start, n, i, unreadable_run = 0;
	uint64_t count_bits, size_bits;
	int64_t info_lo, info_hi;
	int rc;

	rc = lk_read_keys(vm, &k);
	if (rc)
		return rc;
	if (!vm_info_hex(vm, "SYMBOL(prb)", &prb_sym))
		return vm_fail(vm, "VMCOREINFO: bad SYMBOL(prb)");
	rc = vm_read_uint(vm, WIN_META, prb_sym, L, &rb);
	if (rc || !rb) {
		uint64_t st_sym;

		if (!vm_info_hex(vm, "SYMBOL(printk_rb_static)", &st_sym))
			return vm_fail(vm, "cannot read the prb pointer at 0x%x: %s",
				       (unsigned long long)prb_sym,
				       rc ? vm_read_error(vm, rc) : "it is NULL");
		vm_warn(vm, "cannot read the prb pointer at 0x%x; using printk_rb_static",
			(unsigned long long)prb_sym);
		rb = st_sym;
	}
	dr = rb + (uint64_t)k.rb_desc_ring;
	tr = rb + (uint64_t)k.rb_text_ring;
	if ((rc = vm_read_uint(vm, WIN_META, dr + (uint64_t)k.dr_count_bits, 4, &count_bits)) ||
	    (rc = read_ulong(vm, WIN_META, dr + (uint64_t)k.dr_descs, &descs)) ||
	    (rc = read_ulong(vm, WIN_META, dr + (uint64_t)k.dr_infos, &infos)) ||
	    (rc = read_ulong(vm, WIN_META, dr + (uint64_t)(k.dr_head_id + k.counter), &head)) ||
	    (rc = vm_read_uint(vm, WIN_META, tr + (uint64_t)k.tr_size_bits, 4, &size_bits)) ||
	    (rc = read_ulong(vm, WIN_META, tr + (uint64_t)k.tr_data, &data)))
		return vm_fail(vm, "cannot read the printk_ringbuffer at 0x%x: %s",
			       (unsigned long long)rb, vm_read_error(vm, rc));
	if (k.have_tail &&
	    read_ulong(vm, WIN_META, dr + (uint64_t)(k.dr_tail_id + k.counter), &tail) != VM_OK)
		k.have_tail = 0;
	/* the kernel caps the log at 2^31 bytes; ids need 2 spare bits */
	if (count_bits > 30 || count_bits >= bits - 2)
		return vm_fail(vm, "printk ring: count_bits %u is out of range",
			       (unsigned long long)count_bits);
	if (size_bits < 3 || size_bits > 31)
		return vm_fail(vm, "printk ring: text data size_bits %u is out of range",
			       (unsigned long long)size_bits);
	info_lo = k.info_ts < k.info_text_len ? k.info_ts : k.info_text_len;
	info_hi = k.info_ts + 8 > k.info_text_len + 2 ? k.info_ts + 8 : k.info_text_len + 2;
	count = (uint64_t)1 << count_bits;
	size = (uint64_t)1 << size_bits;
	head &= id_mask;

	/* ids tail_id..head_id, at most the whole descriptor ring */
	start = (head - count + 1) & id_mask;
	n = count;
	if (k.have_tail) {
		uint64_t dist = (head - (tail & id_mask)) & id_mask;

		if (dist < count) {
			start = tail & id_mask;
			n = dist + 1;
		} else {
			vm_warn(vm, "printk ring: tail_id 0x%x and head_id 0x%x are inconsistent "
				"(the ring holds %u records); reading the newest %u",
				(unsigned long long)tail, (unsigned long long)head,
				(unsigned long long)count, (unsigned long long)count);
		}
	}

	for (i = 0; i < n && !o->status; i++) {
		uint64_t id = (start + i) & id_mask, slot = id & (count - 1);
		uint64_t desc = descs + slot * (uint64_t)k.desc_size;
		uint64_t info = infos + slot * (uint64_t)k.info_size;
		uint64_t sv, state, begin, next, ts, text_len, off = 0, blen;
		unsigned char d[MAX_DESC], inf[64];

		rc = vm_read(vm, WIN_META, desc, d, (size_t)k.desc_size);
		if (rc) {
			vm_warn(vm, "printk ring: cannot read descriptor %u at 0x%x: %s",
				(unsigned long long)slot, (unsigned long long)desc,
				vm_read_error(vm, rc));
			if (++unreadable_run >= MAX_UNREADABLE_RUN)
				break;
			continue;
		}
		unreadable_run = 0;
		sv = vm_get(vm, d + k.desc_state_var + k.counter, L);
		state = (sv >> (bits - 2)) & 3;
		if (state != DESC_COMMITTED && state != DESC_FINALIZED)
			continue;      /* being written, or recycled */
		if ((sv & id_mask) != id) {
			vm->st->skipped++;
			vm_warn(vm, "printk ring: descriptor %u holds id 0x%x where 0x%x belongs",
				(unsigned long long)slot, (unsigned long long)(sv & id_mask),
				(unsigned long long)id);
			continue;
		}
		begin = vm_get(vm, d + k.desc_lpos + k.lpos_begin, L);
		next = vm_get(vm, d + k.desc_lpos + k.lpos_next, L);
		if (info_hi - info_lo <= (int64_t)sizeof inf) {
			/* timestamp and text_len in one read */
			rc = vm_read(vm, WIN_INFO, info + (uint64_t)info_lo, inf,
				     (size_t)(info_hi - info_lo));
			ts = vm_get(vm, inf + (k.info_ts - info_lo), 8);
			text_len = vm_get(vm, inf + (k.info_text_len - info_lo), 2);
		} else if (!(rc = vm_read_uint(vm, WIN_INFO, info + (uint64_t)k.info_ts, 8, &ts))) {
			rc = vm_read_uint(vm, WIN_INFO, info + (uint64_t)k.info_text_len, 2, &text_len);
		}
		if (rc) {
			vm->st->skipped++;
			vm_warn(vm, "printk ring: cannot read record 0x%x: %s",
				(unsigned long long)id, vm_read_error(vm, rc));
			continue;
		}
		if (begin & 1) {
			/* data-less record (empty text, or its space could not
			 * be reserved): vmcore-dmesg prints it with no text */
			text_len = 0;
			off = 0;
		} else {
			uint64_t wb = begin >> size_bits, wn = next >> size_bits;

			if (begin % L || next % L) {
				blen = 0;
			} else if (wb == wn) {
				off = begin & (size - 1);
				blen = next - begin;
			} else if ((((begin + size) & um) >> size_bits) == wn) {
				off = 0;     /* wrapped: the data is at the ring's start */
				blen = next & (size - 1);
			} else {
				blen = 0;
			}
			if (blen < L || blen > size) {
				vm->st->skipped++;
				vm_warn(vm, "printk ring: record 0x%x has a bad text block [0x%x, 0x%x)",
					(unsigned long long)id, (unsigned long long)begin,
					(unsigned long long)next);
				continue;
			}
			off += L;       /* skip the block's id */
			blen -= L;
			if (text_len > blen) {
				vm_warn(vm, "printk ring: record 0x%x: text_len %u exceeds its %u-byte "
					"block; truncated", (unsigned long long)id,
					(unsigned long long)text_len, (unsigned long long)blen);
				text_len = blen;
			}
		}
		rc = out_record_from(vm, o, WIN_TEXT, ts, data + off, (size_t)text_len);
		if (rc) {
			vm->st->skipped++;
			vm_warn(vm, "printk ring: cannot read the text of record 0x%x at 0x%x: %s",
				(unsigned long long)id, (unsigned long long)vm->err_addr,
				vm_read_error(vm, rc));
			continue;
		}
		vm->st->records++;
	}
	return PS_OK;
}
