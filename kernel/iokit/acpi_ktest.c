/*
 * acpi_ktest.c — self-tests of what acpi_init() found on the machine we booted on, and the
 * explicit power-off / reset tests (they end the run: QEMU exits with status 0).
 */
#include <arch/x86_64/lapic.h>
#include <console.h>
#include <iokit/acpi_platform.h>
#include <ktest.h>

KTEST(acpi_madt)
{
	uint32_t enabled = 0;

	if (!acpi_info.ai_present)
		KT_SKIP("no ACPI on this machine");
	KT_ASSERT(acpi_info.ai_has_madt);
	for (uint32_t i = 0; i < acpi_info.ai_ncpus; i++)
		if (acpi_info.ai_cpus[i].ac_flags & ACPI_CPU_ENABLED)
			enabled++;
	KT_ASSERT(enabled >= 1);
	KT_ASSERT(acpi_info.ai_nioapics >= 1);
	KT_ASSERT(acpi_info.ai_ioapics[0].ai_address != 0);
	KT_ASSERT(acpi_info.ai_lapic_addr != 0);
	KT_ASSERT_EQ(acpi_info.ai_warnings, 0);
}

/* The CPU we run on is one the MADT lists as enabled. */
KTEST(acpi_madt_lists_boot_cpu)
{
	uint32_t id = lapic_id();
	bool found = false;

	if (!acpi_info.ai_has_madt)
		KT_SKIP("no MADT");
	for (uint32_t i = 0; i < acpi_info.ai_ncpus; i++)
		if (acpi_info.ai_cpus[i].ac_apic_id == id &&
		    (acpi_info.ai_cpus[i].ac_flags & ACPI_CPU_ENABLED))
			found = true;
	KT_ASSERT(found);
}

KTEST(acpi_fadt)
{
	if (!acpi_info.ai_present)
		KT_SKIP("no ACPI on this machine");
	KT_ASSERT(acpi_info.ai_has_fadt);
	KT_ASSERT(acpi_info.ai_fadt.af_dsdt != 0);
	/* Hardware-reduced ACPI (QEMU microvm) has no PM1 blocks and no PM timer, by design. */
	if (acpi_info.ai_fadt.af_flags & ACPI_FADT_HW_REDUCED)
		return;
	KT_ASSERT(acpi_info.ai_fadt.af_pm1a_cnt.ag_address != 0);
	KT_ASSERT(acpi_info.ai_fadt.af_pm_tmr.ag_address != 0);
}

/* QEMU's q35 and pc DSDTs both declare \_S5_; a full-ACPI machine without it cannot power off. */
KTEST(acpi_s5)
{
	if (!acpi_info.ai_has_fadt || (acpi_info.ai_fadt.af_flags & ACPI_FADT_HW_REDUCED))
		KT_SKIP("no full-ACPI FADT");
	KT_ASSERT(acpi_info.ai_has_s5);
	KT_ASSERT(acpi_info.ai_s5_typa <= 7 && acpi_info.ai_s5_typb <= 7);
}

/* q35 (and any PCIe machine) has an MCFG; pc has none, which is fine. */
KTEST(acpi_mcfg)
{
	if (acpi_info.ai_nmcfg == 0)
		KT_SKIP("no MCFG (legacy PCI machine)");
	KT_ASSERT(acpi_info.ai_mcfg[0].am_base != 0);
	KT_ASSERT(acpi_info.ai_mcfg[0].am_bus_start <= acpi_info.ai_mcfg[0].am_bus_end);
}

/* Explicit: `ktest=acpi_poweroff` must end QEMU with status 0 (S5). Reaching the end fails. */
KTEST_F(acpi_poweroff, KTEST_EXPLICIT)
{
	acpi_poweroff();
	KT_ASSERT(!"acpi_poweroff() returned");
}

/* Explicit: with -no-reboot, `ktest=acpi_reboot` must end QEMU with status 0. */
KTEST_F(acpi_reboot, KTEST_EXPLICIT)
{
	acpi_reboot();
	KT_ASSERT(!"acpi_reboot() returned");
}
