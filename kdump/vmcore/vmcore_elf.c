/* ELF core files: headers, notes, VMCOREINFO, and reading the dead
 * kernel's memory by virtual address through the PT_LOAD headers. */
#include "kdump/vmcore/vmcore_int.h"

#include <string.h>

#include "core/buf.h"
#include "core/status.h"

#define PT_LOAD 1
#define PT_NOTE 4
#define ET_CORE 4
#define PN_XNUM 0xffff

#define EM_SPARC 2
#define EM_386 3
#define EM_PPC 20
#define EM_PPC64 21
#define EM_ARM 40
#define EM_SPARCV9 43
#define EM_IA_64 50
#define EM_X86_64 62
#define EM_AARCH64 183

/* x86_64: the kernel image is mapped at __START_KERNEL_map + phys - phys_base */
#define X86_64_START_KERNEL_MAP 0xffffffff80000000ull
#define X86_64_PAGE_OFFSET_L4 0xffff888000000000ull
#define X86_64_PAGE_OFFSET_L5 0xff11000000000000ull

/* arm64: how far from a kernel-image symbol an address is still taken to
 * be in the image (Debian's 6.1 image is ~35 MiB) */
#define A64_KIMAGE_SPAN (256ull << 20)

#define MAX_NOTE_SEGS 64
#define WIN_ALIGN 4096u

/* ---- messages ---------------------------------------------------------- */

static void put_hex(struct ps_buf *b, unsigned long long v)
{
	char tmp[16];
	size_t i = sizeof tmp;

	do {
		tmp[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	ps_buf_put(b, tmp + i, sizeof tmp - i);
}

void vm_vfmt(char *dst, size_t cap, const char *fmt, va_list ap)
{
	struct ps_buf b;
	const char *p;

	if (!cap)
		return;
	ps_buf_init(&b, dst, cap);
	for (p = fmt; *p; p++) {
		if (*p != '%' || !p[1]) {
			ps_buf_putc(&b, *p);
			continue;
		}
		switch (*++p) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			ps_buf_puts(&b, s ? s : "(null)");
			break;
		}
		case 'd':
			ps_buf_i64(&b, va_arg(ap, int));
			break;
		case 'u':
			ps_buf_u64(&b, va_arg(ap, unsigned long long));
			break;
		case 'x':
			put_hex(&b, va_arg(ap, unsigned long long));
			break;
		default:
			ps_buf_putc(&b, *p);
			break;
		}
	}
}

void vm_fmt(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vm_vfmt(dst, cap, fmt, ap);
	va_end(ap);
}

void vm_warn(struct vmcore *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm->st->warning[0])
		return;
	va_start(ap, fmt);
	vm_vfmt(vm->st->warning, sizeof vm->st->warning, fmt, ap);
	va_end(ap);
}

int vm_fail(struct vmcore *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vm_vfmt(vm->st->error, sizeof vm->st->error, fmt, ap);
	va_end(ap);
	return PS_EFORMAT;
}

const char *vm_read_error(const struct vmcore *vm, int rc)
{
	switch (rc) {
	case VM_EUNMAPPED: return "no PT_LOAD maps the address";
	case VM_ETRUNC: return "the file ends before it (truncated dump?)";
	case VM_EIO: return vm->err ? port_strerror(vm->err) : "read error";
	}
	return "ok";
}

/* ---- byte order ----------------------------------------------------------- */

uint64_t vm_get(const struct vmcore *vm, const void *p, unsigned n)
{
	const unsigned char *b = p;
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)b[vm->be ? n - 1 - i : i] << (8 * i);
	return v;
}

/* ---- file reads through windows --------------------------------------------- */

static int win_read(struct vmcore *vm, int w, uint64_t off, void *dst, size_t n)
{
	struct vm_win *win = &vm->win[w];
	unsigned char *d = dst;

	while (n) {
		if (off >= win->off && off - win->off < win->len) {
			size_t at = (size_t)(off - win->off);
			size_t take = win->len - at < n ? win->len - at : n;

			memcpy(d, win->buf + at, take);
			d += take;
			off += take;
			n -= take;
			continue;
		}
		{
			uint64_t start = off - off % WIN_ALIGN;
			size_t got = 0;
			int err;

			if (vm->fsize && off >= vm->fsize)
				return VM_ETRUNC;
			err = port_pread(vm->f, win->buf, win->cap, start, &got);
			win->off = start;
			win->len = got;
			if (err) {
				win->len = 0;
				vm->err = err;
				return VM_EIO;
			}
			if (off - start >= got)
				return VM_ETRUNC;
		}
	}
	return VM_OK;
}

