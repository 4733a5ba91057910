/*
 * acpi_platform.h — the kernel's copy of the ACPI tables and the ACPI power controls.
 */
#ifndef _IOKIT_ACPI_PLATFORM_H_
#define _IOKIT_ACPI_PLATFORM_H_

#include <iokit/acpi.h>

struct boot_info;

/* What acpi_init() found; all zero (ai_present false) when the machine has no usable ACPI. */
extern struct acpi_info acpi_info;

/*
 * acpi_init: find the RSDP (the loader's address, its copy, else a BIOS-area scan), parse the
 * tables into acpi_info and print a summary. Boot CPU, once, before interrupts are set up.
 *   Returns: 0, or -1 when no usable RSDP was found (acpi_info is then zeroed).
 */
int acpi_init(const struct boot_info *bi);

/*
 * acpi_poweroff: enter S5 (soft off) through PM1a/PM1b_CNT. Any context; interrupts are disabled
 * while the registers are written.
 *   Returns: only when power-off failed (no FADT or \_S5_, or the machine ignored the write);
 *            the reason is logged.
 */
void acpi_poweroff(void);

/*
 * acpi_reboot: reset the machine through the FADT reset register, then port 0xCF9, then the
 * 8042 keyboard controller's reset line.
 *   Returns: only when none of them reset the machine (logged).
 */
void acpi_reboot(void);

#endif /* _IOKIT_ACPI_PLATFORM_H_ */
