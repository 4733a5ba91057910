/*
 * vm_page.c — the vm_page array and the physical page allocator.
 *
 * Follows the binary buddy system (Knuth, TAOCP vol. 1 §2.5, "Dynamic storage allocation"):
 * free memory is kept as naturally aligned blocks of 2^order pages on one free queue per order;
 * an allocation splits the smallest block that is large enough, a release merges the block with
 * its buddy (the block whose frame number differs only in bit `order`) while the buddy is free
 * and whole.
 *
 * The one idea: the memory map comes from the hypervisor, so it is normalised first — RAM
 * entries are trimmed to whole pages, sorted and merged, then every non-RAM entry and every
 * reserved range is cut out — and what remains is a short sorted list of segments. Each segment
 * owns a slice of the vm_page array; a physical address finds its page by a binary search over
 * the segments. Buddies never merge across segments, so holes need no vm_pages.
 *
 * Single pages — nearly every allocation — go through a per-CPU cache (as FreeBSD's per-CPU
 * page caches and XNU's per-CPU free lists do): a CPU takes and gives back order-0 pages under
 * its own lock and reaches the buddy lists only to move VM_PAGE_PCACHE_BATCH pages at a time.
 * Cached pages are free (counted in vm_page_free_count, state VM_PAGE_FREE) but on no free
 * queue (VM_PAGE_F_PCACHE, never F_FREEQ), so no buddy merges with them; they go back to the
 * buddy lists when a cache grows past VM_PAGE_PCACHE_HIGH, when an allocation finds nothing
 * else, and before block statistics are read. Lock order: a CPU's cache lock, then vm_page_lock.
 */
#include <console.h>
#include <mach/kern/locks.h>
#ifndef NIMBUS_HOSTED
#include <mach/kern/processor.h>
#endif
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>
#include <panic.h>

/* The largest physical address we accept from a memory map (x86-64 architectural maximum). */
#define VM_PHYS_LIMIT (1ULL << 52)

struct vm_page_seg {
	paddr_t vps_start; /* page aligned */
	paddr_t vps_end;
	vm_page_t vps_pages;
};

struct vm_page_freeq {
	vm_page_t vpq_head;
	uint64_t vpq_count;
};

#define VM_PAGE_PCACHE_BATCH 16 /* pages moved between a cache and the buddy lists at once */
#define VM_PAGE_PCACHE_HIGH  64 /* a cache holding more gives a batch back */

struct vm_page_pcache {
	lck_spin_t vpc_lock;
	vm_page_t vpc_head; /* free order-0 pages, linked by vmp_next */
	unsigned vpc_count;
} __attribute__((aligned(64)));

#ifdef NIMBUS_HOSTED
#define VM_PAGE_NCACHES 1
#define vm_page_cpu()	0u
#else
#define VM_PAGE_NCACHES MAX_CPUS
#define vm_page_cpu()	current_cpu()
#endif

/* The buddy lists; the counters are also changed lock-free by the per-CPU caches (atomics). */
static lck_spin_t vm_page_lock = LCK_SPIN_INITIALIZER;
static struct vm_page_pcache vm_page_pcache[VM_PAGE_NCACHES];
static struct vm_page_seg vm_page_segs[VM_PAGE_MAX_SEGS];
static unsigned vm_page_nsegs;
static struct vm_page_freeq vm_page_freeq[VM_PAGE_MAX_ORDER + 1];

uint64_t vm_page_free_count;
bool (*vm_page_account_match)(void);
int64_t vm_page_account_delta;
uint64_t vm_page_total_count;
uint64_t vm_page_wire_count;
uint64_t vm_page_array_pages;

/*
 * Memory-map normalisation.
 */

static void
ranges_insert(struct vm_phys_range *r, unsigned *n, unsigned at, paddr_t s, paddr_t e)
{
	memmove(&r[at + 1], &r[at], (*n - at) * sizeof(r[0]));
	r[at].vpr_start = s;
	r[at].vpr_end = e;
	(*n)++;
}

static void
ranges_remove(struct vm_phys_range *r, unsigned *n, unsigned at)
{
	memmove(&r[at], &r[at + 1], (*n - at - 1) * sizeof(r[0]));
	(*n)--;
}

