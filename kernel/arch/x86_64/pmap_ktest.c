/*
 * pmap_ktest.c — in-kernel self-tests of the kernel page tables: the direct map aliases the
 * kernel image, sections carry their protections, low memory is unmapped, the direct map uses
 * the largest pages the CPU allows, and device mappings are uncached and reach the IOAPIC.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/pmap.h>
#include <boot/bootinfo.h>
#include <console.h>
#include <ktest.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

extern char _text_start[], _rodata_start[], _data_start[], _kernel_end[];
extern struct boot_info boot_info;

#define IOAPIC_PA 0xfec00000ULL

static volatile uint64_t pmap_ktest_word = 1;

/* Kernel mappings are global exactly when the CPU has global pages (CPUID 1 EDX[13]). */
static uint64_t
pmap_ktest_global(void)
{
	return cpu_has(1, CPUID_EDX, 13) ? PTE_G : 0;
}

KTEST(pmap_direct_map_alias)
{
	volatile uint64_t *alias = phystokv(kvtophys((const void *)&pmap_ktest_word));
	vm_page_t m = vm_page_grab();

	KT_ASSERT_EQ(pmap_kextract((vaddr_t)&pmap_ktest_word),
		     kvtophys((const void *)&pmap_ktest_word));
	pmap_ktest_word = 0x1234567890abcdefULL;
	KT_ASSERT_EQ(*alias, 0x1234567890abcdefULL);
	*alias = 42;
	KT_ASSERT_EQ(pmap_ktest_word, 42);

	KT_ASSERT(m != NULL);
	KT_ASSERT_EQ(pmap_kextract((vaddr_t)phystokv(VM_PAGE_TO_PHYS(m)) + 8),
		     VM_PAGE_TO_PHYS(m) + 8);
	vm_page_release(m);
}

KTEST(pmap_kernel_protections)
{
	struct pmap_lookup l;
	uint64_t nx = pmap_nx_enabled() ? PTE_NX : 0;

	KT_ASSERT(pmap_kernel_lookup((vaddr_t)_text_start, &l));
	KT_ASSERT_EQ(l.pl_page_size, PAGE_SIZE);
	KT_ASSERT_EQ(l.pl_flags & (PTE_W | PTE_NX | PTE_U), 0);
	KT_ASSERT_EQ(l.pl_flags & PTE_G, pmap_ktest_global());
	KT_ASSERT(pmap_kernel_lookup((vaddr_t)pmap_kernel_lookup, &l));
	KT_ASSERT_EQ(l.pl_flags & (PTE_W | PTE_NX), 0);

	KT_ASSERT(pmap_kernel_lookup((vaddr_t)_rodata_start, &l));
	KT_ASSERT_EQ(l.pl_flags & (PTE_W | PTE_NX), nx);
	KT_ASSERT(pmap_kernel_lookup((vaddr_t)"a string in rodata", &l));
	KT_ASSERT_EQ(l.pl_flags & (PTE_W | PTE_NX), nx);

	KT_ASSERT(pmap_kernel_lookup((vaddr_t)_data_start, &l));
	KT_ASSERT_EQ(l.pl_flags & (PTE_W | PTE_NX), PTE_W | nx);
	KT_ASSERT(pmap_kernel_lookup((vaddr_t)&boot_info, &l)); /* .bss */
	KT_ASSERT_EQ(l.pl_flags & (PTE_W | PTE_NX), PTE_W | nx);
	KT_ASSERT(pmap_kernel_lookup((vaddr_t)_kernel_end - 1, &l));
	KT_ASSERT(!pmap_kernel_lookup(round_page((vaddr_t)_kernel_end), &l));

	KT_ASSERT(read_cr0() & CR0_WP);
	if (cpu_has(1, CPUID_EDX, 13))
		KT_ASSERT(read_cr4() & CR4_PGE);
	KT_ASSERT_EQ(pmap_nx_enabled(), (rdmsr(MSR_EFER) & EFER_NXE) != 0);
}

KTEST(pmap_low_unmapped)
{
	struct pmap_lookup l;

	KT_ASSERT(!pmap_kernel_lookup(0, &l));
	KT_ASSERT(!pmap_kernel_lookup(0x100000, &l));
	KT_ASSERT(!pmap_kernel_lookup(0x7fffdead0000ULL, &l));
	KT_ASSERT(!pmap_kernel_lookup(KERNEL_BASE + 0x100000, &l)); /* the .boot segment */
	KT_ASSERT(!pmap_kernel_lookup(0x0000800000000000ULL, &l));  /* not canonical */
	KT_ASSERT_EQ(pmap_kextract(0x1000), 0);
}

