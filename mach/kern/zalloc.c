/*
 * zalloc.c — Mach zones: fixed-size element allocators over physical pages.
 *
 * Follows the Mach 3.0 zone allocator (kern/zalloc.c: zinit/zalloc/zfree, a zone of zones) with
 * XNU's free-element checks. A zone grows by one chunk — 2^order contiguous pages from vm_page,
 * reached through the direct map — carved into elements that go on a singly linked free list.
 *
 * The one idea: every page a zone owns is tagged in its vm_page (VM_PAGE_F_ZONE, the zone, the
 * page's byte offset in its chunk), so zfree() can prove that a pointer is an element of this
 * zone from the address alone; a free element carries a cookie (derived from its own address)
 * and a poison pattern, so a double free and a write after free are caught, not absorbed.
 */
#include <console.h>
#include <mach/kern/locks.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>
#include <panic.h>

#define ZONE_FREE_COOKIE 0x5a6f6e65467265ebULL /* "ZoneFre" */
#define ZONE_POISON	 0xdeadbeefdeadbeefULL
#define ZONE_POISON_MAX	 64 /* bytes after the header that are poisoned and checked */

struct zone_free {
	struct zone_free *zf_next;
	uint64_t zf_cookie; /* ZONE_FREE_COOKIE ^ the element's address */
};

struct zone {
	lck_spin_t z_lock;
	const char *z_name;
	vm_size_t z_elem_size;
	vm_size_t z_max_size;
	unsigned z_alloc_order;
	unsigned z_chunk_elems;
	uint64_t z_pages;
	uint64_t z_count;
	uint64_t z_free_count;
	struct zone_free *z_free;
	struct zone *z_next; /* all zones, under zone_list_lock */
};

static struct zone zone_zone;
static lck_spin_t zone_list_lock = LCK_SPIN_INITIALIZER;
static struct zone *zone_list;
static unsigned zone_list_count;

static uint64_t
zone_cookie(const void *elem)
{
	return ZONE_FREE_COOKIE ^ (uint64_t)(uintptr_t)elem;
}

static size_t
zone_poison_len(const struct zone *z)
{
	return MIN(z->z_elem_size - sizeof(struct zone_free), (vm_size_t)ZONE_POISON_MAX) / 8;
}

/*
 * Chunk order for elem-byte elements: `alloc` bytes when given; else the smallest chunk that
 * holds an element, grown (up to 8 times) while more than 1/8 of it would be wasted.
 */
static unsigned
zone_pick_order(vm_size_t elem, vm_size_t alloc)
{
	vm_size_t want = MAX(alloc, elem);
	unsigned order = 0, best;

	while (order < VM_PAGE_MAX_ORDER && (PAGE_SIZE << order) < want)
		order++;
	if (alloc != 0)
		return order;
	best = order;
	for (unsigned o = order; o <= MIN(order + 3, (unsigned)VM_PAGE_MAX_ORDER); o++) {
		vm_size_t chunk = PAGE_SIZE << o, bchunk = PAGE_SIZE << best;

		if ((chunk % elem) * 8 <= chunk)
			return o;
		if ((chunk % elem) * bchunk < (bchunk % elem) * chunk)
			best = o;
	}
	return best;
}

static void
zone_setup(struct zone *z, vm_size_t size, vm_size_t max, vm_size_t alloc, const char *name)
{
	memset(z, 0, sizeof(*z));
	lck_spin_init(&z->z_lock);
	z->z_name = name;
	z->z_elem_size = ROUNDUP(MAX(size, (vm_size_t)ZONE_MIN_ELEM), 8);
	z->z_max_size = max;
	z->z_alloc_order = zone_pick_order(z->z_elem_size, alloc);
	z->z_chunk_elems = (unsigned)((ptoa(1) << z->z_alloc_order) / z->z_elem_size);

	bool st = lck_spin_lock_irqsave(&zone_list_lock);
	z->z_next = zone_list;
	zone_list = z;
	zone_list_count++;
	lck_spin_unlock_irqrestore(&zone_list_lock, st);
}

void
zone_bootstrap(void)
{
	zone_list = NULL;
	zone_list_count = 0;
	zone_setup(&zone_zone, sizeof(struct zone), 0, 0, "zones");
}

zone_t
zinit(vm_size_t size, vm_size_t max, vm_size_t alloc, const char *name)
{
	struct zone *z;

	if (size == 0 || size > (ptoa(1) << VM_PAGE_MAX_ORDER)) {
		klog(LOG_ERR, "zinit: zone %s: element size %lu is not supported\n", name,
		     (unsigned long)size);
		return NULL;
	}
	z = zalloc(&zone_zone);
	if (z == NULL)
		return NULL;
	zone_setup(z, size, max, alloc, name);
	return z;
}

static void
zone_push_free(struct zone *z, void *elem)
{
	struct zone_free *f = elem;
	uint64_t *poison = (uint64_t *)(f + 1);

	for (size_t i = 0; i < zone_poison_len(z); i++)
		poison[i] = ZONE_POISON;
	f->zf_cookie = zone_cookie(elem);
	f->zf_next = z->z_free;
	z->z_free = f;
	z->z_free_count++;
}

