/*
 * pmap.c — the kernel's page tables: direct map, kernel image, device window.
 *
 * Follows the Intel SDM vol. 3A ch. 4 (4-level paging, §4.5; 1 GiB pages with CPUID
 * 0x80000001 EDX[26]; NX with EFER.NXE; global pages with CR4.PGE; memory types through PAT,
 * §11.12, whose power-on entry 3 is UC and is what PCD|PWT selects).
 *
 * The one idea: boot.S's throw-away tables map the first 4 GiB, so pmap_bootstrap() builds the
 * real tables in pages below 4 GiB — written through the boot direct map, which sits at the same
 * virtual addresses as the new one — and then loads CR3 once. The code, stack, GDT/IDT/TSS and
 * the boot information all live in the kernel image, which the new tables map at the same
 * addresses, so nothing notices the switch except the low identity map, which is gone.
 *
 * What the direct map covers: every RAM, ACPI and NVS entry of the memory map, plus what
 * firmware keeps in reserved RAM next to them. SeaBIOS (QEMU's PVH and Multiboot paths) marks
 * its ACPI tables and the RSDP (in the BIOS area below 1 MiB) as plain "reserved", so the
 * reserved entries of at most PMAP_FW_RESERVED_MAX bytes that touch RAM, and the BIOS area
 * [0xe0000, 0x100000), are mapped too. Device memory (PCI holes, flash, chipset) is never in
 * the direct map: it is mapped uncached by pmap_mapdev().
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/pmap.h>
#include <console.h>
#include <arch/x86_64/pmap_internal.h>
#include <mach/kern/locks.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>
#include <panic.h>

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

#define PMAP_FW_RESERVED_MAX (1 * MiB)
#define PMAP_BIOS_AREA_START 0xe0000ULL
#define PMAP_BIOS_AREA_END   0x100000ULL
#define PMAP_DIRECT_MAX	     (64ULL << 40) /* PML4 slots 256..383 */
#define PMAP_MAPDEV_RECORDS  64
#define PAT_DEFAULT	     0x0007040600070406ULL /* WB, WT, UC-, UC, WB, WT, UC-, UC */

extern char _text_start[], _text_end[], _rodata_start[], _rodata_end[];
extern char _data_start[], _kernel_end[];

struct pmap kernel_pmap_store = { .pm_lock = LCK_SPIN_INITIALIZER, .pm_refs = 1 };
#define pmap_lock    kernel_pmap_store.pm_lock
#define pmap_pml4_pa kernel_pmap_store.pm_pml4
#define pmap_ptpages kernel_pmap_store.pm_ptpages
static bool pmap_live;
bool pmap_nx, pmap_pge;
static bool pmap_gbpages;

static struct {
	paddr_t pm_start, pm_end;
	vaddr_t pm_va;
} pmap_devmaps[PMAP_MAPDEV_RECORDS];
static unsigned pmap_ndevmaps;
static vaddr_t pmap_dev_next = PMAP_DEVICE_BASE;

bool
pmap_nx_enabled(void)
{
	return pmap_nx;
}

bool
pmap_gbpages_enabled(void)
{
	return pmap_gbpages;
}

/* A zeroed page-table page. Before the switch it must be reachable through the boot tables. */
static paddr_t
ptp_alloc(void)
{
	vm_page_t m = pmap_live ? vm_page_grab() : vm_page_grab_below(PHYSMAP_EARLY_LIMIT);

	if (m == NULL)
		return 0;
	memset(phystokv(VM_PAGE_TO_PHYS(m)), 0, PAGE_SIZE);
	pmap_ptpages++;
	return VM_PAGE_TO_PHYS(m);
}

/*
 * Map one page of size 4 KiB (level 1), 2 MiB (2) or 1 GiB (3) at va. Intermediate entries are
 * kernel read-write and executable: the leaf alone says what is allowed. Mapping over an
 * existing leaf, or a large page over a table, is a pmap bug. Returns false when out of memory.
 */
