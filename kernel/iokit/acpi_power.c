/*
 * acpi_power.c — power-off through the ACPI S5 sleep state, and reset.
 *
 * Follows ACPI 6.5 §4.8.3.2.1 (PM1 control: SCI_EN bit 0, SLP_TYPx bits 12:10, SLP_EN bit 13),
 * §16.1.3.1 / §7.4.2 (entering S5: SLP_TYPa/b from \_S5_, then SLP_EN), §4.8.2.1 and §5.2.9
 * (ACPI mode: write ACPI_ENABLE to SMI_CMD, wait for SCI_EN), §4.8.3.6 (the reset register).
 *
 * The one idea: the write to SLP_EN should not return. When it does, firmware or the hypervisor
 * ignored it, and the caller gets control back with a log line rather than a hang, so the shell
 * can say so. Reset tries the mechanisms in the order Linux and the BSDs found reliable.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <iokit/acpi_platform.h>

#define PM1_SCI_EN	 (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN	 (1u << 13)

#define ACPI_ENABLE_WAIT_MS 300
#define POWEROFF_WAIT_MS    500

#define PORT_CF9	0xcf9
#define CF9_SYS_RST	0x02
#define CF9_RST_CPU	0x04
#define KBC_STATUS	0x64
#define KBC_CMD		0x64
#define KBC_IBF		0x02
#define KBC_PULSE_RESET 0xfe

/* Registers the kernel drives are in I/O space on every hypervisor we know of; memory-mapped
 * ones (hardware-reduced platforms) are reached through pmap_mapdev(). */
static bool
gas_read16(const struct acpi_gas *g, uint16_t *v)
{
	if (g->ag_address == 0)
		return false;
	if (g->ag_space == ACPI_GAS_IO && g->ag_address <= 0xfffe) {
		*v = inw((uint16_t)g->ag_address);
		return true;
	}
	if (g->ag_space == ACPI_GAS_MEMORY) {
		volatile uint16_t *p = pmap_mapdev(g->ag_address, 2);
		if (p != NULL) {
			*v = *p;
			return true;
		}
	}
	return false;
}

static bool
gas_write(const struct acpi_gas *g, uint32_t v, unsigned bytes)
{
	if (g->ag_address == 0)
		return false;
	if (g->ag_space == ACPI_GAS_IO && g->ag_address <= 0xffff - bytes + 1) {
		if (bytes == 1)
			outb((uint16_t)g->ag_address, (uint8_t)v);
		else
			outw((uint16_t)g->ag_address, (uint16_t)v);
		return true;
	}
	if (g->ag_space == ACPI_GAS_MEMORY) {
		void *p = pmap_mapdev(g->ag_address, bytes);
		if (p == NULL)
			return false;
		if (bytes == 1)
			*(volatile uint8_t *)p = (uint8_t)v;
		else
			*(volatile uint16_t *)p = (uint16_t)v;
		return true;
	}
	return false;
}

/* Switch from legacy (SMI) mode to ACPI mode if the firmware left us in the former. */
static void
acpi_enable_mode(const struct acpi_fadt *f)
{
	uint16_t cnt;

	if (!gas_read16(&f->af_pm1a_cnt, &cnt) || (cnt & PM1_SCI_EN) != 0)
		return;
	if (f->af_smi_cmd == 0 || f->af_acpi_enable == 0 || f->af_smi_cmd > 0xffff)
		return; /* no SMI command port: the machine is always in ACPI mode */
	outb((uint16_t)f->af_smi_cmd, f->af_acpi_enable);
	for (unsigned ms = 0; ms < ACPI_ENABLE_WAIT_MS; ms++) {
		if (gas_read16(&f->af_pm1a_cnt, &cnt) && (cnt & PM1_SCI_EN) != 0)
			return;
		delay_us(1000);
	}
	klog(LOG_WARNING, "acpi: firmware did not enter ACPI mode; trying S5 anyway\n");
}

static void
pm1_sleep(const struct acpi_gas *g, uint8_t typ, bool enable)
{
	uint16_t cnt = 0;

	if (g->ag_address == 0)
		return;
	(void)gas_read16(g, &cnt);
	cnt &= (uint16_t)~(PM1_SLP_TYP_MASK | PM1_SLP_EN);
	cnt |= (uint16_t)((unsigned)typ << PM1_SLP_TYP_SHIFT);
	if (enable)
		cnt |= PM1_SLP_EN;
	(void)gas_write(g, cnt, 2);
}

void
acpi_poweroff(void)
{
	const struct acpi_fadt *f = &acpi_info.ai_fadt;
	bool s;

	if (!acpi_info.ai_has_fadt || !acpi_info.ai_has_s5 || f->af_pm1a_cnt.ag_address == 0) {
		klog(LOG_ERR, "acpi: power-off needs a FADT with PM1a_CNT and \\_S5_; not found\n");
		return;
	}
	if (f->af_flags & ACPI_FADT_HW_REDUCED) {
		/* XXX: hardware-reduced ACPI uses the FADT sleep control register; no hypervisor
		 * we target boots that way with PM1 blocks absent. */
		klog(LOG_ERR, "acpi: power-off on hardware-reduced ACPI is not supported\n");
		return;
	}
	printf("acpi: powering off (S5)\n");
	s = intr_save();
	acpi_enable_mode(f);
	/* SLP_TYP first, then SLP_EN with it, in both blocks (§4.8.3.2.1: the two halves are
	 * written as one register). */
	pm1_sleep(&f->af_pm1a_cnt, acpi_info.ai_s5_typa, false);
	pm1_sleep(&f->af_pm1b_cnt, acpi_info.ai_s5_typb, false);
	pm1_sleep(&f->af_pm1a_cnt, acpi_info.ai_s5_typa, true);
	pm1_sleep(&f->af_pm1b_cnt, acpi_info.ai_s5_typb, true);
	delay_us(POWEROFF_WAIT_MS * 1000);
	intr_restore(s);
	klog(LOG_ERR, "acpi: the machine ignored the S5 request and is still running\n");
}

void
acpi_reboot(void)
{
	const struct acpi_fadt *f = &acpi_info.ai_fadt;
	bool s;

	printf("acpi: resetting the machine\n");
	s = intr_save();
	if (acpi_info.ai_has_fadt && f->af_reset_reg.ag_address != 0) {
		if (gas_write(&f->af_reset_reg, f->af_reset_value, 1))
			delay_us(100000);
		else
			klog(LOG_WARNING, "acpi: reset register in address space %u unsupported\n",
			     f->af_reset_reg.ag_space);
	}
	/* The PCH/PIIX reset control register: select a full reset, then trigger it. */
	outb(PORT_CF9, CF9_SYS_RST);
	outb(PORT_CF9, CF9_SYS_RST | CF9_RST_CPU);
	delay_us(100000);
	/* The 8042's output port drives the CPU reset line. Skipped when the FADT says there is
	 * no 8042 (ACPI 2.0+ sets the flag when one exists). */
	if (!acpi_info.ai_has_fadt || f->af_revision < 2 ||
	    (f->af_iapc_boot_arch & ACPI_IAPC_8042)) {
		for (int i = 0; i < 10000 && (inb(KBC_STATUS) & KBC_IBF); i++)
			delay_us(10);
		outb(KBC_CMD, KBC_PULSE_RESET);
		delay_us(100000);
	}
	intr_restore(s);
	klog(LOG_ERR, "acpi: no reset mechanism worked\n");
}
