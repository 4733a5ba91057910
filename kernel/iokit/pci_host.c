/*
 * pci_host.c — the PCI host bridge driver (XNU's AppleACPIPCI): it matches the Platform
 * Expert, reaches configuration space through ECAM (PCI Express Base 4.0 §7.2.2, the window
 * from ACPI's MCFG) or, without MCFG, configuration mechanism #1 (ports 0xCF8/0xCFC, PCI 3.0
 * §3.2.2.3.2), enumerates with pci.c and publishes one IOPCIDevice nub per function.
 *
 * Also the services PCI drivers use on their nub: BAR mapping, enabling decode and bus
 * mastering, and MSI-X (PCI 3.0 §6.8.2) aimed at the boot CPU's local APIC.
 *
 * ECAM is mapped one bus (1 MiB) at a time, when enumeration first touches that bus, so a
 * 256-bus window costs page tables only for the buses that exist.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/pmap.h>
#include <console.h>
#include <iokit/io_service.h>
#include <iokit/pci.h>
#include <iokit/platform_expert.h>
#include <mach/kern/locks.h>
#include <panic.h>

#define PCI_HOST_MAX_FN 256
#define PCI_CF8		0xcf8
#define PCI_CFC		0xcfc

struct pci_host {
	struct pci_cfg ph_cfg;
	bool ph_ecam;
	uint64_t ph_ecam_base;	/* of bus ph_bus_start */
	uint8_t ph_bus_start, ph_bus_end;
	uint16_t ph_segment;
	volatile uint8_t *ph_bus_map[PCI_MAX_BUS];
	bool ph_bus_bad[PCI_MAX_BUS];
	lck_spin_t ph_port_lock;
	struct io_service *ph_self;
	unsigned ph_ndev;
	struct pci_dev ph_devs[PCI_HOST_MAX_FN];
	struct io_service *ph_nubs[PCI_HOST_MAX_FN];
};

static volatile uint8_t *
ecam_ptr(struct pci_host *ph, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	if (bus < ph->ph_bus_start || bus > ph->ph_bus_end || dev >= PCI_MAX_DEV ||
	    fn >= PCI_MAX_FN || off >= 4096 || ph->ph_bus_bad[bus])
		return NULL;
	if (ph->ph_bus_map[bus] == NULL) {
		uint64_t pa = ph->ph_ecam_base + ((uint64_t)(bus - ph->ph_bus_start) << 20);
		ph->ph_bus_map[bus] = pmap_mapdev(pa, 1u << 20);
		if (ph->ph_bus_map[bus] == NULL) {
			klog(LOG_ERR, "pci: cannot map ECAM for bus %u at %#llx\n", bus,
			     (unsigned long long)pa);
			ph->ph_bus_bad[bus] = true;
			return NULL;
		}
	}
	return ph->ph_bus_map[bus] + ((uint32_t)dev << 15 | (uint32_t)fn << 12 | off);
}

static uint32_t
ecam_read(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned width)
{
	volatile uint8_t *p = ecam_ptr(ctx, bus, dev, fn, off);

	if (p == NULL)
		return 0xffffffffu >> (32 - 8 * width);
	switch (width) {
	case 1:
		return *p;
	case 2:
		return *(volatile uint16_t *)p;
	default:
		return *(volatile uint32_t *)p;
	}
}

static void
ecam_write(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned width,
	   uint32_t val)
{
	volatile uint8_t *p = ecam_ptr(ctx, bus, dev, fn, off);

	if (p == NULL)
		return;
	switch (width) {
	case 1:
		*p = (uint8_t)val;
		break;
	case 2:
		*(volatile uint16_t *)p = (uint16_t)val;
		break;
	default:
		*(volatile uint32_t *)p = val;
	}
}

static uint32_t
port_read(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned width)
{
	struct pci_host *ph = ctx;
	uint32_t v;
	bool s;

	if (off >= 256 || dev >= PCI_MAX_DEV || fn >= PCI_MAX_FN)
		return 0xffffffffu >> (32 - 8 * width);
	s = lck_spin_lock_irqsave(&ph->ph_port_lock);
	outl(PCI_CF8, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
			      (uint32_t)fn << 8 | (off & 0xfc));
	if (width == 1)
		v = inb(PCI_CFC + (off & 3));
	else if (width == 2)
		v = inw(PCI_CFC + (off & 2));
	else
		v = inl(PCI_CFC);
	lck_spin_unlock_irqrestore(&ph->ph_port_lock, s);
	return v;
}

