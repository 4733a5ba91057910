/*
 * ioapic.h — I/O APICs: global system interrupts (GSIs) to vectors on the boot CPU.
 */
#ifndef _ARCH_X86_64_IOAPIC_H_
#define _ARCH_X86_64_IOAPIC_H_

#include <arch/x86_64/trap.h>
#include <libkern/libkern.h>

#define ISA_IRQ_COUNT 16

/*
 * ioapic_init: find every IOAPIC the MADT lists, map it, and mask all its inputs. Boot CPU,
 * after lapic_init().
 *   Returns: the number of IOAPICs in use (0 when the MADT lists none usable; logged).
 */
unsigned ioapic_init(void);

/*
 * ioapic_route_gsi: deliver gsi as vector to the boot CPU, with the given ACPI_INTI_* polarity
 * and trigger (CONFORM means the ISA default: active high, edge), and unmask it.
 *   Returns: 0, or -1 when no IOAPIC serves gsi (logged).
 */
int ioapic_route_gsi(uint32_t gsi, unsigned vector, uint16_t inti_flags);
/*
 * ioapic_route_isa: route ISA irq (0-15) as vector, applying the MADT's interrupt source
 * override for it (GSI, polarity, trigger) when there is one, else the identity GSI.
 *   Returns: 0, or -1 (irq out of range, or no IOAPIC serves its GSI; logged).
 */
int ioapic_route_isa(unsigned irq, unsigned vector);
/*
 * ioapic_attach_isa: allocate a vector, install fn on it and route ISA irq there.
 *   Returns: the vector, or 0 when no vector was free or the route failed (logged).
 */
unsigned ioapic_attach_isa(unsigned irq, intr_handler_t fn, void *arg);
/* The vector ISA irq was routed to by ioapic_route_isa(), or 0. */
unsigned ioapic_isa_vector(unsigned irq);
/* Mask or unmask one GSI. Returns: 0, or -1 when no IOAPIC serves it. */
int ioapic_mask_gsi(uint32_t gsi, bool masked);

#endif /* _ARCH_X86_64_IOAPIC_H_ */
