/*
 * kalloc.c — the kernel's general-purpose allocator, after XNU's kalloc (osfmk/kern/kalloc.c).
 *
 * Requests up to KALLOC_MAX_ZONE_SIZE go to the smallest of a fixed ladder of zones
 * (kalloc.16 ... kalloc.8192; the 1.5x steps keep internal waste under a third); larger ones
 * take a naturally aligned block of 2^order pages straight from vm_page, tagged in the head
 * page so that kfree() can check what it is given.
 *
 * The one idea: kfree() is told the size, so it finds the class again without a header; the
 * zone's own ownership check (zfree) then catches a size from another class.
 */
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>
#include <panic.h>

static const struct {
	vm_size_t ks_size;
	const char *ks_name;
} kalloc_sizes[] = {
	{ 16, "kalloc.16" },	 { 32, "kalloc.32" },	  { 48, "kalloc.48" },
	{ 64, "kalloc.64" },	 { 96, "kalloc.96" },	  { 128, "kalloc.128" },
	{ 192, "kalloc.192" },	 { 256, "kalloc.256" },	  { 384, "kalloc.384" },
	{ 512, "kalloc.512" },	 { 768, "kalloc.768" },	  { 1024, "kalloc.1024" },
	{ 1536, "kalloc.1536" }, { 2048, "kalloc.2048" }, { 3072, "kalloc.3072" },
	{ 4096, "kalloc.4096" }, { 6144, "kalloc.6144" }, { 8192, "kalloc.8192" },
};

#define KALLOC_NZONES ARRAY_SIZE(kalloc_sizes)
#define KALLOC_STEP   16

static zone_t kalloc_zones[KALLOC_NZONES];
/* Zone index for each size, in steps of 16 bytes: kalloc_index[(size + 15) / 16]. */
static uint8_t kalloc_index[KALLOC_MAX_ZONE_SIZE / KALLOC_STEP + 1];

void
kalloc_init(void)
{
	unsigned z = 0;

	for (unsigned i = 0; i < KALLOC_NZONES; i++) {
		kalloc_zones[i] = zinit(kalloc_sizes[i].ks_size, 0, 0, kalloc_sizes[i].ks_name);
		if (kalloc_zones[i] == NULL)
			panic("kalloc_init: cannot create zone %s", kalloc_sizes[i].ks_name);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(kalloc_index); i++) {
		while (kalloc_sizes[z].ks_size < i * KALLOC_STEP)
			z++;
		kalloc_index[i] = (uint8_t)z;
	}
}

/* Page-block order for a large request. */
static unsigned
kalloc_order(vm_size_t size)
{
	unsigned order = 0;

	while (ptoa(1) << order < size)
		order++;
	return order;
}

vm_size_t
kalloc_size(vm_size_t size)
{
	if (size == 0 || size > KALLOC_MAX_SIZE)
		return 0;
	if (size <= KALLOC_MAX_ZONE_SIZE)
		return kalloc_sizes[kalloc_index[(size + KALLOC_STEP - 1) / KALLOC_STEP]].ks_size;
	return ptoa(1) << kalloc_order(size);
}

void *
kalloc(vm_size_t size)
{
	vm_page_t m;
	unsigned order;

	if (size == 0 || size > KALLOC_MAX_SIZE)
		return NULL;
	if (size <= KALLOC_MAX_ZONE_SIZE)
		return zalloc(kalloc_zones[kalloc_index[(size + KALLOC_STEP - 1) / KALLOC_STEP]]);
	order = kalloc_order(size);
	m = vm_page_grab_contig(order);
	if (m == NULL)
		return NULL;
	m->vmp_flags |= VM_PAGE_F_KALLOC;
	return phystokv(VM_PAGE_TO_PHYS(m));
}

void *
kalloc_zero(vm_size_t size)
{
	void *p = kalloc(size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void
kfree(void *ptr, vm_size_t size)
{
	vm_page_t m;
	unsigned order;

	if (ptr == NULL)
		return;
	if (size == 0 || size > KALLOC_MAX_SIZE)
		panic("kfree: %p freed with impossible size %lu", ptr, (unsigned long)size);
	if (size <= KALLOC_MAX_ZONE_SIZE) {
		zfree(kalloc_zones[kalloc_index[(size + KALLOC_STEP - 1) / KALLOC_STEP]], ptr);
		return;
	}
	order = kalloc_order(size);
	m = PHYS_TO_VM_PAGE(kvtophys(ptr));
	if (m == NULL || ((uintptr_t)ptr & PAGE_MASK) != 0 || !(m->vmp_flags & VM_PAGE_F_KALLOC))
		panic("kfree: %p (size %lu) did not come from kalloc", ptr, (unsigned long)size);
	if (m->vmp_order != order)
		panic("kfree: %p freed with size %lu (order %u), allocated as order %u", ptr,
		      (unsigned long)size, order, m->vmp_order);
	m->vmp_flags &= (uint16_t)~VM_PAGE_F_KALLOC;
	vm_page_release_contig(m, order);
}