/* ---- program headers -------------------------------------------------------- */

static void parse_phdr(const struct vmcore *vm, const unsigned char *p, uint32_t *type,
		       struct vm_seg *s)
{
	if (vm->elf64) {
		*type = (uint32_t)vm_get(vm, p, 4);
		s->off = vm_get(vm, p + 8, 8);
		s->vaddr = vm_get(vm, p + 16, 8);
		s->paddr = vm_get(vm, p + 24, 8);
		s->filesz = vm_get(vm, p + 32, 8);
		s->memsz = vm_get(vm, p + 40, 8);
	} else {
		*type = (uint32_t)vm_get(vm, p, 4);
		s->off = vm_get(vm, p + 4, 4);
		s->vaddr = vm_get(vm, p + 8, 4);
		s->paddr = vm_get(vm, p + 12, 4);
		s->filesz = vm_get(vm, p + 16, 4);
		s->memsz = vm_get(vm, p + 20, 4);
	}
	if (s->filesz > s->memsz)
		s->memsz = s->filesz;
}

/* Calls fn for every program header, reading them in chunks. */
static int for_each_phdr(struct vmcore *vm,
			 int (*fn)(struct vmcore *vm, uint32_t type, struct vm_seg *s, void *arg),
			 void *arg)
{
	uint32_t per = (uint32_t)(vm->phbuf_cap / vm->phentsize), i = 0;

	while (i < vm->phnum) {
		uint32_t k, cnt = vm->phnum - i < per ? vm->phnum - i : per;
		size_t got = 0;
		int err = port_pread(vm->f, vm->phbuf, (size_t)cnt * vm->phentsize,
				     vm->phoff + (uint64_t)i * vm->phentsize, &got);

		if (err) {
			vm->err = err;
			return VM_EIO;
		}
		if (got < (size_t)cnt * vm->phentsize)
			return VM_ETRUNC;
		for (k = 0; k < cnt; k++) {
			uint32_t type;
			struct vm_seg s;
			int r;

			parse_phdr(vm, vm->phbuf + (size_t)k * vm->phentsize, &type, &s);
			r = fn(vm, type, &s, arg);
			if (r)
				return r < 0 ? VM_OK : r;
		}
		i += cnt;
	}
	return VM_OK;
}

struct scan_load {
	uint64_t addr;
	int by_phys;
	struct vm_seg found;
	int hit;
};

static int seg_covers(const struct vm_seg *s, uint64_t addr, int by_phys)
{
	uint64_t base = by_phys ? s->paddr : s->vaddr;

	return s->memsz && addr >= base && addr - base < s->memsz;
}

static int scan_load_fn(struct vmcore *vm, uint32_t type, struct vm_seg *s, void *arg)
{
	struct scan_load *sl = arg;

	(void)vm;
	if (type == PT_LOAD && seg_covers(s, sl->addr, sl->by_phys)) {
		sl->found = *s;
		sl->hit = 1;
		return -1;   /* stop */
	}
	return 0;
}

static int find_seg(struct vmcore *vm, uint64_t addr, int by_phys, struct vm_seg *out)
{
	uint32_t i;
	struct scan_load sl;

	if (vm->last < vm->nseg && seg_covers(&vm->seg[vm->last], addr, by_phys)) {
		*out = vm->seg[vm->last];
		return 1;
	}
	for (i = 0; i < vm->nseg; i++)
		if (seg_covers(&vm->seg[i], addr, by_phys)) {
			vm->last = i;
			*out = vm->seg[i];
			return 1;
		}
	if (!vm->seg_partial)
		return 0;
	for (i = 0; i < vm->nrecent; i++)
		if (seg_covers(&vm->recent[i], addr, by_phys)) {
			*out = vm->recent[i];
			return 1;
		}
	sl.addr = addr;
	sl.by_phys = by_phys;
	sl.hit = 0;
	if (for_each_phdr(vm, scan_load_fn, &sl) != VM_OK || !sl.hit)
		return 0;
	vm->recent[vm->recent_next] = sl.found;
	vm->recent_next = (vm->recent_next + 1) % VM_RECENT;
	if (vm->nrecent < VM_RECENT)
		vm->nrecent++;
	*out = sl.found;
	return 1;
}