static bool
pmap_kmap_level(vaddr_t va, paddr_t pa, unsigned level, uint64_t flags)
{
	pt_entry_t *table = phystokv(pmap_pml4_pa);

	for (unsigned l = 4; l > level; l--) {
		pt_entry_t *e = &table[pte_index(va, l)];

		if (*e & PTE_PS)
			panic("pmap_kmap_level: %#lx already mapped by a large page", (unsigned long)va);
		if (!(*e & PTE_P)) {
			paddr_t ptp = ptp_alloc();

			if (ptp == 0)
				return false;
			*e = ptp | PTE_P | PTE_W;
		}
		table = phystokv(*e & PTE_ADDR_MASK);
	}
	pt_entry_t *leaf = &table[pte_index(va, level)];

	if (*leaf & PTE_P)
		panic("pmap_kmap_level: %#lx is already mapped", (unsigned long)va);
	/* Bit 63 is reserved (a fault) unless EFER.NXE is on. */
	if (!pmap_nx)
		flags &= ~PTE_NX;
	*leaf = pa | flags | PTE_P | (level > 1 ? PTE_PS : 0) | (pmap_pge ? PTE_G : 0);
	return true;
}

static void
pmap_kmap_boot(vaddr_t va, paddr_t pa, unsigned level, uint64_t flags)
{
	if (!pmap_kmap_level(va, pa, level, flags))
		panic("pmap_bootstrap: out of memory for page tables");
}

/*
 * The direct map.
 */

struct pmap_range {
	paddr_t start, end;
};

static void
range_add(struct pmap_range *r, unsigned *n, unsigned cap, paddr_t s, paddr_t e)
{
	unsigned i;

	if (*n == cap) {
		klog(LOG_WARNING, "pmap: too many memory-map ranges; [%#llx, %#llx) not mapped\n",
		     (unsigned long long)s, (unsigned long long)e);
		return;
	}
	for (i = *n; i > 0 && r[i - 1].start > s; i--)
		r[i] = r[i - 1];
	r[i].start = s;
	r[i].end = e;
	(*n)++;
}

static bool
mem_is_mapped_type(uint32_t type)
{
	return type == BOOT_MEM_RAM || type == BOOT_MEM_ACPI || type == BOOT_MEM_NVS;
}

/* Whether reserved entry i is firmware data kept in RAM: small, and touching a mapped entry. */
static bool
mem_is_fw_reserved(const struct boot_info *bi, uint32_t i)
{
	const struct boot_mem_region *r = &bi->mem[i];

	if (r->type != BOOT_MEM_RESERVED || r->length > PMAP_FW_RESERVED_MAX)
		return false;
	for (uint32_t j = 0; j < bi->nmem; j++) {
		const struct boot_mem_region *o = &bi->mem[j];

		if (mem_is_mapped_type(o->type) &&
		    (o->base + o->length == r->base || r->base + r->length == o->base))
			return true;
	}
	return false;
}

static paddr_t
pmap_phys_limit(void)
{
	uint32_t r[4];
	unsigned bits = 36;

	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000008) {
		cpuid(0x80000008, 0, r);
		bits = r[0] & 0xff;
	}
	if (bits < 32 || bits > 52)
		bits = 36;
	return MIN(1ULL << bits, PMAP_DIRECT_MAX);
}

static uint64_t
pmap_map_direct(const struct boot_info *bi, uint64_t counts[3])
{
	static struct pmap_range r[BOOT_MEM_MAX + 1];
	paddr_t limit = pmap_phys_limit();
	uint64_t flags = PTE_W | PTE_NX;
	unsigned n = 0, m = 0;
	uint64_t bytes = 0;

	range_add(r, &n, ARRAY_SIZE(r), PMAP_BIOS_AREA_START, PMAP_BIOS_AREA_END);
	for (uint32_t i = 0; i < bi->nmem; i++) {
		const struct boot_mem_region *e = &bi->mem[i];

		if (!mem_is_mapped_type(e->type) && !mem_is_fw_reserved(bi, i))
			continue;
		if (e->length == 0 || e->base + e->length < e->base || e->base >= limit) {
			klog(LOG_WARNING, "pmap: memory-map entry [%#llx, +%#llx) not mapped\n",
			     (unsigned long long)e->base, (unsigned long long)e->length);
			continue;
		}
		range_add(r, &n, ARRAY_SIZE(r), trunc_page(e->base),
			  round_page(MIN(e->base + e->length, limit)));
	}
	/* Merge overlapping and touching ranges so that large pages can span them. */
	for (unsigned i = 0; i < n; i++) {
		if (m > 0 && r[i].start <= r[m - 1].end)
			r[m - 1].end = MAX(r[m - 1].end, r[i].end);
		else
			r[m++] = r[i];
	}

	for (unsigned i = 0; i < m; i++) {
		for (paddr_t pa = r[i].start; pa < r[i].end;) {
			uint64_t left = r[i].end - pa;
			vaddr_t va = (vaddr_t)phystokv(pa);

			if (pmap_gbpages && (pa & (GiB - 1)) == 0 && left >= GiB) {
				pmap_kmap_boot(va, pa, 3, flags);
				counts[2]++;
				pa += GiB;
			} else if ((pa & (2 * MiB - 1)) == 0 && left >= 2 * MiB) {
				pmap_kmap_boot(va, pa, 2, flags);
				counts[1]++;
				pa += 2 * MiB;
			} else {
				pmap_kmap_boot(va, pa, 1, flags);
				counts[0]++;
				pa += PAGE_SIZE;
			}
		}
		bytes += r[i].end - r[i].start;
	}
	return bytes;
}

