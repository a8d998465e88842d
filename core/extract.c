#include "core/extract.h"

#include "core/buf.h"
#include "core/catalogue.h"
#include "core/dbscan.h"
#include "core/mask.h"
#include "core/oops.h"
#include "core/sort.h"
#include "core/status.h"

void ps_extract_defaults(struct ps_extract_params *p)
{
	p->eps = 1.0;
	p->min_samples = 3;
	p->line_scale = 4;
	p->time_scale_us = 2e6;
	p->template_weight = 0.25;
	p->max_lines = 64;
	p->max_trace = 24;
	p->max_culprits = 5;
}

/* Lines of report text (catalogue matches, frames, trace markers) that
 * are further apart than this belong to different crashes: in kernel
 * time when both lines have a timestamp (a report is printed in one
 * burst; an OOM report's task table may be long), else in lines. */
#define CRASH_GAP_US (10 * 1000000)
#define CRASH_GAP_LINES_TS 1024u
#define CRASH_GAP_LINES 64u

/* how far after a generic WARNING/BUG header its message may be printed */
#define WARN_MESSAGE_LINES 2u
/* how far after a header its fault address may be printed (s390) */
#define ADDR_LINE_LINES 2u

#define FAULT_FLAGS (PS_LINE_HEADER | PS_LINE_PANIC | PS_LINE_EVIDENCE)
#define REPORT_FLAGS (FAULT_FLAGS | PS_LINE_FRAME | PS_LINE_TRACE)

/* The catalogue's last label, "kernel-bug", is what every report's
 * scaffolding says (Call Trace, RIP, Modules linked in); evidence with
 * another label names a kind of its own. */
#define LABEL_KERNEL_BUG (PS_CAT_NLABELS - 1u)
/* rows of TAXONOMY (core/taxonomy.c keeps its order): "null-deref",
 * "stack-corruption" and "memory-corruption" are the 3rd to 5th,
 * "driver" two rows above "kernel-bug" */
#define LABEL_NULL_DEREF 2u
#define LABEL_MEMORY_CORRUPTION 4u
#define LABEL_DRIVER (PS_CAT_NLABELS - 3u)
/* "hung-task" is the 8th row */
#define LABEL_HUNG_TASK 7u

static int specific_evidence(const struct ps_line *l)
{
	return (l->flags & PS_LINE_EVIDENCE) && l->cat_label != LABEL_KERNEL_BUG;
}

/* Walking back from line j of a crash to the report line i < j: 1 when
 * i is still part of it, 0 when a gap ends it (i is earlier by more
 * than the gap), -1 when i is not part of it but does not end it
 * either (printed later than j by more than the gap: a line of another
 * CPU's or another boot's log interleaved). */
static int same_crash(const struct ps_analysis *an, uint32_t i, uint32_t j)
{
	int64_t ti = an->lines[i].rec->ts_us, tj = an->lines[j].rec->ts_us;

	if (ti != PS_NO_TS && tj != PS_NO_TS) {
		if (ti - tj > CRASH_GAP_US)
			return -1;
		return j - i <= CRASH_GAP_LINES_TS && tj - ti <= CRASH_GAP_US;
	}
	return j - i <= CRASH_GAP_LINES;
}

/* 1 when line l shows a fault on its own: a header or panic line, or
 * evidence of a kind.  Kernel-bug evidence (the CPU/Comm banner,
 * "Hardware name:", "Modules linked in:", pc/lr/pstate, "Call Trace:",
 * the cut-here and end-trace markers) frames a report but is also what
 * a user program's unhandled-signal register dump (arm64, riscv) or a
 * harmless dump_stack() prints: alone it is no crash. */
static int shows_fault(const struct ps_line *l)
{
	return (l->flags & (PS_LINE_HEADER | PS_LINE_PANIC)) || specific_evidence(l);
}

/* 1 when lines start..end hold a report's opening header or a header
 * or panic line that names a kind of its own (not the generic
 * kernel-bug of a panic reason such as "Fatal exception"; evidence
 * lines do not open a report). */
