/*
 * ioapic.c — the I/O APICs: redirection entries from global system interrupts to vectors.
 *
 * Follows the Intel 82093AA I/O APIC data sheet §3.2 (IOREGSEL/IOWIN, the version register's
 * maximum redirection entry, the 64-bit redirection table entries) and ACPI 6.5 §5.2.13 (global
 * system interrupts: each IOAPIC serves GSIs from its GSI base) and §5.2.12.5 (interrupt source
 * overrides: where an ISA IRQ really arrives, with which polarity and trigger).
 *
 * The one idea: drivers name ISA IRQs or GSIs, never IOAPIC pins; the MADT's overrides and GSI
 * bases are applied here, once. Every interrupt goes to the boot CPU in physical destination
 * mode until SMP brings interrupt balancing.
 */
#include <arch/x86_64/ioapic.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/pmap.h>
#include <console.h>
#include <iokit/acpi_platform.h>
#include <mach/kern/locks.h>

#define IOREGSEL 0x00
#define IOWIN	 0x10
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_RTE 0x10
#define IOAPIC_MMIO_SIZE 0x20

#define RTE_MASKED	(1u << 16)
#define RTE_LEVEL	(1u << 15)
#define RTE_ACTIVE_LOW	(1u << 13)
#define RTE_MAX_PINS	240 /* the version register's field is 8 bits */

struct ioapic {
	volatile uint32_t *io_mmio;
	uint32_t io_gsi_base;
	uint32_t io_npins;
	uint8_t io_id;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned nioapics;
static uint8_t isa_vectors[ISA_IRQ_COUNT];
static lck_spin_t ioapic_lock = LCK_SPIN_INITIALIZER;

static uint32_t
ioapic_read(struct ioapic *io, uint32_t reg)
{
	io->io_mmio[IOREGSEL / 4] = reg;
	return io->io_mmio[IOWIN / 4];
}

static void
ioapic_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->io_mmio[IOREGSEL / 4] = reg;
	io->io_mmio[IOWIN / 4] = v;
}

static struct ioapic *
ioapic_for_gsi(uint32_t gsi, unsigned *pin)
{
	for (unsigned i = 0; i < nioapics; i++) {
		struct ioapic *io = &ioapics[i];

		if (gsi >= io->io_gsi_base && gsi - io->io_gsi_base < io->io_npins) {
			*pin = gsi - io->io_gsi_base;
			return io;
		}
	}
	return NULL;
}

unsigned
ioapic_init(void)
{
	for (uint32_t i = 0; i < acpi_info.ai_nioapics; i++) {
		const struct acpi_ioapic *a = &acpi_info.ai_ioapics[i];
		struct ioapic *io = &ioapics[nioapics];
		uint32_t ver;

		io->io_mmio = pmap_mapdev(a->ai_address, IOAPIC_MMIO_SIZE);
		if (io->io_mmio == NULL) {
			klog(LOG_WARNING, "ioapic: %u at %#x cannot be mapped; ignored\n", a->ai_id,
			     a->ai_address);
			continue;
		}
		ver = ioapic_read(io, IOAPIC_REG_VER);
		if (ver == 0xffffffffu) {
			klog(LOG_WARNING, "ioapic: %u at %#x does not answer; ignored\n", a->ai_id,
			     a->ai_address);
			continue;
		}
		io->io_npins = MIN(((ver >> 16) & 0xff) + 1, RTE_MAX_PINS);
		io->io_gsi_base = a->ai_gsi_base;
		io->io_id = a->ai_id;
		for (unsigned pin = 0; pin < io->io_npins; pin++) {
			ioapic_write(io, IOAPIC_REG_RTE + 2 * pin + 1, 0);
			ioapic_write(io, IOAPIC_REG_RTE + 2 * pin, RTE_MASKED);
		}
		printf("ioapic: %u at %#x, GSIs %u-%u, version %#x\n", io->io_id, a->ai_address,
		       io->io_gsi_base, io->io_gsi_base + io->io_npins - 1, ver & 0xff);
		nioapics++;
	}
	if (nioapics == 0)
		klog(LOG_ERR, "ioapic: the MADT lists no usable IOAPIC; no device interrupts\n");
	return nioapics;
}