/* Map [start, end) of the kernel image at its link address with 4 KiB pages. */
static uint64_t
pmap_map_kernel(const char *start, const char *end, uint64_t flags)
{
	vaddr_t va = trunc_page((vaddr_t)start), top = round_page((vaddr_t)end);

	for (; va < top; va += PAGE_SIZE)
		pmap_kmap_boot(va, va - KERNEL_BASE, 1, flags);
	return round_page((vaddr_t)end) - trunc_page((vaddr_t)start);
}

void
pmap_bootstrap(const struct boot_info *bi)
{
	uint64_t counts[3] = { 0, 0, 0 }, direct, kernel = 0;

	pmap_nx = (rdmsr(MSR_EFER) & EFER_NXE) != 0;
	pmap_gbpages = cpu_has(0x80000001, CPUID_EDX, 26);
	pmap_pge = cpu_has(1, CPUID_EDX, 13);

	pmap_pml4_pa = ptp_alloc();
	if (pmap_pml4_pa == 0)
		panic("pmap_bootstrap: no page below 4 GiB for the PML4");

	/*
	 * XXX: the direct map aliases the kernel image read-write; making the text and rodata
	 * aliases read-only means splitting large pages there, left for later.
	 */
	direct = pmap_map_direct(bi, counts);
	/* The .boot segment (32-bit entry, boot GDT) is not needed once we run on these tables. */
	kernel += pmap_map_kernel(_text_start, _text_end, 0);
	kernel += pmap_map_kernel(_rodata_start, _rodata_end, PTE_NX);
	kernel += pmap_map_kernel(_data_start, _kernel_end, PTE_W | PTE_NX);
	/*
	 * Every pmap shares the kernel half by copying PML4 slots 256..511 when it is created, so
	 * those slots must never change afterwards: give each empty one its PDPT page now.
	 */
	for (unsigned i = PMAP_KERNEL_PML4_FIRST; i < 512; i++) {
		pt_entry_t *e = (pt_entry_t *)phystokv(pmap_pml4_pa) + i;

		if (!(*e & PTE_P)) {
			paddr_t ptp = ptp_alloc();

			if (ptp == 0)
				panic("pmap_bootstrap: out of memory for the kernel PDPT pages");
			*e = ptp | PTE_P | PTE_W;
		}
	}

	/* PAT entry 3 (PCD|PWT) must be UC for pmap_mapdev(); the power-on value says so. */
	if (cpu_has(1, CPUID_EDX, 16))
		wrmsr(MSR_PAT, PAT_DEFAULT);
	write_cr3(pmap_pml4_pa);
	pmap_live = true;
	if (pmap_pge) {
		uint64_t cr4 = read_cr4();

		/* Toggling PGE flushes any global entries the loader may have left. */
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4 | CR4_PGE);
	}
	write_cr0(read_cr0() | CR0_WP);
	pmap_pcid_bootstrap();

	printf("pmap: direct map %llu MiB in %llu 1G + %llu 2M + %llu 4K pages, kernel %llu KiB, "
	       "%llu table pages, NX %s, global %s\n",
	       (unsigned long long)(direct >> 20), (unsigned long long)counts[2],
	       (unsigned long long)counts[1], (unsigned long long)counts[0],
	       (unsigned long long)(kernel >> 10), (unsigned long long)pmap_ptpages,
	       pmap_nx ? "on" : "off", pmap_pge ? "on" : "off");
}

/*
 * Device mappings.
 */

