/*
 * platform_expert.h — the root of the I/O Registry: the Platform Expert nub, and the start of
 * I/O Kit matching at boot.
 */
#ifndef _IOKIT_PLATFORM_EXPERT_H_
#define _IOKIT_PLATFORM_EXPERT_H_

#include <iokit/io_service.h>

/* The Platform Expert's class: bus drivers for the motherboard (PCI host bridge) match it. */
#define kIOPlatformExpertClass "IOPlatformExpertDevice"
/* Devices the platform describes outside any bus (virtio-mmio): children of the root, with
 * "IOName", "reg" (base), "reg-size" and "interrupt" (a GSI) properties. */
#define kIOPlatformDeviceClass "IOPlatformDevice"

/*
 * pe_parse_virtio_mmio: parse one `virtio_mmio.device=SIZE@BASE:IRQ[:ID]` value (Linux's
 * syntax: SIZE with an optional K/M/G suffix, numbers in C notation).
 *   Returns: true with the three values when the text is well formed, the size at least
 *            0x100 (the register block) and base + size does not wrap; false otherwise.
 */
bool pe_parse_virtio_mmio(const char *s, uint64_t *size, uint64_t *base, uint32_t *irq);

/*
 * iokit_start: put every IOKIT_DRIVER() in the catalogue, publish the Platform Expert nub with
 * what ACPI found, start the matching thread and wait until the registry is quiet (the buses
 * enumerated and their drivers started). Once, after the scheduler starts.
 */
void iokit_start(void);

/* `iokit.dump=1` on the command line: print the registry with its properties (end of boot). */
void iokit_boot_dump(void);

/* Print the registry through printf: one line per service, and (props) per property. */
void iokit_dump(bool props);

#endif /* _IOKIT_PLATFORM_EXPERT_H_ */