static int names_its_kind(const struct ps_analysis *an, uint32_t start, uint32_t end)
{
	uint32_t i;

	for (i = start; i <= end; i++) {
		const struct ps_line *l = &an->lines[i];

		if ((l->flags & PS_LINE_PRIMARY) ||
		    ((l->flags & (PS_LINE_HEADER | PS_LINE_PANIC)) && l->cat_label != LABEL_KERNEL_BUG))
			return 1;
	}
	return 0;
}

/* Lines i < j within a crash's time gap, when both have timestamps;
 * lines without them are taken to be. */
static int same_crash_ts(const struct ps_analysis *an, uint32_t i, uint32_t j)
{
	int64_t ti = an->lines[i].rec->ts_us, tj = an->lines[j].rec->ts_us;

	return ti == PS_NO_TS || tj == PS_NO_TS || (tj >= ti && tj - ti <= CRASH_GAP_US);
}

/* Whether a line's catalogue entry is a WARNING report ("WARNING: CPU:
 * ... at drivers/..."). */
static int is_warning(const struct ps_catalogue *cat, const struct ps_line *l)
{
	const struct ps_cat_span *pat;

	if (!cat || !l->cat)
		return 0;
	pat = &cat->entry[l->cat - 1].pattern;
	return pat->n >= 8 && ps_starts(pat->p, pat->n, "WARNING:");
}

/* The first line of from..last (inclusive) that opens a report of a
 * kind (catalogue label) in lo..hi, or PS_NONE. */
static uint32_t primary_header(const struct ps_analysis *an, uint32_t from, uint32_t last,
			       unsigned lo, unsigned hi)
{
	uint32_t i;

	for (i = from; i <= last; i++) {
		const struct ps_line *l = &an->lines[i];

		if ((l->flags & PS_LINE_PRIMARY) && l->cat_label >= lo && l->cat_label <= hi)
			return i;
	}
	return PS_NONE;
}

static void crash_ending_at(struct ps_analysis *an, uint32_t end);

/* The seconds N of a hung task report's "blocked for more than N
 * seconds", or 120 (the default timeout) when the line does not say. */
static int64_t blocked_seconds(const struct ps_line *l)
{
	static const char key[] = "more than ";
	const char *s = l->rec->text;
	uint32_t n = l->rec->len, i, k = sizeof key - 1;
	int64_t v = 0;

	for (i = 0; i + k <= n; i++) {
		if (memcmp(s + i, key, k))
			continue;
		for (i += k; i < n && s[i] >= '0' && s[i] <= '9' && v < 86400; i++)
			v = v * 10 + (s[i] - '0');
		return v > 0 ? v : 120;
	}
	return 120;
}

/* Tasks blocked on I/O or a lock are what an earlier fault leaves
 * behind: a controller that went down, a filesystem that aborted, an
 * assertion that stopped the thread holding the lock.  The hung task
 * report comes N to 2N seconds after the task blocked (khungtaskd looks
 * every N seconds), so when the crash that ends the log is a hung task
 * report and an earlier fault was printed within 2N seconds (plus the
 * gap of one report) before it, that earlier report is the first fault
 * that brought the machine down and the one the log is about.  Further
 * hung task reports in between are followed back the same way; logs
 * without timestamps are left as they are. */
static void consequence_of_earlier(struct ps_analysis *an)
{
	uint32_t header = an->header, start = an->crash_start, panic = an->panic, i;

	while (an->header != PS_NONE && an->lines[an->header].cat_label == LABEL_HUNG_TASK) {
		int64_t th = an->lines[an->header].rec->ts_us, ti;
		int64_t window = 2 * blocked_seconds(&an->lines[an->header]) * 1000000 + CRASH_GAP_US;

		for (i = an->crash_start; i-- > 0;)
			if (shows_fault(&an->lines[i]))
				break;
		if (i == UINT32_MAX || th == PS_NO_TS || (ti = an->lines[i].rec->ts_us) == PS_NO_TS ||
		    ti > th || th - ti > window)
			break;
		crash_ending_at(an, i);
		if (an->lines[an->header].cat_label != LABEL_HUNG_TASK) {
			header = an->header, start = an->crash_start, panic = an->panic;
			break;
		}
	}
	an->header = header, an->crash_start = start;
	an->panic = panic;
}