/* Virtual → physical for addresses no PT_LOAD maps by virtual address
 * (makedumpfile output without the kernel-text segment, cores whose
 * segments carry physical addresses only, arm64 cores whose kexec found
 * no _text and so wrote no kernel-image segment). */
static int virt_to_phys(const struct vmcore *vm, uint64_t va, uint64_t *pa)
{
	if (vm->a64) {
		if (va >= vm->a64_lin_start && (vm->a64_lin_end == 0 || va < vm->a64_lin_end)) {
			*pa = va - vm->a64_lin_start + vm->a64_phys_offset;
			return 1;
		}
		/* the kernel image: within A64_KIMAGE_SPAN of one of its
		 * symbols (elsewhere is vmalloc space, which no PT_LOAD has) */
		if (va - (vm->a64_kimage - A64_KIMAGE_SPAN) < 2 * A64_KIMAGE_SPAN) {
			*pa = va - vm->a64_kimage_voffset;
			return 1;
		}
		return 0;
	}
	if (vm->machine == EM_X86_64 && va >= X86_64_START_KERNEL_MAP) {
		*pa = va - X86_64_START_KERNEL_MAP + (vm->have_phys_base ? vm->phys_base : 0);
		return 1;
	}
	if (vm->have_page_offset && va >= vm->page_offset) {
		*pa = va - vm->page_offset;
		return 1;
	}
	return 0;
}

/* Where the byte at va is: file offset, bytes readable from there in
 * the same segment, then bytes that read as zero (p_memsz > p_filesz). */
static int translate(struct vmcore *vm, uint64_t va, uint64_t *off, uint64_t *file_avail,
		     uint64_t *zero_avail)
{
	struct vm_seg s;
	uint64_t addr = va, d;
	int by_phys = 0;

	if (!find_seg(vm, va, 0, &s)) {
		if (!virt_to_phys(vm, va, &addr) || !find_seg(vm, addr, 1, &s))
			return 0;
		by_phys = 1;
	}
	d = addr - (by_phys ? s.paddr : s.vaddr);
	if (d < s.filesz) {
		*off = s.off + d;
		*file_avail = s.filesz - d;
		*zero_avail = s.memsz - s.filesz;
	} else {
		*off = 0;
		*file_avail = 0;
		*zero_avail = s.memsz - d;
	}
	return 1;
}

int vm_read(struct vmcore *vm, int w, uint64_t va, void *dst, size_t n)
{
	unsigned char *d = dst;

	while (n) {
		uint64_t off, fa, za;
		size_t take;

		if (!translate(vm, va, &off, &fa, &za)) {
			vm->err_addr = va;
			return VM_EUNMAPPED;
		}
		take = fa < n ? (size_t)fa : n;
		if (take) {
			int rc = win_read(vm, w, off, d, take);

			if (rc) {
				vm->err_addr = va;
				return rc;
			}
			d += take;
			va += take;
			n -= take;
		}
		take = za < n ? (size_t)za : n;
		memset(d, 0, take);
		d += take;
		va += take;
		n -= take;
		if (!fa && !za) {
			vm->err_addr = va;
			return VM_EUNMAPPED;
		}
	}
	return VM_OK;
}

int vm_read_uint(struct vmcore *vm, int w, uint64_t va, unsigned n, uint64_t *out)
{
	unsigned char b[8];
	int rc;

	*out = 0;
	if (n > 8)
		return VM_EUNMAPPED;
	rc = vm_read(vm, w, va, b, n);
	if (rc == VM_OK)
		*out = vm_get(vm, b, n);
	return rc;
}

/* ---- VMCOREINFO ------------------------------------------------------------------ */

int vm_info_str(const struct vmcore *vm, const char *key, const char **val, size_t *len)
{
	size_t klen = ps_strlen(key), i = 0, n = vm->info_len;
	const char *t = vm->info;

	while (i < n) {
		size_t e = i;

		while (e < n && t[e] != '\n' && t[e] != '\0')
			e++;
		if (e - i > klen && t[i + klen] == '=' && !memcmp(t + i, key, klen)) {
			*val = t + i + klen + 1;
			*len = e - i - klen - 1;
			return 1;
		}
		i = e + 1;
	}
	return 0;
}

