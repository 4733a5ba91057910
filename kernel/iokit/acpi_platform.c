/*
 * acpi_platform.c — the Platform Expert's ACPI step: find the RSDP, parse the tables once, keep
 * the result in acpi_info for the interrupt, timer and power code.
 *
 * Follows ACPI 6.5 §5.2.5.1 (finding the RSDP on IA-PC systems: the first KiB of the EBDA, then
 * 0xE0000-0xFFFFF, on 16-byte boundaries). Loaders tell us where it is first: PVH passes its
 * physical address, Multiboot2 a copy; the BIOS areas are scanned only when neither did.
 */
#include <arch/x86_64/pmap.h>
#include <boot/bootinfo.h>
#include <console.h>
#include <iokit/acpi.h>
#include <iokit/acpi_platform.h>
#include <mach/vm/vm_param.h>

#define BDA_EBDA_SEG 0x40e
#define BIOS_ROM_PA  0xe0000
#define BIOS_ROM_LEN 0x20000

struct acpi_info acpi_info;

/*
 * Tables live in RAM the firmware reserved (ACPI reclaim/NVS): read them through the direct map.
 * XXX: the boot direct map covers 4 GiB; until the pmap maps every RAM/ACPI region, tables above
 * it go through pmap_mapdev(), which refuses them today.
 */
static const void *
acpi_map(uint64_t pa, size_t len, void *ctx)
{
	(void)ctx;
	if (pa == 0 || len > PHYSMAP_EARLY_LIMIT)
		return NULL;
	if (pa < PHYSMAP_EARLY_LIMIT && len <= PHYSMAP_EARLY_LIMIT - pa) {
		struct pmap_lookup l;

		/* Not every loader's map covers the BIOS areas (Xen's dom0 map has no EBDA). */
		if (pmap_kernel_lookup((vaddr_t)phystokv(pa), &l) &&
		    pmap_kernel_lookup((vaddr_t)phystokv(pa + len - 1), &l))
			return phystokv(pa);
	}
	return pmap_mapdev(pa, len);
}

static uint64_t
acpi_scan_bios(void)
{
	const uint16_t *seg = acpi_map(BDA_EBDA_SEG, 2, NULL);
	uint64_t pa = 0;

	if (seg != NULL && *seg != 0)
		pa = acpi_find_rsdp((uint64_t)*seg << 4, 1024, acpi_map, NULL);
	if (pa == 0)
		pa = acpi_find_rsdp(BIOS_ROM_PA, BIOS_ROM_LEN, acpi_map, NULL);
	return pa;
}

static void
acpi_print_summary(const struct acpi_info *ai)
{
	uint32_t enabled = 0;

	for (uint32_t i = 0; i < ai->ai_ncpus; i++)
		if (ai->ai_cpus[i].ac_flags & ACPI_CPU_ENABLED)
			enabled++;
	printf("acpi: %s rev %u, %s at %#llx, %u tables\n", ai->ai_oem_id, ai->ai_revision,
	       ai->ai_xsdt ? "XSDT" : "RSDT", (unsigned long long)ai->ai_root_pa, ai->ai_ntables);
	printf("acpi: %u CPUs (%u enabled), %u IOAPICs, %u overrides, local APIC %#llx\n",
	       ai->ai_ncpus, enabled, ai->ai_nioapics, ai->ai_noverrides,
	       (unsigned long long)ai->ai_lapic_addr);
	if (ai->ai_has_hpet)
		printf("acpi: HPET %u at %#llx\n", ai->ai_hpet_number,
		       (unsigned long long)ai->ai_hpet_base);
	for (uint32_t i = 0; i < ai->ai_nmcfg; i++)
		printf("acpi: MCFG segment %u buses %u-%u at %#llx\n", ai->ai_mcfg[i].am_segment,
		       ai->ai_mcfg[i].am_bus_start, ai->ai_mcfg[i].am_bus_end,
		       (unsigned long long)ai->ai_mcfg[i].am_base);
	if (ai->ai_has_fadt)
		printf("acpi: FADT rev %u, SCI %u, PM1a_CNT %#llx, PM timer %#llx%s\n",
		       ai->ai_fadt.af_revision, ai->ai_fadt.af_sci_irq,
		       (unsigned long long)ai->ai_fadt.af_pm1a_cnt.ag_address,
		       (unsigned long long)ai->ai_fadt.af_pm_tmr.ag_address,
		       (ai->ai_fadt.af_flags & ACPI_FADT_HW_REDUCED) ? ", hardware-reduced" : "");
	if (ai->ai_has_s5)
		printf("acpi: S5 SLP_TYPa %u SLP_TYPb %u\n", ai->ai_s5_typa, ai->ai_s5_typb);
	else
		klog(LOG_WARNING, "acpi: no \\_S5_ object; ACPI power-off is unavailable\n");
	if (ai->ai_cpus_dropped || ai->ai_ioapics_dropped || ai->ai_overrides_dropped ||
	    ai->ai_nmis_dropped || ai->ai_mcfg_dropped)
		klog(LOG_WARNING, "acpi: entries beyond capacity dropped: %u CPUs, %u IOAPICs, "
		     "%u overrides, %u NMIs, %u MCFG\n", ai->ai_cpus_dropped,
		     ai->ai_ioapics_dropped, ai->ai_overrides_dropped, ai->ai_nmis_dropped,
		     ai->ai_mcfg_dropped);
}

int
acpi_init(const struct boot_info *bi)
{
	int rc = -1;

	if (bi->rsdp_phys != 0)
		rc = acpi_parse(&acpi_info, bi->rsdp_phys, acpi_map, NULL);
	if (rc != 0 && bi->rsdp_len != 0)
		rc = acpi_parse_rsdp(&acpi_info, bi->rsdp, bi->rsdp_len, acpi_map, NULL);
	if (rc != 0) {
		uint64_t pa = acpi_scan_bios();

		if (pa != 0)
			rc = acpi_parse(&acpi_info, pa, acpi_map, NULL);
	}
	if (rc != 0) {
		memset(&acpi_info, 0, sizeof(acpi_info));
		klog(LOG_WARNING, "acpi: no usable RSDP; running without ACPI\n");
		return -1;
	}
	acpi_print_summary(&acpi_info);
	return 0;
}