/* Matches every line against the catalogue, marks frames and trace
 * markers, then finds the crash that ends the log and its header. */
void ps_mark_lines(struct ps_analysis *an)
{
	const struct ps_catalogue *cat = an->catalogue;
	uint32_t i, end = PS_NONE, shown = 0;
	struct ps_cat_match m;

	an->header = an->panic = an->crash_start = PS_NONE;
	an->fault_lines = 0;
	for (i = 0; i < an->nlines; i++) {
		struct ps_line *l = &an->lines[i];
		const char *s = l->rec->text;
		uint32_t n = l->rec->len;

		l->flags = 0;
		l->cat = 0;
		l->cat_label = PS_CAT_NO_LABEL;
		l->symlen = (uint32_t)ps_frame_symbol(s, n, &l->sym);
		if (l->symlen)
			l->flags |= PS_LINE_FRAME;
		else
			l->sym = NULL;
		if (ps_is_trace_marker(s, n))
			l->flags |= PS_LINE_TRACE;
		if (!cat || !ps_catalogue_match(cat, s, n, &m))
			continue;
		l->cat = (uint16_t)(m.entry - cat->entry + 1);
		l->cat_label = m.label;
		if (m.entry->harmless) {
			l->flags |= PS_LINE_HARMLESS;
			continue;
		}
		an->fault_lines++;
		if (m.entry->panic)
			l->flags |= PS_LINE_PANIC;
		if (m.entry->strength == PS_CAT_HEADER)
			l->flags |= m.entry->panic ? PS_LINE_HEADER : PS_LINE_HEADER | PS_LINE_PRIMARY;
		else
			l->flags |= PS_LINE_EVIDENCE;
		shown += (uint32_t)shows_fault(l);
		end = i;
	}
	an->no_crash = shown == 0;
	if (an->no_crash)
		return;
	crash_ending_at(an, end);
	consequence_of_earlier(an);
}

/* The crash whose last fault line is `end`: its first line, header and
 * panic line. */