/*
 * Add one chunk to the free list. Zone locked. Returns false when no chunk may be had.
 * XXX: chunks are never given back to vm_page; zone_gc() comes with the pageout daemon.
 */
static bool
zone_grow(struct zone *z)
{
	uint64_t pages = 1ULL << z->z_alloc_order;
	vm_page_t m;
	uint8_t *base;

	if (z->z_max_size != 0 && ptoa(z->z_pages + pages) > z->z_max_size)
		return false;
	m = vm_page_grab_contig(z->z_alloc_order);
	if (m == NULL)
		return false;
	for (uint64_t i = 0; i < pages; i++) {
		m[i].vmp_flags |= VM_PAGE_F_ZONE;
		m[i].vmp_zone = z;
		m[i].vmp_zone_off = ptoa(i);
	}
	base = phystokv(VM_PAGE_TO_PHYS(m));
	/* Push in reverse so that the chunk is handed out in address order. */
	for (unsigned i = z->z_chunk_elems; i-- > 0;)
		zone_push_free(z, base + i * z->z_elem_size);
	z->z_pages += pages;
	return true;
}

void *
zalloc(zone_t z)
{
	struct zone_free *f;
	uint64_t *poison;
	bool st;

	st = lck_spin_lock_irqsave(&z->z_lock);
	if (z->z_free == NULL && !zone_grow(z)) {
		lck_spin_unlock_irqrestore(&z->z_lock, st);
		return NULL;
	}
	f = z->z_free;
	if (f->zf_cookie != zone_cookie(f))
		panic("zalloc: zone %s: free element %p was modified after free", z->z_name,
		      (void *)f);
	poison = (uint64_t *)(f + 1);
	for (size_t i = 0; i < zone_poison_len(z); i++)
		if (poison[i] != ZONE_POISON)
			panic("zalloc: zone %s: free element %p was written at +%zu after free",
			      z->z_name, (void *)f, sizeof(*f) + i * 8);
	z->z_free = f->zf_next;
	z->z_free_count--;
	z->z_count++;
	f->zf_next = NULL;
	f->zf_cookie = 0;
	lck_spin_unlock_irqrestore(&z->z_lock, st);
	return f;
}

/* Panic unless elem is the start of an element in one of z's chunks. */
static void
zone_check_owner(struct zone *z, void *elem)
{
	paddr_t pa = kvtophys(elem);
	vm_page_t m = PHYS_TO_VM_PAGE(pa);
	uint64_t off;

	if (m == NULL || !(m->vmp_flags & VM_PAGE_F_ZONE) || m->vmp_zone != z)
		panic("zfree: %p is not an element of zone %s", elem, z->z_name);
	off = m->vmp_zone_off + (pa & PAGE_MASK);
	if (off % z->z_elem_size != 0 || off / z->z_elem_size >= z->z_chunk_elems)
		panic("zfree: %p is inside, not at the start of, an element of zone %s", elem,
		      z->z_name);
}

void
zfree(zone_t z, void *elem)
{
	struct zone_free *f = elem;
	bool st;

	if (elem == NULL)
		panic("zfree: NULL freed to zone %s", z->z_name);
	zone_check_owner(z, elem);
	st = lck_spin_lock_irqsave(&z->z_lock);
	if (f->zf_cookie == zone_cookie(elem))
		panic("zfree: %p freed twice to zone %s", elem, z->z_name);
	zone_push_free(z, elem);
	z->z_count--;
	lck_spin_unlock_irqrestore(&z->z_lock, st);
}

void
zone_get_info(zone_t z, struct zone_info *info)
{
	bool st = lck_spin_lock_irqsave(&z->z_lock);

	info->zi_name = z->z_name;
	info->zi_elem_size = z->z_elem_size;
	info->zi_alloc_size = ptoa(1) << z->z_alloc_order;
	info->zi_max_size = z->z_max_size;
	info->zi_count = z->z_count;
	info->zi_free_count = z->z_free_count;
	info->zi_pages = z->z_pages;
	lck_spin_unlock_irqrestore(&z->z_lock, st);
}

zone_t
zone_find(const char *name)
{
	struct zone *z;
	bool st = lck_spin_lock_irqsave(&zone_list_lock);

	for (z = zone_list; z != NULL; z = z->z_next)
		if (strcmp(z->z_name, name) == 0)
			break;
	lck_spin_unlock_irqrestore(&zone_list_lock, st);
	return z;
}

unsigned
zone_count(void)
{
	return __atomic_load_n(&zone_list_count, __ATOMIC_RELAXED);
}

void
zone_print_stats(void)
{
	struct zone_info zi;
	uint64_t pages = 0;

	/* Zones are never destroyed, so the list can be walked without holding its lock. */
	for (struct zone *z = __atomic_load_n(&zone_list, __ATOMIC_ACQUIRE); z != NULL;
	     z = z->z_next) {
		zone_get_info(z, &zi);
		pages += zi.zi_pages;
		printf("zone: %-16s size %5lu in use %6llu free %6llu pages %5llu\n", zi.zi_name,
		       (unsigned long)zi.zi_elem_size, (unsigned long long)zi.zi_count,
		       (unsigned long long)zi.zi_free_count, (unsigned long long)zi.zi_pages);
	}
	printf("zone: %u zones, %llu pages\n", zone_count(), (unsigned long long)pages);
}