int vm_info_hex(const struct vmcore *vm, const char *key, uint64_t *out)
{
	const char *v;
	size_t n, i = 0;
	uint64_t x = 0;

	if (!vm_info_str(vm, key, &v, &n))
		return 0;
	if (n >= 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		i = 2;
	if (i == n || n - i > 16)
		return 0;
	for (; i < n; i++) {
		char c = v[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return 0;
		x = x << 4 | d;
	}
	*out = x;
	return 1;
}

int vm_info_dec(const struct vmcore *vm, const char *key, int64_t *out)
{
	const char *v;
	size_t n, i = 0;
	uint64_t x = 0;
	int neg = 0;

	if (!vm_info_str(vm, key, &v, &n))
		return 0;
	if (n && v[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n)
		return 0;
	for (; i < n; i++) {
		if (v[i] < '0' || v[i] > '9' || x > (UINT64_MAX - 9) / 10)
			return 0;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x > (uint64_t)INT64_MAX + (uint64_t)neg)
		return 0;
	*out = neg ? (int64_t)(0 - x) : (int64_t)x;
	return 1;
}

/* ---- opening a core ----------------------------------------------------------------- */

struct note_seg {
	uint64_t off, size;
};

struct collect {
	struct note_seg notes[MAX_NOTE_SEGS];
	unsigned nnotes, skipped_notes;
	uint32_t nload;
	int bad_load;
};

static int count_fn(struct vmcore *vm, uint32_t type, struct vm_seg *s, void *arg)
{
	struct collect *c = arg;

	(void)vm;
	if (type == PT_LOAD) {
		c->nload++;
	} else if (type == PT_NOTE) {
		if (c->nnotes < MAX_NOTE_SEGS) {
			c->notes[c->nnotes].off = s->off;
			c->notes[c->nnotes].size = s->filesz;
			c->nnotes++;
		} else {
			c->skipped_notes++;
		}
	}
	return 0;
}

static int store_fn(struct vmcore *vm, uint32_t type, struct vm_seg *s, void *arg)
{
	struct collect *c = arg;

	if (type != PT_LOAD)
		return 0;
	if (s->off + s->filesz < s->off)
		s->filesz = 0;   /* offset wraps around: nothing readable */
	if (vm->fsize && s->filesz && s->off + s->filesz > vm->fsize)
		c->bad_load = 1;
	if (vm->nseg < VM_MAX_SEGS)
		vm->seg[vm->nseg++] = *s;
	return vm->nseg == VM_MAX_SEGS && vm->seg_partial ? -1 : 0;
}

static unsigned pointer_bytes(unsigned machine, int elf64)
{
	switch (machine) {
	case EM_386: case EM_PPC: case EM_ARM: case EM_SPARC:
		return 4;
	case EM_X86_64: case EM_PPC64: case EM_AARCH64: case EM_SPARCV9: case EM_IA_64:
		return 8;
	}
	return elf64 ? 8 : 4;
}

/* Finds the VMCOREINFO note and copies its text into the arena. */
static int find_vmcoreinfo(struct vmcore *vm, struct ps_arena *a, const struct collect *c)
{
	unsigned k;
	int malformed = 0;
	uint64_t bad_off = 0;

	for (k = 0; k < c->nnotes; k++) {
		uint64_t base = c->notes[k].off, size = c->notes[k].size, pos = 0;

		if (vm->fsize && (base > vm->fsize || size > vm->fsize - base)) {
			malformed = 1;
			bad_off = base;
			if (base >= vm->fsize)
				continue;
			size = vm->fsize - base;
		}
		while (size - pos >= 12) {
			unsigned char h[12], name[12];
			uint64_t namesz, descsz, need;
			int rc = win_read(vm, WIN_META, base + pos, h, 12);

			if (rc)
				return vm_fail(vm, "cannot read the ELF notes at offset %u: %s",
					       (unsigned long long)(base + pos), vm_read_error(vm, rc));
			namesz = vm_get(vm, h, 4);
			descsz = vm_get(vm, h + 4, 4);
			need = 12 + (namesz + 3) / 4 * 4 + (descsz + 3) / 4 * 4;
			if (need > size - pos) {
				malformed = 1;
				bad_off = base + pos;
				break;
			}
			if (namesz == 11) {
				rc = win_read(vm, WIN_META, base + pos + 12, name, 11);
				if (rc)
					return vm_fail(vm, "cannot read the ELF notes: %s",
						       vm_read_error(vm, rc));
				if (!memcmp(name, "VMCOREINFO", 11)) {
					size_t n = descsz > VM_INFO_MAX ? VM_INFO_MAX : (size_t)descsz;
					char *t = ps_arena_alloc(a, n + 1, 1);

					if (!t)
						return PS_ENOMEM;
					/* name "VMCOREINFO\0" is 11 bytes, padded to 12 */
					rc = win_read(vm, WIN_META, base + pos + 12 + 12, t, n);
					if (rc)
						return vm_fail(vm, "cannot read the VMCOREINFO note: %s",
							       vm_read_error(vm, rc));
					t[n] = '\0';
					vm->info = t;
					vm->info_len = n;
					if (descsz > VM_INFO_MAX)
						vm_warn(vm, "VMCOREINFO note of %u bytes, only the first %u read",
							(unsigned long long)descsz,
							(unsigned long long)VM_INFO_MAX);
					return PS_OK;
				}
			}
			pos += need;
		}
	}
	if (!c->nnotes)
		return vm_fail(vm, "no PT_NOTE segment, so no VMCOREINFO: not a kernel crash dump");
	if (malformed)
		return vm_fail(vm, "no VMCOREINFO note; the ELF notes are malformed at file offset %u",
			       (unsigned long long)bad_off);
	return vm_fail(vm, "no VMCOREINFO note: the dump does not say where the kernel log is");
}

/* A VMCOREINFO number: hex with a 0x prefix (arm64 prints its NUMBER()s
 * so), else decimal.  1 if present and well formed. */
static int info_num(const struct vmcore *vm, const char *key, uint64_t *out)
{
	const char *v;
	size_t n;
	int64_t d;

	if (!vm_info_str(vm, key, &v, &n))
		return 0;
	if (n > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		return vm_info_hex(vm, key, out);
	if (!vm_info_dec(vm, key, &d))
		return 0;
	*out = (uint64_t)d;
	return 1;
}

/* arm64's memory layout from VMCOREINFO (arch/arm64/kernel/crash_core.c:
 * NUMBER(VA_BITS), NUMBER(kimage_voffset), NUMBER(PHYS_OFFSET); PAGESIZE).
 * The linear map starts at PAGE_OFFSET: -(1 << VA_BITS) since 5.4, whose
 * linear map is the lower half of the kernel's range and ends at
 * -(1 << (VA_BITS_MIN - 1)) (VA_BITS_MIN: 48 when VA_BITS is 52); before
 * 5.4 it was the upper half, from -(1 << (VA_BITS - 1)).  Which one: the
 * kernel image is in the other half, so a kernel-image symbol says.
 * Missing or absurd values leave vm->a64 unset (PT_LOADs only). */
static void arm64_layout(struct vmcore *vm)
{
	uint64_t va_bits, voff, phys, psize = 4096, ksym, stext;
	unsigned vmin;
	const char *v;
	size_t n;
	int flipped;

	if (vm->machine != EM_AARCH64 || !info_num(vm, "NUMBER(VA_BITS)", &va_bits) ||
	    !info_num(vm, "NUMBER(kimage_voffset)", &voff) ||
	    !info_num(vm, "NUMBER(PHYS_OFFSET)", &phys))
		return;
	if (va_bits < 36 || va_bits > 52) {
		vm_warn(vm, "arm64 VMCOREINFO: VA_BITS %u is not 36..52; using the PT_LOADs only",
			(unsigned long long)va_bits);
		return;
	}
	if (vm_info_str(vm, "PAGESIZE", &v, &n) &&
	    (!info_num(vm, "PAGESIZE", &psize) ||
	     (psize != 4096 && psize != 16384 && psize != 65536))) {
		vm_warn(vm, "arm64 VMCOREINFO: page size %u is not 4K, 16K or 64K; using the "
			"PT_LOADs only", (unsigned long long)psize);
		return;
	}
	if (!vm_info_hex(vm, "SYMBOL(prb)", &ksym) && !vm_info_hex(vm, "SYMBOL(log_buf)", &ksym) &&
	    !vm_info_hex(vm, "SYMBOL(swapper_pg_dir)", &ksym))
		return;
	vm->a64_kimage_voffset = voff;
	vm->a64_phys_offset = phys;
	vm->a64_kimage = vm_info_hex(vm, "SYMBOL(_stext)", &stext) ? stext : ksym;
	flipped = (int)(ksym >> (va_bits - 1) & 1);
	if (flipped) {
		vmin = va_bits > 48 ? 48 : (unsigned)va_bits;
		vm->a64_lin_start = (uint64_t)0 - ((uint64_t)1 << va_bits);
		vm->a64_lin_end = (uint64_t)0 - ((uint64_t)1 << (vmin - 1));
	} else {
		vm->a64_lin_start = (uint64_t)0 - ((uint64_t)1 << (va_bits - 1));
		vm->a64_lin_end = 0;   /* to the top */
	}
	vm->a64 = 1;
}

/* Direct-map base from the PT_LOADs: RAM segments map PAGE_OFFSET + phys. */
static void derive_page_offset(struct vmcore *vm)
{
	uint32_t i;
	int64_t l5;

	for (i = 0; i < vm->nseg; i++) {
		const struct vm_seg *s = &vm->seg[i];

		if (s->vaddr <= s->paddr)
			continue;
		if (vm->machine == EM_X86_64 && s->vaddr >= X86_64_START_KERNEL_MAP)
			continue;
		vm->page_offset = s->vaddr - s->paddr;
		vm->have_page_offset = 1;
		return;
	}
	if (vm->machine == EM_X86_64) {
		/* no KASLR: the fixed direct-map base */
		vm->page_offset = vm_info_dec(vm, "NUMBER(pgtable_l5_enabled)", &l5) && l5 == 1
				  ? X86_64_PAGE_OFFSET_L5 : X86_64_PAGE_OFFSET_L4;
		vm->have_page_offset = 1;
	}
}

int vm_open(struct vmcore *vm, struct port_file *f, struct ps_arena *a,
	    struct vmcore_stats *st)
{
	unsigned char eh[64];
	size_t got = 0, win_cap;
	struct collect c;
	uint64_t shoff;
	unsigned shentsize, type, w;
	int err, rc;

	memset(vm, 0, sizeof *vm);
	vm->f = f;
	vm->st = st;
	vm->fsize = f->size;

	err = port_pread(f, eh, sizeof eh, 0, &got);
	if (err)
		return vm_fail(vm, "cannot read the file: %s", port_strerror(err));
	if (got >= 8 && !memcmp(eh, "KDUMP   ", 8))
		return vm_fail(vm, "compressed kdump file (makedumpfile's default format); "
			       "panicsage reads ELF dumps: /proc/vmcore or makedumpfile -E output");
	if (got >= 12 && !memcmp(eh, "makedumpfile", 12))
		return vm_fail(vm, "flattened makedumpfile output; rebuild it with makedumpfile -R");
	if (got < 4 || memcmp(eh, "\177ELF", 4))
		return vm_fail(vm, "not an ELF file");
	if (got < 52)
		return vm_fail(vm, "ELF header truncated (%u bytes)", (unsigned long long)got);
	if (eh[4] != 1 && eh[4] != 2)
		return vm_fail(vm, "unknown ELF class %u", (unsigned long long)eh[4]);
	if (eh[5] != 1 && eh[5] != 2)
		return vm_fail(vm, "unknown ELF byte order %u", (unsigned long long)eh[5]);
	vm->elf64 = eh[4] == 2;
	vm->be = eh[5] == 2;
	if (vm->elf64 && got < 64)
		return vm_fail(vm, "ELF header truncated (%u bytes)", (unsigned long long)got);
	type = (unsigned)vm_get(vm, eh + 16, 2);
	if (type != ET_CORE)
		return vm_fail(vm, "ELF file is not a core dump (e_type %u)", (unsigned long long)type);
	vm->machine = (unsigned)vm_get(vm, eh + 18, 2);
	vm->ptr = pointer_bytes(vm->machine, vm->elf64);
	if (vm->elf64) {
		vm->phoff = vm_get(vm, eh + 32, 8);
		shoff = vm_get(vm, eh + 40, 8);
		vm->phentsize = (unsigned)vm_get(vm, eh + 54, 2);
		vm->phnum = (uint32_t)vm_get(vm, eh + 56, 2);
		shentsize = (unsigned)vm_get(vm, eh + 58, 2);
	} else {
		vm->phoff = vm_get(vm, eh + 28, 4);
		shoff = vm_get(vm, eh + 32, 4);
		vm->phentsize = (unsigned)vm_get(vm, eh + 42, 2);
		vm->phnum = (uint32_t)vm_get(vm, eh + 44, 2);
		shentsize = (unsigned)vm_get(vm, eh + 46, 2);
	}
	if (vm->phentsize != (vm->elf64 ? 56u : 32u))
		return vm_fail(vm, "bad ELF program header size %u", (unsigned long long)vm->phentsize);
	if (vm->phnum == PN_XNUM) {
		/* more than 65534 headers: the count is in section header 0 */
		unsigned char sh[64];
		unsigned need = vm->elf64 ? 64 : 40;

		if (shentsize < need)
			return vm_fail(vm, "e_phnum is PN_XNUM but there is no section header 0");
		err = port_pread(f, sh, need, shoff, &got);
		if (err || got < need)
			return vm_fail(vm, "cannot read section header 0 (PN_XNUM) at offset %u",
				       (unsigned long long)shoff);
		vm->phnum = (uint32_t)vm_get(vm, sh + (vm->elf64 ? 44 : 28), 4);
	}
	if (vm->phnum == 0)
		return vm_fail(vm, "ELF core without program headers");
	if (vm->fsize && (vm->phoff > vm->fsize ||
			  (uint64_t)vm->phnum * vm->phentsize > vm->fsize - vm->phoff))
		return vm_fail(vm, "the %u program headers run past the end of the file",
			       (unsigned long long)vm->phnum);

	vm->phbuf_cap = 4096 / vm->phentsize * vm->phentsize;
	vm->phbuf = ps_arena_alloc(a, vm->phbuf_cap, 8);
	if (!vm->phbuf)
		return PS_ENOMEM;
	memset(&c, 0, sizeof c);
	rc = for_each_phdr(vm, count_fn, &c);
	if (rc)
		return vm_fail(vm, "cannot read the program headers: %s", vm_read_error(vm, rc));
	if (!c.nload)
		return vm_fail(vm, "ELF core without PT_LOAD segments: no memory to read");
	vm->nload = c.nload;
	vm->seg_partial = c.nload > VM_MAX_SEGS;
	vm->seg = PS_ALLOC(a, struct vm_seg, c.nload > VM_MAX_SEGS ? VM_MAX_SEGS : c.nload);
	if (!vm->seg)
		return PS_ENOMEM;
	rc = for_each_phdr(vm, store_fn, &c);
	if (rc)
		return vm_fail(vm, "cannot read the program headers: %s", vm_read_error(vm, rc));

	/* read windows: whatever the arena has left, 4 KiB to 32 KiB each,
	 * keeping room for VMCOREINFO and the output buffer */
	{
		size_t left = a->size - a->used, reserve = VM_INFO_MAX + 4096 + 256;

		win_cap = left > reserve ? (left - reserve) / WIN_COUNT : 0;
		if (win_cap > 32768)
			win_cap = 32768;
		win_cap -= win_cap % WIN_ALIGN;
		if (win_cap < WIN_ALIGN)
			return PS_ENOMEM;
	}
	for (w = 0; w < WIN_COUNT; w++) {
		vm->win[w].buf = ps_arena_alloc(a, win_cap, 16);
		if (!vm->win[w].buf)
			return PS_ENOMEM;
		vm->win[w].cap = win_cap;
		vm->win[w].len = 0;
	}

	rc = find_vmcoreinfo(vm, a, &c);
	if (rc)
		return rc;
	{
		const char *v;
		size_t n;
		int64_t pb;

		if (vm_info_str(vm, "OSRELEASE", &v, &n)) {
			if (n > sizeof st->release - 1)
				n = sizeof st->release - 1;
			memcpy(st->release, v, n);
			st->release[n] = '\0';
		}
		if (vm_info_dec(vm, "NUMBER(phys_base)", &pb)) {
			vm->phys_base = (uint64_t)pb;
			vm->have_phys_base = 1;
		}
	}
	derive_page_offset(vm);
	arm64_layout(vm);
	vm->truncated = c.bad_load;
	return PS_OK;
}