static void
port_write(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned width,
	   uint32_t val)
{
	struct pci_host *ph = ctx;
	bool s;

	if (off >= 256 || dev >= PCI_MAX_DEV || fn >= PCI_MAX_FN)
		return;
	s = lck_spin_lock_irqsave(&ph->ph_port_lock);
	outl(PCI_CF8, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
			      (uint32_t)fn << 8 | (off & 0xfc));
	if (width == 1)
		outb(PCI_CFC + (off & 3), (uint8_t)val);
	else if (width == 2)
		outw(PCI_CFC + (off & 2), (uint16_t)val);
	else
		outl(PCI_CFC, val);
	lck_spin_unlock_irqrestore(&ph->ph_port_lock, s);
}

/* Segment 0's ECAM window from the Platform Expert's "acpi-mcfg" property. */
static bool
find_mcfg(struct io_service *pe, struct pci_host *ph)
{
	struct os_array *a = os_as_array(os_dict_get(io_service_props(pe), "acpi-mcfg"));
	uint64_t base, seg, start, end;

	for (unsigned i = 0; a != NULL && i < os_array_count(a); i++) {
		struct os_dict *d = os_as_dict(os_array_get(a, i));

		if (d == NULL || !os_dict_get_number(d, "base", &base) ||
		    !os_dict_get_number(d, "segment", &seg) ||
		    !os_dict_get_number(d, "bus-start", &start) ||
		    !os_dict_get_number(d, "bus-end", &end) || seg != 0)
			continue;
		if (base == 0 || (base & 0xfffff) != 0 || start > end || end > 255) {
			klog(LOG_WARNING, "pci: MCFG entry %u is malformed; ignored\n", i);
			continue;
		}
		ph->ph_ecam_base = base;
		ph->ph_bus_start = (uint8_t)start;
		ph->ph_bus_end = (uint8_t)end;
		return true;
	}
	return false;
}

static void
host_found(const struct pci_dev *pd, void *arg)
{
	struct pci_host *ph = arg;
	char name[24], loc[8];
	struct io_service *nub;
	struct pci_dev *copy;

	if (ph->ph_ndev == PCI_HOST_MAX_FN) {
		klog(LOG_WARNING, "pci: more than %u functions; %02x:%02x.%x ignored\n",
		     PCI_HOST_MAX_FN, pd->pd_bus, pd->pd_dev, pd->pd_fn);
		return;
	}
	copy = &ph->ph_devs[ph->ph_ndev];
	*copy = *pd;
	pci_dev_name(pd, name, sizeof(name));
	if (pd->pd_fn == 0)
		ksnprintf(loc, sizeof(loc), "%x", pd->pd_dev);
	else
		ksnprintf(loc, sizeof(loc), "%x,%x", pd->pd_dev, pd->pd_fn);
	nub = io_service_create(kIOPCIDeviceClass, name, loc, copy);
	if (nub == NULL || pci_dev_props(pd, io_service_props(nub)) != KERN_SUCCESS ||
	    io_service_attach(nub, ph->ph_self) != KERN_SUCCESS) {
		klog(LOG_ERR, "pci: no memory for the nub of %02x:%02x.%x\n", pd->pd_bus,
		     pd->pd_dev, pd->pd_fn);
		io_service_release(nub);
		return;
	}
	ph->ph_nubs[ph->ph_ndev++] = nub;
}

static kern_return_t
pci_host_start(struct io_service *self, struct io_service *provider)
{
	struct pci_host *ph = io_service_softc(self);
	unsigned n;

	ph->ph_self = self;
	lck_spin_init(&ph->ph_port_lock);
	if (find_mcfg(provider, ph)) {
		ph->ph_ecam = true;
		ph->ph_cfg = (struct pci_cfg){ ecam_read, ecam_write, ph, 4096 };
	} else {
		/* Mechanism #1 exists when the address register keeps what is written. */
		outl(PCI_CF8, 0x80000000u);
		if (inl(PCI_CF8) != 0x80000000u) {
			klog(LOG_WARNING, "pci: no MCFG and no configuration ports; no PCI\n");
			return KERN_FAILURE;
		}
		ph->ph_bus_start = 0;
		ph->ph_bus_end = 255;
		ph->ph_cfg = (struct pci_cfg){ port_read, port_write, ph, 256 };
	}
	(void)os_dict_set_string(io_service_props(self), "pci-config",
				 ph->ph_ecam ? "ecam" : "ports");
	if (ph->ph_ecam)
		(void)os_dict_set_number(io_service_props(self), "ecam-base", ph->ph_ecam_base,
					 64);
	n = pci_enumerate(&ph->ph_cfg, 0, ph->ph_bus_start, ph->ph_bus_end, host_found, ph);
	printf("pci: %u functions on segment 0 (%s)\n", n,
	       ph->ph_ecam ? "ECAM" : "ports 0xcf8/0xcfc");
	/* Publish after the scan, so no driver touches a device while others are sized. */
	for (unsigned i = 0; i < ph->ph_ndev; i++) {
		(void)io_service_register(ph->ph_nubs[i]);
		io_service_release(ph->ph_nubs[i]);
		ph->ph_nubs[i] = NULL;
	}
	return KERN_SUCCESS;
}