static void crash_ending_at(struct ps_analysis *an, uint32_t end)
{
	const struct ps_catalogue *cat = an->catalogue;
	uint32_t i, start, prev, first_panic = PS_NONE;

	an->header = an->panic = an->crash_start = PS_NONE;
	/* The crash that ends the log: from its last fault line back over
	 * report lines as long as they follow each other closely (an early
	 * WARNING the machine survived is a crash of its own). */
	start = prev = end;
	for (i = end; i-- > 0;) {
		int same;

		if (!(an->lines[i].flags & REPORT_FLAGS))
			continue;
		if ((same = same_crash(an, i, prev)) < 0)
			continue;
		if (!same)
			break;
		prev = i;
		if (an->lines[i].flags & FAULT_FLAGS)
			start = i;
	}
	/* A crash made only of a generic panic reason ("Fatal exception",
	 * "panic_on_taint set", ...) is the end of a report printed before
	 * it: in a log without timestamps the lines gap can fall inside
	 * that report (a slab object dump, a task list), so look further
	 * back for the report that opens it, as far as a log with
	 * timestamps would. */
	if (!names_its_kind(an, start, end)) {
		for (i = start; i-- > 0 && start - i <= CRASH_GAP_LINES_TS;) {
			if (!(an->lines[i].flags & PS_LINE_PRIMARY))
				continue;
			if (same_crash_ts(an, i, start))
				start = i;
			break;
		}
	}
	an->crash_start = start;

	/* Its header: the first header-strength match; without one, the
	 * first evidence that names a kind, the panic line, or any evidence. */
	for (i = start; i <= end; i++) {
		const struct ps_line *l = &an->lines[i];

		if ((l->flags & PS_LINE_PANIC) && first_panic == PS_NONE)
			first_panic = i;
		if ((l->flags & PS_LINE_HEADER) && an->header == PS_NONE)
			an->header = i;
	}
	/* A WARNING or BUG line of the generic kernel-bug kind whose message
	 * follows it (WARN(cond, fmt) before 4.x printed "WARNING: at
	 * file:line func()" first, the message on the next line): a header
	 * naming another kind right after it says what was reported. */
	if (an->header != PS_NONE && (an->lines[an->header].flags & PS_LINE_PRIMARY) &&
	    an->lines[an->header].cat_label == LABEL_KERNEL_BUG) {
		uint32_t last = an->header + WARN_MESSAGE_LINES;

		i = primary_header(an, an->header + 1, last < end ? last : end, 0, LABEL_KERNEL_BUG - 1);
		if (i != PS_NONE)
			an->header = i;
	}
	/* A WARNING of the generic kind does not stop the machine: unless
	 * panic_on_warn panics right after it, the kernel goes on, and a
	 * report of another kind in the same crash before any panic line
	 * (an Oops on another CPU whose lines interleave with the
	 * WARNING's, or one right after it) is what brought it down
	 * (TAXONOMY: a WARNING is kernel-bug "with panic_on_warn"). */
	if (an->header != PS_NONE && an->lines[an->header].cat_label == LABEL_KERNEL_BUG &&
	    is_warning(cat, &an->lines[an->header])) {
		for (i = an->header + 1; i <= end && !(an->lines[i].flags & PS_LINE_PANIC); i++) {
			const struct ps_line *l = &an->lines[i];

			if ((l->flags & PS_LINE_PRIMARY) && l->cat_label < LABEL_KERNEL_BUG &&
			    !is_warning(cat, l)) {
				an->header = i;
				break;
			}
		}
	}
	/* A device that stopped answering ("controller not responding",
	 * "firmware crashed") often takes a driver down with it: when the
	 * crash goes on to a software fault of the rows TAXONOMY puts
	 * before "driver" for it (a NULL dereference in the driver is
	 * null-deref, not driver; likewise a corrupted stack or heap), that
	 * report is what brought the machine down.  What a dead device
	 * causes further on (a filesystem's I/O errors, tasks blocked on
	 * I/O) is its consequence, and a WARNING at a driver's site is a
	 * report of its own: both leave the device's report the header. */
	if (an->header != PS_NONE && an->lines[an->header].cat_label == LABEL_DRIVER &&
	    !is_warning(cat, &an->lines[an->header])) {
		i = primary_header(an, an->header + 1, end, LABEL_NULL_DEREF, LABEL_MEMORY_CORRUPTION);
		if (i != PS_NONE)
			an->header = i;
	}
	/* s390 prints the address a kernel access faulted on in the line
	 * after its report ("Failing address: ..."): a header whose own
	 * line holds no address takes the label that line's address rule
	 * gives, when both are of the same kind (a fault below the first
	 * page is a NULL dereference on every architecture). */
	if (an->header != PS_NONE && cat && an->lines[an->header].cat &&
	    !cat->entry[an->lines[an->header].cat - 1].addr_conv) {
		struct ps_line *h = &an->lines[an->header];

		for (i = an->header + 1; i <= end && i <= an->header + ADDR_LINE_LINES; i++) {
			const struct ps_line *l = &an->lines[i];
			const struct ps_cat_entry *e = l->cat ? &cat->entry[l->cat - 1] : NULL;

			if (e && e->addr_conv && (l->flags & PS_LINE_EVIDENCE) &&
			    e->label == cat->entry[h->cat - 1].label) {
				h->cat_label = l->cat_label;
				break;
			}
		}
	}
	for (i = start; an->header == PS_NONE && i <= end; i++)
		if (specific_evidence(&an->lines[i]))
			an->header = i;
	if (an->header == PS_NONE)
		an->header = first_panic != PS_NONE ? first_panic : start;

	/* the panic line that ends the report the header opened */
	for (i = an->header; i <= end; i++)
		if (an->lines[i].flags & PS_LINE_PANIC) {
			an->panic = i;
			break;
		}
}

struct window {
	const struct ps_analysis *an;
	const struct ps_extract_params *p;
	uint32_t w;
	/* when 2w <= 64: bit k of near[i] says whether line i - w + k (k < w)
	 * or i + k - w + 1 (k >= w) is a neighbour; each distance is then
	 * computed once instead of once per DBSCAN pass and direction */
	uint64_t *near;
};