int
ioapic_route_gsi(uint32_t gsi, unsigned vector, uint16_t inti_flags)
{
	struct ioapic *io;
	unsigned pin;
	uint32_t lo = vector & 0xff, dest = lapic_id();
	bool s;

	io = ioapic_for_gsi(gsi, &pin);
	if (io == NULL) {
		klog(LOG_WARNING, "ioapic: no IOAPIC serves GSI %u\n", gsi);
		return -1;
	}
	if ((inti_flags & ACPI_INTI_POLARITY_MASK) == ACPI_INTI_POLARITY_LOW)
		lo |= RTE_ACTIVE_LOW;
	if ((inti_flags & ACPI_INTI_TRIGGER_MASK) == ACPI_INTI_TRIGGER_LEVEL)
		lo |= RTE_LEVEL;
	if (dest > 0xff) {
		/* XXX: an APIC id above 255 needs interrupt remapping (or the extended
		 * destination id); the boot CPU is id 0 on every hypervisor we target. */
		klog(LOG_WARNING, "ioapic: boot CPU APIC id %u is not addressable\n", dest);
		return -1;
	}
	s = lck_spin_lock_irqsave(&ioapic_lock);
	ioapic_write(io, IOAPIC_REG_RTE + 2 * pin, RTE_MASKED);
	ioapic_write(io, IOAPIC_REG_RTE + 2 * pin + 1, dest << 24);
	ioapic_write(io, IOAPIC_REG_RTE + 2 * pin, lo); /* fixed, physical, unmasked */
	lck_spin_unlock_irqrestore(&ioapic_lock, s);
	return 0;
}

int
ioapic_route_isa(unsigned irq, unsigned vector)
{
	uint32_t gsi = irq;
	uint16_t flags = 0;

	if (irq >= ISA_IRQ_COUNT) {
		klog(LOG_WARNING, "ioapic: ISA IRQ %u out of range\n", irq);
		return -1;
	}
	for (uint32_t i = 0; i < acpi_info.ai_noverrides; i++) {
		const struct acpi_override *o = &acpi_info.ai_overrides[i];

		if (o->ao_bus == 0 && o->ao_source == irq) {
			gsi = o->ao_gsi;
			flags = o->ao_flags;
			break;
		}
	}
	if (ioapic_route_gsi(gsi, vector, flags) != 0)
		return -1;
	isa_vectors[irq] = (uint8_t)vector;
	return 0;
}

unsigned
ioapic_attach_isa(unsigned irq, intr_handler_t fn, void *arg)
{
	unsigned vector = intr_alloc_vector(0x30, 0xdf);

	if (vector == 0) {
		klog(LOG_WARNING, "ioapic: no free vector for ISA IRQ %u\n", irq);
		return 0;
	}
	intr_set_handler(vector, fn, arg);
	if (ioapic_route_isa(irq, vector) != 0) {
		intr_set_handler(vector, NULL, NULL);
		return 0;
	}
	return vector;
}

unsigned
ioapic_isa_vector(unsigned irq)
{
	return irq < ISA_IRQ_COUNT ? isa_vectors[irq] : 0;
}

int
ioapic_mask_gsi(uint32_t gsi, bool masked)
{
	struct ioapic *io;
	unsigned pin;
	uint32_t lo;
	bool s;

	io = ioapic_for_gsi(gsi, &pin);
	if (io == NULL)
		return -1;
	s = lck_spin_lock_irqsave(&ioapic_lock);
	lo = ioapic_read(io, IOAPIC_REG_RTE + 2 * pin);
	lo = masked ? (lo | RTE_MASKED) : (lo & ~RTE_MASKED);
	ioapic_write(io, IOAPIC_REG_RTE + 2 * pin, lo);
	lck_spin_unlock_irqrestore(&ioapic_lock, s);
	return 0;
}