KTEST(pmap_direct_map_large_pages)
{
	uint64_t nx = pmap_nx_enabled() ? PTE_NX : 0;
	struct pmap_lookup l;
	bool tested = false;

	for (uint32_t i = 0; i < boot_info.nmem; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];
		paddr_t end = r->base + r->length;
		paddr_t g = ROUNDUP(r->base, 1ULL << 30), m = ROUNDUP(r->base, 2ULL << 20);

		if (r->type != BOOT_MEM_RAM)
			continue;
		if (g + (1ULL << 30) <= end) {
			KT_ASSERT(pmap_kernel_lookup((vaddr_t)phystokv(g + 12345), &l));
			KT_ASSERT_EQ(l.pl_pa, g + 12345);
			uint64_t want = pmap_gbpages_enabled() ? 1ULL << 30 : 2ULL << 20;

			KT_ASSERT_EQ(l.pl_page_size, want);
			tested = true;
		}
		if (m + (2ULL << 20) <= end) {
			KT_ASSERT(pmap_kernel_lookup((vaddr_t)phystokv(m), &l));
			KT_ASSERT(l.pl_page_size >= (2ULL << 20));
			KT_ASSERT_EQ(l.pl_flags & (PTE_W | PTE_NX | PTE_PCD | PTE_PWT | PTE_G),
				     PTE_W | nx | pmap_ktest_global());
			tested = true;
		}
	}
	KT_ASSERT(pmap_gbpages_enabled() == cpu_has(0x80000001, CPUID_EDX, 26));
	if (!tested)
		KT_SKIP("no RAM entry spans an aligned 2 MiB");
}

/*
 * The firmware's ACPI tables are read through the direct map (SeaBIOS keeps them, and the RSDP,
 * in "reserved" entries): the RSDP the loader named and the RSDT it points to must be mapped.
 */
KTEST(pmap_direct_map_acpi)
{
	const uint8_t *rsdp;
	uint32_t rsdt;

	if (boot_info.rsdp_phys == 0)
		KT_SKIP("the loader gave no RSDP address");
	KT_ASSERT(pmap_kextract((vaddr_t)phystokv(boot_info.rsdp_phys)) == boot_info.rsdp_phys);
	KT_ASSERT(pmap_kextract((vaddr_t)phystokv(boot_info.rsdp_phys + 19)) != 0);
	rsdp = phystokv(boot_info.rsdp_phys);
	KT_ASSERT(memcmp(rsdp, "RSD PTR ", 8) == 0);
	memcpy(&rsdt, rsdp + 16, sizeof(rsdt));
	if (rsdt == 0 && rsdp[15] >= 2) {
		/* ACPI 2.0+ with only an XSDT (Xen's dom0 tables). */
		uint64_t xsdt;

		memcpy(&xsdt, rsdp + 24, sizeof(xsdt));
		KT_ASSERT(pmap_kextract((vaddr_t)phystokv(xsdt)) == xsdt);
		KT_ASSERT(memcmp(phystokv(xsdt), "XSDT", 4) == 0);
		return;
	}
	KT_ASSERT(pmap_kextract((vaddr_t)phystokv(rsdt)) == rsdt);
	KT_ASSERT(memcmp(phystokv(rsdt), "RSDT", 4) == 0);
}

KTEST(pmap_mapdev_ioapic)
{
	volatile uint32_t *io = pmap_mapdev(IOAPIC_PA, 0x20);
	struct pmap_lookup l;
	uint32_t ver;
	bool s;

	KT_ASSERT(io != NULL);
	KT_ASSERT((vaddr_t)io >= PMAP_DEVICE_BASE && (vaddr_t)io < PMAP_DEVICE_END);
	KT_ASSERT(pmap_kernel_lookup((vaddr_t)io, &l));
	KT_ASSERT_EQ(l.pl_pa, IOAPIC_PA);
	KT_ASSERT_EQ(l.pl_flags & (PTE_PCD | PTE_PWT | PTE_W), PTE_PCD | PTE_PWT | PTE_W);
	KT_ASSERT_EQ(l.pl_page_size, PAGE_SIZE);
	/* A second request inside the same page shares the mapping. */
	KT_ASSERT((vaddr_t)pmap_mapdev(IOAPIC_PA + 0x10, 4) == (vaddr_t)io + 0x10);
	/* Managed RAM is not device memory: mapping it uncached would alias the direct map. */
	vm_page_t m = vm_page_grab();
	KT_ASSERT(m != NULL);
	KT_ASSERT(pmap_mapdev(VM_PAGE_TO_PHYS(m), 16) == NULL);
	vm_page_release(m);
	KT_ASSERT(pmap_mapdev(IOAPIC_PA, 0) == NULL);

	/* IOREGSEL at +0, IOWIN at +0x10; register 1 is the version: bits 0-7 version (0x1X or
	 * 0x20), bits 16-23 the highest redirection entry (23 on QEMU). */
	s = intr_save();
	io[0] = 0x01;
	ver = io[4];
	intr_restore(s);
	printf("# ioapic version register %#x\n", ver);
	KT_ASSERT((ver & 0xff) >= 0x10 && (ver & 0xff) <= 0x2f);
	KT_ASSERT(((ver >> 16) & 0xff) >= 15);
}

/* Run only when named: a write to kernel text must take a page fault (CR0.WP, text RX). */
KTEST_F(pmap_text_write_faults, KTEST_EXPLICIT)
{
	volatile uint8_t *text = (volatile uint8_t *)_text_start;

	printf("ktest: writing to kernel text at %p\n", (void *)text);
	*text = *text;
	KT_ASSERT(!"a write to kernel text returned");
}