static double line_distance(const struct window *win, uint32_t i, uint32_t j)
{
	const struct ps_line *a = &win->an->lines[i], *b = &win->an->lines[j];
	double d = (double)(i > j ? i - j : j - i) / win->p->line_scale;

	if (a->rec->ts_us != PS_NO_TS && b->rec->ts_us != PS_NO_TS) {
		int64_t dt = a->rec->ts_us - b->rec->ts_us;
		d += (double)(dt < 0 ? -dt : dt) / win->p->time_scale_us;
	}
	if (a->tpl != b->tpl || a->tpl == PS_NONE)
		d += win->p->template_weight;
	return d;
}

/* Bit of line j (j != i, |i - j| <= w) in near[i]. */
static unsigned near_bit(uint32_t w, uint32_t i, uint32_t j)
{
	return j < i ? w - (i - j) : w + (j - i) - 1;
}

/* line_distance(win, i, j) <= eps for every pair of the window, with
 * the same arithmetic in the same order (so the same doubles), but
 * the position term taken from a table and the loads hoisted: this is
 * every line of the log times w. */
static void window_precompute(struct window *win)
{
	const struct ps_line *lines = win->an->lines;
	const struct ps_extract_params *p = win->p;
	uint32_t n = win->an->nlines, i, j;
	double pos[33];

	for (i = 1; i <= win->w; i++)
		pos[i] = (double)i / p->line_scale;
	for (i = 0; i < n; i++)
		win->near[i] = 0;
	for (i = 0; i < n; i++) {
		int64_t ta = lines[i].rec->ts_us;
		uint32_t tpl = lines[i].tpl;

		for (j = i + 1; j < n && j - i <= win->w; j++) {
			int64_t tb = lines[j].rec->ts_us;
			double d = pos[j - i];

			if (ta != PS_NO_TS && tb != PS_NO_TS) {
				int64_t dt = ta - tb;
				d += (double)(dt < 0 ? -dt : dt) / p->time_scale_us;
			}
			if (lines[j].tpl != tpl || tpl == PS_NONE)
				d += p->template_weight;
			if (d <= p->eps) {
				win->near[i] |= (uint64_t)1 << near_bit(win->w, i, j);
				win->near[j] |= (uint64_t)1 << near_bit(win->w, j, i);
			}
		}
	}
}

/* Index of the lowest set bit of x, x != 0. */
static uint32_t lowest_bit(uint64_t x)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__aarch64__))
	return (uint32_t)__builtin_ctzll(x);   /* one instruction there, no library call */
#else
	uint32_t k = 0;

	while (!(x & 1)) {
		x >>= 1;
		k++;
	}
	return k;
#endif
}

static uint32_t window_neighbors(void *ctx, uint32_t i, uint32_t *out)
{
	const struct window *win = ctx;
	uint32_t lo = i > win->w ? i - win->w : 0;
	uint32_t hi = win->an->nlines - 1 - i > win->w ? i + win->w : win->an->nlines - 1;
	uint32_t j, cnt = 0;

	if (win->near) {
		/* the same neighbours in the same order, read off the bits:
		 * bit k < w is line i - w + k, bit w + k is line i + 1 + k;
		 * no bit is set for a line outside the log */
		uint64_t low = win->near[i] & (((uint64_t)1 << win->w) - 1), high = win->near[i] >> win->w;

		for (; low; low &= low - 1)
			out[cnt++] = i - win->w + lowest_bit(low);
		out[cnt++] = i;
		for (; high; high &= high - 1)
			out[cnt++] = i + 1 + lowest_bit(high);
		return cnt;
	}
	for (j = lo; j <= hi; j++) {
		if (j == i || line_distance(win, i, j) <= win->p->eps)
			out[cnt++] = j;
	}
	return cnt;
}

/* Without any cluster (a log of a few scattered lines), the lines just
 * before and after the header stand in for it. */
static int near_anchor(const struct ps_analysis *an, uint32_t i, const struct ps_extract_params *p)
{
	uint32_t h = an->header != PS_NONE ? an->header : an->panic;

	if (h == PS_NONE)
		h = an->nlines - 1;
	return i + 8 >= h && i <= h + p->max_lines;
}