/* Add [s, e) to the sorted, disjoint list r, merging with what it overlaps or touches. */
static void
ranges_add(struct vm_phys_range *r, unsigned *n, paddr_t s, paddr_t e, unsigned *dropped)
{
	unsigned i = 0;

	while (i < *n && r[i].vpr_end < s)
		i++;
	/* Absorb every range that overlaps or touches [s, e). */
	while (i < *n && r[i].vpr_start <= e) {
		s = MIN(s, r[i].vpr_start);
		e = MAX(e, r[i].vpr_end);
		ranges_remove(r, n, i);
	}
	if (*n == VM_PAGE_MAX_SEGS) {
		(*dropped)++;
		return;
	}
	ranges_insert(r, n, i, s, e);
}

/* Remove [s, e) from the sorted, disjoint list r. */
static void
ranges_cut(struct vm_phys_range *r, unsigned *n, paddr_t s, paddr_t e, unsigned *dropped)
{
	for (unsigned i = 0; i < *n;) {
		struct vm_phys_range *x = &r[i];

		if (x->vpr_end <= s || x->vpr_start >= e) {
			i++;
		} else if (x->vpr_start >= s && x->vpr_end <= e) {
			ranges_remove(r, n, i);
		} else if (x->vpr_start < s && x->vpr_end > e) {
			paddr_t tail = x->vpr_end;

			x->vpr_end = s;
			if (*n == VM_PAGE_MAX_SEGS)
				(*dropped)++;
			else
				ranges_insert(r, n, i + 1, e, tail);
			i += 2;
		} else if (x->vpr_start < s) {
			x->vpr_end = s;
			i++;
		} else {
			x->vpr_start = e;
			i++;
		}
	}
}

/* Validate a map entry: false for empty or wrapping ones; clamps to VM_PHYS_LIMIT. */
static bool
range_from_entry(uint64_t base, uint64_t len, paddr_t *s, paddr_t *e)
{
	if (len == 0 || base + len < base || base >= VM_PHYS_LIMIT)
		return false;
	*s = base;
	*e = MIN(base + len, VM_PHYS_LIMIT);
	return true;
}

static uint64_t
ranges_pages(const struct vm_phys_range *r, unsigned n)
{
	uint64_t pages = 0;

	for (unsigned i = 0; i < n; i++)
		pages += atop(r[i].vpr_end - r[i].vpr_start);
	return pages;
}

/*
 * Find room for the array: the first range below PHYSMAP_EARLY_LIMIT that can hold it.
 * Returns the index, or -1.
 */
static int
array_place(const struct vm_phys_range *r, unsigned n, uint64_t bytes)
{
	for (unsigned i = 0; i < n; i++) {
		paddr_t top = MIN(r[i].vpr_end, (paddr_t)PHYSMAP_EARLY_LIMIT);

		if (r[i].vpr_start < top && top - r[i].vpr_start >= bytes)
			return (int)i;
	}
	return -1;
}

/*
 * Free queues. The lock is held by callers of everything below.
 */

static void
freeq_push(vm_page_t m, unsigned order)
{
	struct vm_page_freeq *q = &vm_page_freeq[order];

	m->vmp_order = (uint8_t)order;
	m->vmp_flags = VM_PAGE_F_FREEQ;
	m->vmp_prev = NULL;
	m->vmp_next = q->vpq_head;
	if (q->vpq_head != NULL)
		q->vpq_head->vmp_prev = m;
	q->vpq_head = m;
	q->vpq_count++;
}

static void
freeq_remove(vm_page_t m)
{
	struct vm_page_freeq *q = &vm_page_freeq[m->vmp_order];

	assert(m->vmp_flags & VM_PAGE_F_FREEQ);
	if (m->vmp_prev != NULL)
		m->vmp_prev->vmp_next = m->vmp_next;
	else
		q->vpq_head = m->vmp_next;
	if (m->vmp_next != NULL)
		m->vmp_next->vmp_prev = m->vmp_prev;
	m->vmp_next = m->vmp_prev = NULL;
	m->vmp_flags &= (uint16_t)~VM_PAGE_F_FREEQ;
	q->vpq_count--;
}