static const struct io_match pci_host_match[] = {
	{ .im_provider_class = kIOPlatformExpertClass, .im_score = 1000 },
};

static const struct io_driver pci_host_driver = {
	.drv_class = "IOPCIHostBridge",
	.drv_match = pci_host_match,
	.drv_nmatch = ARRAY_SIZE(pci_host_match),
	.drv_softc_size = sizeof(struct pci_host),
	.drv_start = pci_host_start,
	/* XXX: no drv_stop: the host bridge lives as long as the machine (no hot removal). */
};
IOKIT_DRIVER(pci_host_driver);

struct pci_dev *
pci_dev_from_nub(struct io_service *nub)
{
	if (nub == NULL || !io_service_is_class(nub, kIOPCIDeviceClass))
		return NULL;
	return io_service_bus_priv(nub);
}

volatile void *
pci_map_bar(struct pci_dev *pd, unsigned bar, uint64_t off, uint64_t len)
{
	const struct pci_bar *b;
	void *p;

	if (bar >= PCI_NUM_BARS)
		return NULL;
	b = &pd->pd_bars[bar];
	if (b->pb_size == 0 || (b->pb_flags & (PCI_BAR_IO | PCI_BAR_UPPER)) != 0 ||
	    len == 0 || off > b->pb_size || len > b->pb_size - off) {
		klog(LOG_WARNING, "pci %02x:%02x.%x: BAR%u cannot hold %#llx bytes at %#llx\n",
		     pd->pd_bus, pd->pd_dev, pd->pd_fn, bar, (unsigned long long)len,
		     (unsigned long long)off);
		return NULL;
	}
	p = pmap_mapdev(b->pb_base + off, len);
	if (p == NULL)
		klog(LOG_ERR, "pci %02x:%02x.%x: cannot map BAR%u\n", pd->pd_bus, pd->pd_dev,
		     pd->pd_fn, bar);
	return p;
}

void
pci_enable(struct pci_dev *pd)
{
	uint16_t cmd = (uint16_t)pci_cfg_read(pd, PCI_COMMAND, 2);

	pci_cfg_write(pd, PCI_COMMAND, 2, cmd | PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_OFF);
}

kern_return_t
pci_msix_enable(struct pci_dev *pd, unsigned n, const uint8_t *vectors)
{
	struct pci_msix *m = &pd->pd_msix;
	volatile uint32_t *t;
	uint16_t ctl;

	if (m->pm_cap == 0 || n == 0 || n > m->pm_size)
		return KERN_INVALID_ARGUMENT;
	if (pd->pd_msix_table == NULL)
		pd->pd_msix_table = (void *)pci_map_bar(pd, m->pm_table_bar, m->pm_table_off,
							 (uint64_t)m->pm_size * PCI_MSIX_ENTRY);
	if (pd->pd_msix_table == NULL)
		return KERN_FAILURE;
	t = pd->pd_msix_table;
	/* Enable with every vector masked, program the entries, then lift the function mask. */
	ctl = (uint16_t)pci_cfg_read(pd, m->pm_cap + PCI_MSIX_CTRL, 2);
	pci_cfg_write(pd, m->pm_cap + PCI_MSIX_CTRL, 2, ctl | PCI_MSIX_ENABLE | PCI_MSIX_MASKALL);
	for (unsigned i = 0; i < m->pm_size; i++) {
		volatile uint32_t *e = t + i * (PCI_MSIX_ENTRY / 4);

		if (i < n) {
			/* XXX: physical destination, boot CPU; APIC ids above 255 need the
			 * extended destination id or interrupt remapping. */
			e[0] = 0xfee00000u | (lapic_id() & 0xff) << 12;
			e[1] = 0;
			e[2] = vectors[i];			   /* edge, fixed delivery */
			e[3] = 0;				   /* unmasked */
		} else {
			e[3] = 1;
		}
	}
	pci_cfg_write(pd, m->pm_cap + PCI_MSIX_CTRL, 2,
		      (ctl | PCI_MSIX_ENABLE) & ~PCI_MSIX_MASKALL);
	return KERN_SUCCESS;
}

void
pci_msix_disable(struct pci_dev *pd)
{
	struct pci_msix *m = &pd->pd_msix;
	volatile uint32_t *t = pd->pd_msix_table;
	uint16_t ctl;

	if (m->pm_cap == 0)
		return;
	for (unsigned i = 0; t != NULL && i < m->pm_size; i++)
		t[i * (PCI_MSIX_ENTRY / 4) + 3] = 1;
	ctl = (uint16_t)pci_cfg_read(pd, m->pm_cap + PCI_MSIX_CTRL, 2);
	pci_cfg_write(pd, m->pm_cap + PCI_MSIX_CTRL, 2, ctl & ~PCI_MSIX_ENABLE);
}