/* Cap priorities: higher survives the cut. */
enum { PRIO_ANCHOR = 1000, PRIO_HEADER = 800, PRIO_TRACE = 600, PRIO_CLUSTER = 300 };

int ps_extract(struct ps_analysis *an, const struct ps_extract_params *p, struct ps_arena *a)
{
	uint32_t n = an->nlines, i, chosen = PS_NONE, target, best_dist = UINT32_MAX, k, ncand = 0;
	int32_t *labels, nclusters;
	uint32_t *newest;
	uint64_t *cand;
	struct window win;
	size_t mark;

	an->segment = NULL;
	an->nsegment = 0;
	an->cluster_size = 0;
	if (!(p->eps > 0) || !(p->line_scale > 0) || !(p->time_scale_us > 0) ||
	    !(p->template_weight >= 0) || p->min_samples < 1 || p->max_lines < 1 ||
	    p->eps * p->line_scale > 1e6)
		return PS_ERANGE;
	if (n == 0)
		return PS_OK;
	if (an->no_crash) {            /* nothing to extract */
		an->segment = PS_ALLOC(a, uint32_t, 1);
		if (!an->segment)
			return PS_ENOMEM;
		return ps_rank_culprits(an, p->max_culprits, a);
	}

	labels = PS_ALLOC(a, int32_t, n);
	an->segment = PS_ALLOC(a, uint32_t, p->max_lines);
	if (!labels || !an->segment)
		return PS_ENOMEM;
	mark = ps_arena_mark(a);

	win.an = an;
	win.p = p;
	win.w = (uint32_t)(p->eps * p->line_scale);
	win.near = NULL;
	if (win.w >= 1 && win.w <= 32) {
		win.near = PS_ALLOC_RAW(a, uint64_t, n);
		if (!win.near)
			return PS_ENOMEM;
		window_precompute(&win);
	}
	nclusters = ps_dbscan(n, p->min_samples, window_neighbors, &win, labels, a);
	if (nclusters < 0)
		return -nclusters;

	/* the cluster whose newest line is closest to the panic */
	target = an->panic != PS_NONE ? an->panic : n - 1;
	newest = PS_ALLOC(a, uint32_t, nclusters ? (uint32_t)nclusters : 1);
	cand = PS_ALLOC(a, uint64_t, (size_t)n + 4 * (size_t)p->max_trace + 2);
	if (!newest || !cand)
		return PS_ENOMEM;
	for (i = 0; i < n; i++)
		if (labels[i] >= 0)
			newest[labels[i]] = i;
	for (k = 0; k < (uint32_t)nclusters; k++) {
		uint32_t dist = newest[k] > target ? newest[k] - target : target - newest[k];

		if (dist < best_dist || (dist == best_dist && newest[k] > newest[chosen])) {
			best_dist = dist;
			chosen = k;
		}
	}

	/* Candidates with priorities; the key sorts by priority, then by
	 * position (earlier first). */
#define ADD(idx, prio) (cand[ncand++] = (uint64_t)(prio) << 32 | (uint32_t)~(uint32_t)(idx))
	for (i = 0; i < n; i++) {
		uint32_t prio = 0;
		const struct ps_line *l = &an->lines[i];

		if (i == an->header || i == an->panic)
			prio = PRIO_ANCHOR;
		else if (chosen != PS_NONE ? labels[i] == (int32_t)chosen : near_anchor(an, i, p))
			prio = l->flags & (PS_LINE_HEADER | PS_LINE_PANIC) || specific_evidence(l) ? PRIO_HEADER :
			       PRIO_CLUSTER - (i < target ? (target - i > 255 ? 255 : target - i) : 0);
		if (prio)
			ADD(i, prio);
		if (chosen != PS_NONE && labels[i] == (int32_t)chosen)
			an->cluster_size++;
	}
	/* the header's call trace: frames and markers after it */
	if (an->header != PS_NONE) {
		uint32_t frames = 0;

		for (i = an->header + 1; i < n && i <= an->header + 4 * p->max_trace; i++) {
			const struct ps_line *l = &an->lines[i];

			if (l->flags & PS_LINE_PRIMARY)
				break;
			if (!(l->flags & (PS_LINE_FRAME | PS_LINE_TRACE)))
				continue;
			if (l->flags & PS_LINE_FRAME && ++frames > p->max_trace)
				break;
			/* lines already added with a lower priority get a second,
			 * higher entry; duplicates are dropped below */
			ADD(i, PRIO_TRACE - frames);
		}
	}
#undef ADD
	/* A line has at most two entries (one from each loop above), so
	 * the first 2 * max_lines entries in key order hold max_lines
	 * distinct lines, or all there are: only those need sorting. */
	ps_sort_u64_desc_first(cand, ncand, 2 * (size_t)p->max_lines);
	for (k = 0; k < ncand && k < 2 * (size_t)p->max_lines && an->nsegment < p->max_lines; k++) {
		uint32_t idx = ~(uint32_t)cand[k], s;

		for (s = 0; s < an->nsegment; s++)
			if (an->segment[s] == idx)
				break;
		if (s == an->nsegment)
			an->segment[an->nsegment++] = idx;
	}
	ps_sort_u32(an->segment, an->nsegment);
	ps_arena_release(a, mark);
	return ps_rank_culprits(an, p->max_culprits, a);
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static const char *const error_words[] = {
	"error", "fail", "corrupt", "invalid", "bad ", "timeout", "timed out", "stuck",
	"blocked", "leak", "overflow", "underflow", "deadlock", "lockup", "stall",
	"fault", "illegal", "not syncing", "killed", "unable",
};

/* Does the line hold one of error_words, in any case?  One pass over
 * the line, trying at each byte only the words that start with it. */
static int has_error_word(const char *s, size_t n)
{
	size_t i, j, w;

	for (i = 0; i < n; i++) {
		int c = lower((unsigned char)s[i]);

		for (w = 0; w < sizeof error_words / sizeof error_words[0]; w++) {
			const char *e = error_words[w];

			if (e[0] != c)
				continue;
			for (j = 1; e[j] && i + j < n && lower((unsigned char)s[i + j]) == e[j]; j++)
				;
			if (!e[j])
				return 1;
		}
	}
	return 0;
}

static float line_score(const struct ps_analysis *an, uint32_t i)
{
	const struct ps_line *l = &an->lines[i];
	uint32_t anchor = an->header != PS_NONE ? an->header : an->panic, dist;

	if (i == an->header)
		return 1.0f;
	if (l->flags & PS_LINE_PRIMARY)
		return 0.8f;
	if (l->flags & PS_LINE_PANIC)
		return 0.75f;
	if ((l->flags & PS_LINE_HEADER) || specific_evidence(l))
		return 0.6f;
	if (has_error_word(l->rec->text, l->rec->len))
		return 0.45f;
	if (l->flags & PS_LINE_FRAME)
		return i > anchor && anchor != PS_NONE ? 0.3f : 0.2f;
	dist = anchor == PS_NONE ? 64 : (i > anchor ? i - anchor : anchor - i);
	return 0.1f + 0.1f / (1.0f + (float)dist / 4.0f);
}

int ps_rank_culprits(struct ps_analysis *an, uint32_t max_culprits, struct ps_arena *a)
{
	uint32_t k, m;

	an->nculprits = 0;
	an->culprits = PS_ALLOC(a, struct ps_culprit, max_culprits ? max_culprits : 1);
	if (!an->culprits)
		return PS_ENOMEM;
	/* insertion into a short sorted list: max_culprits is small */
	for (k = 0; k < an->nsegment; k++) {
		uint32_t idx = an->segment[k];
		float s = line_score(an, idx);

		for (m = an->nculprits; m > 0 && an->culprits[m - 1].score < s; m--)
			if (m < max_culprits)
				an->culprits[m] = an->culprits[m - 1];
		if (m < max_culprits) {
			an->culprits[m].line = idx;
			an->culprits[m].score = s;
			if (an->nculprits < max_culprits)
				an->nculprits++;
		}
	}
	return PS_OK;
}