static const struct vm_page_seg *
seg_lookup(paddr_t pa)
{
	unsigned lo = 0, hi = vm_page_nsegs;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct vm_page_seg *s = &vm_page_segs[mid];

		if (pa < s->vps_start)
			hi = mid;
		else if (pa >= s->vps_end)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

vm_page_t
PHYS_TO_VM_PAGE(paddr_t pa)
{
	const struct vm_page_seg *s = seg_lookup(pa);

	return s != NULL ? &s->vps_pages[atop(pa - s->vps_start)] : NULL;
}

/* Put the block of 2^order pages at m (all already marked free) back, merging with buddies. */
static void
block_free(vm_page_t m, unsigned order)
{
	const struct vm_page_seg *s = seg_lookup(m->vmp_phys);
	uint64_t pfn = atop(m->vmp_phys);
	uint64_t first = atop(s->vps_start), end = atop(s->vps_end);

	while (order < VM_PAGE_MAX_ORDER) {
		uint64_t bpfn = pfn ^ (1ULL << order);
		vm_page_t b;

		if (bpfn < first || bpfn + (1ULL << order) > end)
			break;
		b = &s->vps_pages[bpfn - first];
		if (!(b->vmp_flags & VM_PAGE_F_FREEQ) || b->vmp_order != order)
			break;
		freeq_remove(b);
		pfn &= ~(1ULL << order);
		order++;
	}
	freeq_push(&s->vps_pages[pfn - first], order);
}

/* Take block m of order `have` off its queue and split it down to `want`, keeping the head. */
static void
block_split(vm_page_t m, unsigned have, unsigned want)
{
	freeq_remove(m);
	while (have > want) {
		have--;
		freeq_push(m + (1UL << have), have);
	}
}

static void
block_mark_allocated(vm_page_t m, unsigned order)
{
	uint64_t n = 1ULL << order;

	for (uint64_t i = 0; i < n; i++) {
		assert(m[i].vmp_state == VM_PAGE_FREE);
		m[i].vmp_state = VM_PAGE_ALLOCATED;
		m[i].vmp_flags = 0;
		m[i].vmp_order = 0;
		m[i].vmp_wire_count = 1;
		m[i].vmp_zone = NULL;
		m[i].vmp_zone_off = 0;
		m[i].vmp_hnext = NULL;
		m[i].vmp_pv = NULL;
		m[i].vmp_queue = 0;
		m[i].vmp_pmap_attrs = 0;
		m[i].vmp_vmflags = 0;
	}
	m->vmp_order = (uint8_t)order;
	__atomic_fetch_sub(&vm_page_free_count, n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&vm_page_wire_count, n, __ATOMIC_RELAXED);
	if (vm_page_account_match != NULL && vm_page_account_match())
		vm_page_account_delta += (int64_t)n;
}

/*
 * Bootstrap.
 */

void
vm_page_bootstrap(const struct boot_mem_region *mem, unsigned nmem,
		  const struct vm_phys_range *reserved, unsigned nreserved)
{
	static struct vm_phys_range r[VM_PAGE_MAX_SEGS];
	unsigned n = 0, bad = 0, dropped = 0, shrunk = 0;
	paddr_t s, e;
	paddr_t array_pa = 0;
	int at = -1;

	memset(vm_page_freeq, 0, sizeof(vm_page_freeq));
	for (unsigned cpu = 0; cpu < VM_PAGE_NCACHES; cpu++) {
		vm_page_pcache[cpu].vpc_head = NULL;
		vm_page_pcache[cpu].vpc_count = 0;
	}
	vm_page_nsegs = 0;
	vm_page_free_count = vm_page_total_count = vm_page_wire_count = 0;
	vm_page_array_pages = 0;

	for (unsigned i = 0; i < nmem; i++) {
		if (mem[i].type != BOOT_MEM_RAM)
			continue;
		if (!range_from_entry(mem[i].base, mem[i].length, &s, &e)) {
			bad++;
			continue;
		}
		s = round_page(s);
		e = trunc_page(e);
		if (s < e)
			ranges_add(r, &n, s, e, &dropped);
	}
	/* Whatever else the map says about a page wins over RAM: the map may overlap itself. */
	for (unsigned i = 0; i < nmem; i++) {
		if (mem[i].type == BOOT_MEM_RAM)
			continue;
		if (!range_from_entry(mem[i].base, mem[i].length, &s, &e)) {
			bad++;
			continue;
		}
		ranges_cut(r, &n, trunc_page(s), round_page(e), &dropped);
	}
	for (unsigned i = 0; i < nreserved; i++) {
		if (reserved[i].vpr_start >= reserved[i].vpr_end)
			continue;
		ranges_cut(r, &n, trunc_page(reserved[i].vpr_start),
			   round_page(MIN(reserved[i].vpr_end, VM_PHYS_LIMIT)), &dropped);
	}
	if (bad != 0)
		klog(LOG_WARNING, "vm_page: %u empty or wrapping memory-map entries ignored\n",
		     bad);
	if (dropped != 0)
		klog(LOG_WARNING, "vm_page: memory map too fragmented; %u ranges not managed\n",
		     dropped);

	/*
	 * The array describes every page that remains, and is carved from the first range that
	 * can hold it below the early direct-map limit. When none can, memory is given up from the
	 * top until one can.
	 */
	for (;;) {
		uint64_t pages = ranges_pages(r, n);
		uint64_t bytes = round_page(pages * sizeof(struct vm_page));

		if (pages == 0)
			break;
		at = array_place(r, n, bytes);
		if (at >= 0) {
			array_pa = r[at].vpr_start;
			vm_page_array_pages = atop(bytes);
			r[at].vpr_start += bytes;
			if (r[at].vpr_start == r[at].vpr_end)
				ranges_remove(r, &n, (unsigned)at);
			break;
		}
		struct vm_phys_range *last = &r[n - 1];
		uint64_t len = atop(last->vpr_end - last->vpr_start);
		if (len <= 1)
			n--;
		else
			last->vpr_end = last->vpr_start + ptoa(len / 2);
		shrunk++;
	}
	if (n == 0) {
		klog(LOG_ERR, "vm_page: the memory map leaves no usable RAM\n");
		return;
	}
	if (shrunk != 0)
		klog(LOG_WARNING, "vm_page: RAM given up to fit the vm_page array\n");

	vm_page_t array = phystokv(array_pa);
	uint64_t idx = 0;

	for (unsigned i = 0; i < n; i++) {
		struct vm_page_seg *sg = &vm_page_segs[i];
		uint64_t np = atop(r[i].vpr_end - r[i].vpr_start);

		sg->vps_start = r[i].vpr_start;
		sg->vps_end = r[i].vpr_end;
		sg->vps_pages = &array[idx];
		for (uint64_t p = 0; p < np; p++) {
			vm_page_t m = &array[idx + p];

			memset(m, 0, sizeof(*m));
			m->vmp_phys = sg->vps_start + ptoa(p);
			m->vmp_state = VM_PAGE_FREE;
		}
		idx += np;
	}
	vm_page_nsegs = n;
	vm_page_total_count = idx;

	/* Free each segment as the largest aligned blocks that fit: nothing left to merge. */
	for (unsigned i = 0; i < n; i++) {
		struct vm_page_seg *sg = &vm_page_segs[i];
		uint64_t pfn = atop(sg->vps_start), end = atop(sg->vps_end);

		while (pfn < end) {
			unsigned order = 0;

			while (order < VM_PAGE_MAX_ORDER && (pfn & (1ULL << order)) == 0 &&
			       pfn + (2ULL << order) <= end)
				order++;
			freeq_push(&sg->vps_pages[pfn - atop(sg->vps_start)], order);
			pfn += 1ULL << order;
		}
	}
	vm_page_free_count = idx;
}

/*
 * Allocation.
 */

/* The smallest free block of at least 2^order pages, split down to 2^order (not yet marked
 * allocated); NULL when there is none. vm_page_lock held. */
static vm_page_t
buddy_take_locked(unsigned order)
{
	for (unsigned k = order; k <= VM_PAGE_MAX_ORDER; k++) {
		vm_page_t m = vm_page_freeq[k].vpq_head;

		if (m != NULL) {
			block_split(m, k, order);
			return m;
		}
	}
	return NULL;
}

/* Give cached pages (a list linked by vmp_next) back to the buddy lists. */
static void
pcache_give_back(vm_page_t list)
{
	bool st = lck_spin_lock_irqsave(&vm_page_lock);

	while (list != NULL) {
		vm_page_t m = list;

		list = m->vmp_next;
		m->vmp_next = NULL;
		m->vmp_flags = 0;
		block_free(m, 0);
	}
	lck_spin_unlock_irqrestore(&vm_page_lock, st);
}

void
vm_page_drain_caches(void)
{
	for (unsigned cpu = 0; cpu < VM_PAGE_NCACHES; cpu++) {
		struct vm_page_pcache *pc = &vm_page_pcache[cpu];
		bool st = lck_spin_lock_irqsave(&pc->vpc_lock);
		vm_page_t list = pc->vpc_head;

		pc->vpc_head = NULL;
		pc->vpc_count = 0;
		lck_spin_unlock_irqrestore(&pc->vpc_lock, st);
		pcache_give_back(list);
	}
}

vm_page_t
vm_page_grab_contig(unsigned order)
{
	vm_page_t m;
	bool st;

	if (order > VM_PAGE_MAX_ORDER)
		return NULL;
	for (int pass = 0; pass < 2; pass++) {
		st = lck_spin_lock_irqsave(&vm_page_lock);
		m = buddy_take_locked(order);
		if (m != NULL)
			block_mark_allocated(m, order);
		lck_spin_unlock_irqrestore(&vm_page_lock, st);
		if (m != NULL || vm_page_free_count == 0)
			return m;
		vm_page_drain_caches(); /* the pages may sit in the caches, unmerged */
	}
	return NULL;
}

vm_page_t
vm_page_grab(void)
{
	struct vm_page_pcache *pc;
	vm_page_t m;
	bool st;

	LCK_PREEMPT_DISABLE(); /* the cache of the CPU we stay on */
	pc = &vm_page_pcache[vm_page_cpu()];
	st = lck_spin_lock_irqsave(&pc->vpc_lock);
	if (pc->vpc_head == NULL) {
		/* Refill a batch: the pages stay free (and counted so), held by this cache. */
		bool gst = lck_spin_lock_irqsave(&vm_page_lock);

		while (pc->vpc_count < VM_PAGE_PCACHE_BATCH && (m = buddy_take_locked(0)) != NULL) {
			m->vmp_flags = VM_PAGE_F_PCACHE;
			m->vmp_next = pc->vpc_head;
			pc->vpc_head = m;
			pc->vpc_count++;
		}
		lck_spin_unlock_irqrestore(&vm_page_lock, gst);
	}
	m = pc->vpc_head;
	if (m != NULL) {
		pc->vpc_head = m->vmp_next;
		pc->vpc_count--;
		m->vmp_next = NULL;
		block_mark_allocated(m, 0);
	}
	lck_spin_unlock_irqrestore(&pc->vpc_lock, st);
	LCK_PREEMPT_ENABLE();
	/* Nothing here or in the buddy lists: other CPUs' caches may still hold pages. */
	return m != NULL ? m : vm_page_grab_contig(0);
}

vm_page_t
vm_page_grab_below(paddr_t limit)
{
	vm_page_t m = NULL;
	bool st;

	for (int pass = 0; pass < 2 && m == NULL; pass++) {
		if (pass == 1)
			vm_page_drain_caches();
		st = lck_spin_lock_irqsave(&vm_page_lock);
		for (unsigned k = 0; k <= VM_PAGE_MAX_ORDER && m == NULL; k++) {
			for (vm_page_t x = vm_page_freeq[k].vpq_head; x != NULL; x = x->vmp_next) {
				if (x->vmp_phys < limit && limit - x->vmp_phys >= PAGE_SIZE) {
					block_split(x, k, 0);
					block_mark_allocated(x, 0);
					m = x;
					break;
				}
			}
		}
		lck_spin_unlock_irqrestore(&vm_page_lock, st);
	}
	return m;
}

/* Check that the 2^order pages at m may be released and make them free (not yet queued). */
static void
release_prepare(vm_page_t m, unsigned order)
{
	uint64_t n = 1ULL << order;

	if (order > VM_PAGE_MAX_ORDER || m == NULL || PHYS_TO_VM_PAGE(m->vmp_phys) != m)
		panic("vm_page_release: %p is not a managed page", (void *)m);
	if ((atop(m->vmp_phys) & (n - 1)) != 0 || m->vmp_order != order)
		panic("vm_page_release: page %#llx released as order %u, grabbed as order %u",
		      (unsigned long long)m->vmp_phys, order, m->vmp_order);
	for (uint64_t i = 0; i < n; i++) {
		if (m[i].vmp_state != VM_PAGE_ALLOCATED)
			panic("vm_page_release: page %#llx is already free",
			      (unsigned long long)m[i].vmp_phys);
		if (m[i].vmp_pv != NULL)
			panic("vm_page_release: page %#llx is still mapped",
			      (unsigned long long)m[i].vmp_phys);
	}
	for (uint64_t i = 0; i < n; i++) {
		m[i].vmp_state = VM_PAGE_FREE;
		m[i].vmp_flags = 0;
		m[i].vmp_wire_count = 0;
		m[i].vmp_zone = NULL;
		m[i].vmp_zone_off = 0;
		m[i].vmp_hnext = NULL;
		m[i].vmp_pv = NULL;
		m[i].vmp_queue = 0;
		m[i].vmp_pmap_attrs = 0;
		m[i].vmp_vmflags = 0;
	}
	__atomic_fetch_add(&vm_page_free_count, n, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&vm_page_wire_count, n, __ATOMIC_RELAXED);
	if (vm_page_account_match != NULL && vm_page_account_match())
		vm_page_account_delta -= (int64_t)n;
}

void
vm_page_release_contig(vm_page_t m, unsigned order)
{
	bool st;

	/* The checks read only m's own pages, which no one else may touch while we own them. */
	release_prepare(m, order);
	st = lck_spin_lock_irqsave(&vm_page_lock);
	block_free(m, order);
	lck_spin_unlock_irqrestore(&vm_page_lock, st);
}

void
vm_page_release(vm_page_t m)
{
	struct vm_page_pcache *pc;
	vm_page_t extra = NULL;
	bool st;

	release_prepare(m, 0);
	LCK_PREEMPT_DISABLE();
	pc = &vm_page_pcache[vm_page_cpu()];
	st = lck_spin_lock_irqsave(&pc->vpc_lock);
	m->vmp_order = 0;
	m->vmp_flags = VM_PAGE_F_PCACHE;
	m->vmp_next = pc->vpc_head;
	pc->vpc_head = m;
	if (++pc->vpc_count > VM_PAGE_PCACHE_HIGH) {
		/* Hand a batch back so other CPUs and larger blocks can have them. */
		for (unsigned i = 0; i < VM_PAGE_PCACHE_BATCH; i++) {
			vm_page_t x = pc->vpc_head;

			pc->vpc_head = x->vmp_next;
			x->vmp_next = extra;
			extra = x;
		}
		pc->vpc_count -= VM_PAGE_PCACHE_BATCH;
	}
	lck_spin_unlock_irqrestore(&pc->vpc_lock, st);
	LCK_PREEMPT_ENABLE();
	if (extra != NULL)
		pcache_give_back(extra);
}

/*
 * Statistics.
 */

void
vm_page_free_blocks(uint64_t counts[VM_PAGE_MAX_ORDER + 1])
{
	bool st;

	vm_page_drain_caches(); /* cached pages are free but in no block: count them merged */
	st = lck_spin_lock_irqsave(&vm_page_lock);

	for (unsigned k = 0; k <= VM_PAGE_MAX_ORDER; k++)
		counts[k] = vm_page_freeq[k].vpq_count;
	lck_spin_unlock_irqrestore(&vm_page_lock, st);
}

void
vm_page_print_stats(void)
{
	uint64_t counts[VM_PAGE_MAX_ORDER + 1];
	char line[160];
	int len = 0;

	printf("mem: %llu pages managed (%llu MiB) in %u segments, %llu free, %llu wired, "
	       "%llu pages of vm_page array\n",
	       (unsigned long long)vm_page_total_count,
	       (unsigned long long)(vm_page_total_count >> (20 - PAGE_SHIFT)), vm_page_nsegs,
	       (unsigned long long)vm_page_free_count, (unsigned long long)vm_page_wire_count,
	       (unsigned long long)vm_page_array_pages);
	vm_page_free_blocks(counts);
	for (unsigned k = 0; k <= VM_PAGE_MAX_ORDER; k++)
		len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %u:%llu", k,
				 (unsigned long long)counts[k]);
	printf("mem: free blocks by order%s\n", line);
}