void *
pmap_mapdev(paddr_t pa, size_t len)
{
	paddr_t start, end;
	vaddr_t va = 0;
	bool st;

	if (!pmap_live) {
		klog(LOG_ERR, "pmap_mapdev: %#llx mapped before pmap_bootstrap\n",
		     (unsigned long long)pa);
		return NULL;
	}
	if (len == 0 || pa + len < pa || pa + len > pmap_phys_limit())
		return NULL;
	start = trunc_page(pa);
	end = round_page(pa + len);
	for (paddr_t p = start; p < end; p += PAGE_SIZE) {
		if (PHYS_TO_VM_PAGE(p) != NULL) {
			klog(LOG_ERR, "pmap_mapdev: [%#llx, +%#zx) is RAM, not device memory\n",
			     (unsigned long long)pa, len);
			return NULL;
		}
	}

	st = lck_spin_lock_irqsave(&pmap_lock);
	for (unsigned i = 0; i < pmap_ndevmaps; i++) {
		if (start >= pmap_devmaps[i].pm_start && end <= pmap_devmaps[i].pm_end) {
			va = pmap_devmaps[i].pm_va + (start - pmap_devmaps[i].pm_start);
			goto out;
		}
	}
	if (end - start > PMAP_DEVICE_END - pmap_dev_next) {
		klog(LOG_ERR, "pmap_mapdev: device window full; [%#llx, +%#zx) not mapped\n",
		     (unsigned long long)pa, len);
		goto out;
	}
	for (paddr_t p = start; p < end; p += PAGE_SIZE) {
		if (!pmap_kmap_level(pmap_dev_next + (p - start), p, 1,
				PTE_W | PTE_NX | PTE_PCD | PTE_PWT)) {
			/* The partly mapped window stays used: its entries are still live. */
			klog(LOG_ERR, "pmap_mapdev: out of memory for page tables\n");
			pmap_dev_next += end - start;
			goto out;
		}
	}
	va = pmap_dev_next;
	pmap_dev_next += end - start;
	if (pmap_ndevmaps < PMAP_MAPDEV_RECORDS)
		pmap_devmaps[pmap_ndevmaps++] = (typeof(pmap_devmaps[0])){ start, end, va };
out:
	lck_spin_unlock_irqrestore(&pmap_lock, st);
	return va != 0 ? (void *)(va + (pa & PAGE_MASK)) : NULL;
}

bool
pmap_kenter(vaddr_t va, paddr_t pa)
{
	bool ok, st;

	if (!pmap_live || va < PMAP_KSTACK_BASE || va >= PMAP_KSTACK_END || (va & PAGE_MASK) != 0)
		return false;
	st = lck_spin_lock_irqsave(&pmap_lock);
	ok = pmap_kmap_level(va, pa, 1, PTE_W | PTE_NX);
	lck_spin_unlock_irqrestore(&pmap_lock, st);
	return ok;
}

/*
 * Lookups.
 */

bool
pmap_kernel_lookup(vaddr_t va, struct pmap_lookup *out)
{
	const pt_entry_t *table = phystokv(read_cr3() & PTE_ADDR_MASK);
	uint64_t and_bits = PTE_W | PTE_U, nx = 0;

	/* Canonical: bits 63..47 all equal. */
	if ((uint64_t)((int64_t)(va << 16) >> 16) != va)
		return false;
	for (unsigned l = 4; l >= 1; l--) {
		pt_entry_t e = table[pte_index(va, l)];
		uint64_t size = 1ULL << (PAGE_SHIFT + 9 * (l - 1));

		if (!(e & PTE_P))
			return false;
		and_bits &= e;
		nx |= e & PTE_NX;
		if (l == 1 || (l <= 3 && (e & PTE_PS))) {
			out->pl_page_size = size;
			out->pl_pa = (e & PTE_ADDR_MASK & ~(size - 1)) | (va & (size - 1));
			out->pl_flags = PTE_P | and_bits | nx |
					(e & (PTE_PWT | PTE_PCD | PTE_G | PTE_A | PTE_D)) |
					(l > 1 ? PTE_PS : 0);
			return true;
		}
		table = phystokv(e & PTE_ADDR_MASK);
	}
	return false;
}

paddr_t
pmap_kextract(vaddr_t va)
{
	struct pmap_lookup l;

	return pmap_kernel_lookup(va, &l) ? l.pl_pa : 0;
}
