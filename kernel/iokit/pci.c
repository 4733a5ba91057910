/*
 * pci.c — portable PCI enumeration (pci.h): walk the buses from the host bridge through
 * PCI-to-PCI bridges, read each function's header, size its BARs, find MSI-X, and describe it
 * as nub properties.
 *
 * Follows the PCI Local Bus Specification 3.0 §6.1-6.2.5 (header, BAR sizing by writing all
 * ones), §6.7 (capability list), §6.8.2 (MSI-X) and the PCI-to-PCI Bridge Architecture 1.2
 * §3.2.5 (bus numbers). Firmware has already assigned addresses; Nimbus keeps them.
 *
 * Every value read from configuration space is checked: ids of 0 or 0xffff, unknown header
 * types, BARs with reserved types or sizes that are not powers of two, a 64-bit BAR in the last
 * slot, capability pointers into the header or in a loop, MSI-X tables outside their BAR, and
 * bridges whose secondary bus points backwards are logged and skipped.
 */
#include <console.h>
#include <iokit/pci.h>

#define PCI_MAX_DEPTH 32 /* bridges nested deeper than this are not followed */
#define PCI_MAX_CAPS  48 /* (256 - 64) / 4: more capabilities than that is a loop */

uint32_t
pci_cfg_read(const struct pci_dev *pd, uint16_t off, unsigned width)
{
	return pd->pd_cfg->pc_read(pd->pd_cfg->pc_ctx, pd->pd_bus, pd->pd_dev, pd->pd_fn, off,
				   width);
}

void
pci_cfg_write(const struct pci_dev *pd, uint16_t off, unsigned width, uint32_t val)
{
	pd->pd_cfg->pc_write(pd->pd_cfg->pc_ctx, pd->pd_bus, pd->pd_dev, pd->pd_fn, off, width,
			     val);
}

static void
pci_log(const struct pci_dev *pd, const char *what, unsigned long long v)
{
	klog(LOG_WARNING, "pci %02x:%02x.%x: %s (%#llx)\n", pd->pd_bus, pd->pd_dev, pd->pd_fn,
	     what, v);
}

uint8_t
pci_find_cap(const struct pci_dev *pd, uint8_t cap_id, uint8_t after)
{
	uint8_t ptr;

	if ((pci_cfg_read(pd, PCI_STATUS, 2) & PCI_STATUS_CAPLIST) == 0)
		return 0;
	ptr = (uint8_t)pci_cfg_read(pd, after != 0 ? after + 1 : PCI_CAP_PTR, 1);
	for (unsigned n = 0; n < PCI_MAX_CAPS; n++) {
		ptr &= 0xfc;
		if (ptr == 0)
			return 0;
		if (ptr < 0x40) {
			pci_log(pd, "capability pointer into the header", ptr);
			return 0;
		}
		if (pci_cfg_read(pd, ptr, 1) == cap_id)
			return ptr;
		ptr = (uint8_t)pci_cfg_read(pd, ptr + 1, 1);
	}
	pci_log(pd, "capability list loops", ptr);
	return 0;
}

/* Size one BAR (or a 64-bit pair); returns the number of slots it used (1 or 2). */
static unsigned
size_bar(struct pci_dev *pd, unsigned i, unsigned nbars)
{
	struct pci_bar *b = &pd->pd_bars[i];
	uint16_t off = PCI_BAR0 + 4 * i;
	uint32_t orig = pci_cfg_read(pd, off, 4), mask, orig_hi = 0, mask_hi = 0;
	uint64_t m64;
	unsigned used = 1;

	pci_cfg_write(pd, off, 4, 0xffffffff);
	mask = pci_cfg_read(pd, off, 4);
	pci_cfg_write(pd, off, 4, orig);
	if (mask == 0)
		return 1; /* not implemented */

	if (orig & 1) {
		uint32_t m = mask & ~3u;
		if ((m & 0xffff0000u) == 0)
			m |= 0xffff0000u; /* 16-bit I/O decoder */
		b->pb_flags = PCI_BAR_IO;
		b->pb_base = orig & ~3u;
		m64 = 0xffffffff00000000ull | m;
	} else {
		unsigned type = (orig >> 1) & 3;
		if (type == 2) {
			if (i + 1 >= nbars) {
				pci_log(pd, "64-bit BAR in the last slot", i);
				return 1;
			}
			orig_hi = pci_cfg_read(pd, off + 4, 4);
			pci_cfg_write(pd, off + 4, 4, 0xffffffff);
			mask_hi = pci_cfg_read(pd, off + 4, 4);
			pci_cfg_write(pd, off + 4, 4, orig_hi);
			b->pb_flags = PCI_BAR_MEM64;
			pd->pd_bars[i + 1].pb_flags = PCI_BAR_UPPER;
			used = 2;
		} else if (type != 0) {
			pci_log(pd, "BAR with a reserved type", orig);
			return 1;
		}
		if (orig & 8)
			b->pb_flags |= PCI_BAR_PREFETCH;
		b->pb_base = (uint64_t)orig_hi << 32 | (orig & ~0xfu);
		m64 = (uint64_t)(used == 2 ? mask_hi : 0xffffffffu) << 32 | (mask & ~0xfu);
	}
	if ((uint32_t)m64 == 0 && used == 1)
		return used; /* type bits only: not implemented */
	b->pb_size = ~m64 + 1;
	if (!IS_POW2(b->pb_size) || (b->pb_flags & PCI_BAR_IO && b->pb_size > 0x10000)) {
		pci_log(pd, "BAR size is not a power of two", m64);
		b->pb_size = 0;
	} else if (b->pb_base == 0) {
		pci_log(pd, "BAR not assigned by firmware", i);
		b->pb_size = 0;
	} else if ((b->pb_base & (b->pb_size - 1)) != 0 || b->pb_base + b->pb_size < b->pb_base) {
		pci_log(pd, "BAR base is misaligned or wraps", b->pb_base);
		b->pb_size = 0;
	}
	return used;
}

static void
size_bars(struct pci_dev *pd, unsigned nbars)
{
	uint16_t cmd = (uint16_t)pci_cfg_read(pd, PCI_COMMAND, 2);

	pci_cfg_write(pd, PCI_COMMAND, 2, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (unsigned i = 0; i < nbars;)
		i += size_bar(pd, i, nbars);
	pci_cfg_write(pd, PCI_COMMAND, 2, cmd);
}

/* Is [off, off + len) inside memory BAR bir? */
static bool
in_mem_bar(const struct pci_dev *pd, unsigned bir, uint64_t off, uint64_t len)
{
	const struct pci_bar *b;

	if (bir >= PCI_NUM_BARS)
		return false;
	b = &pd->pd_bars[bir];
	return b->pb_size != 0 && (b->pb_flags & (PCI_BAR_IO | PCI_BAR_UPPER)) == 0 &&
	       off <= b->pb_size && len <= b->pb_size - off;
}

static void
find_msix(struct pci_dev *pd)
{
	uint8_t cap = pci_find_cap(pd, PCI_CAP_ID_MSIX, 0);
	struct pci_msix *m = &pd->pd_msix;
	uint32_t t, p;

	if (cap == 0 || cap > 0xf4)
		return;
	m->pm_size = (pci_cfg_read(pd, cap + PCI_MSIX_CTRL, 2) & 0x7ff) + 1;
	t = pci_cfg_read(pd, cap + PCI_MSIX_TABLE, 4);
	p = pci_cfg_read(pd, cap + PCI_MSIX_PBA, 4);
	m->pm_table_bar = t & 7;
	m->pm_table_off = t & ~7u;
	m->pm_pba_bar = p & 7;
	m->pm_pba_off = p & ~7u;
	if (!in_mem_bar(pd, m->pm_table_bar, m->pm_table_off,
			(uint64_t)m->pm_size * PCI_MSIX_ENTRY) ||
	    !in_mem_bar(pd, m->pm_pba_bar, m->pm_pba_off, ((uint64_t)m->pm_size + 63) / 64 * 8)) {
		pci_log(pd, "MSI-X table or PBA outside its BAR; MSI-X not used", t);
		memset(m, 0, sizeof(*m));
		return;
	}
	m->pm_cap = cap;
}

struct scan {
	const struct pci_cfg *cfg;
	uint16_t segment;
	uint8_t first, last;
	bool visited[PCI_MAX_BUS];
	void (*found)(const struct pci_dev *pd, void *arg);
	void *arg;
};

static unsigned scan_bus(struct scan *sc, uint8_t bus, unsigned depth);

/* Read one function; returns its count (0 or 1) plus what lies behind it if it is a bridge. */
static unsigned
scan_fn(struct scan *sc, uint8_t bus, uint8_t dev, uint8_t fn, unsigned depth)
{
	struct pci_dev pd = { .pd_cfg = sc->cfg, .pd_segment = sc->segment, .pd_bus = bus,
			      .pd_dev = dev, .pd_fn = fn };
	uint32_t cls;
	bool follow = false;

	pd.pd_vendor = (uint16_t)pci_cfg_read(&pd, PCI_VENDOR_ID, 2);
	if (pd.pd_vendor == 0xffff || pd.pd_vendor == 0)
		return 0;
	pd.pd_device = (uint16_t)pci_cfg_read(&pd, PCI_DEVICE_ID, 2);
	cls = pci_cfg_read(&pd, PCI_REVISION, 4);
	pd.pd_revision = cls & 0xff;
	pd.pd_class = cls >> 8;
	pd.pd_hdr_type = pci_cfg_read(&pd, PCI_HEADER_TYPE, 1) & PCI_HDR_TYPE_MASK;
	pd.pd_intr_line = (uint8_t)pci_cfg_read(&pd, PCI_INTR_LINE, 1);
	pd.pd_intr_pin = (uint8_t)pci_cfg_read(&pd, PCI_INTR_PIN, 1);
	if (pd.pd_intr_pin > 4) {
		pci_log(&pd, "interrupt pin out of range", pd.pd_intr_pin);
		pd.pd_intr_pin = 0;
	}
	switch (pd.pd_hdr_type) {
	case 0:
		pd.pd_subvendor = (uint16_t)pci_cfg_read(&pd, PCI_SUBSYS_VENDOR, 2);
		pd.pd_subdevice = (uint16_t)pci_cfg_read(&pd, PCI_SUBSYS_ID, 2);
		size_bars(&pd, 6);
		find_msix(&pd);
		break;
	case 1:
		size_bars(&pd, 2);
		find_msix(&pd);
		pd.pd_secondary_bus = (uint8_t)pci_cfg_read(&pd, PCI_SECONDARY_BUS, 1);
		if (pd.pd_secondary_bus <= bus || pd.pd_secondary_bus > sc->last ||
		    sc->visited[pd.pd_secondary_bus])
			pci_log(&pd, "bridge secondary bus out of range; not followed",
				pd.pd_secondary_bus);
		else if (depth >= PCI_MAX_DEPTH)
			pci_log(&pd, "bridges nested too deep; not followed", depth);
		else
			follow = true;
		break;
	default:
		pci_log(&pd, "unsupported header type; BARs not sized", pd.pd_hdr_type);
		break;
	}
	sc->found(&pd, sc->arg);
	return 1 + (follow ? scan_bus(sc, pd.pd_secondary_bus, depth + 1) : 0);
}

static unsigned
scan_bus(struct scan *sc, uint8_t bus, unsigned depth)
{
	unsigned n = 0;

	if (sc->visited[bus])
		return 0;
	sc->visited[bus] = true;
	for (uint8_t dev = 0; dev < PCI_MAX_DEV; dev++) {
		struct pci_dev pd = { .pd_cfg = sc->cfg, .pd_bus = bus, .pd_dev = dev };
		uint16_t v = (uint16_t)pci_cfg_read(&pd, PCI_VENDOR_ID, 2);
		unsigned nfn;

		if (v == 0xffff || v == 0)
			continue;
		nfn = (pci_cfg_read(&pd, PCI_HEADER_TYPE, 1) & PCI_HDR_MULTIFN) ? PCI_MAX_FN : 1;
		for (uint8_t fn = 0; fn < nfn; fn++)
			n += scan_fn(sc, bus, dev, fn, depth);
	}
	return n;
}

unsigned
pci_enumerate(const struct pci_cfg *cfg, uint16_t segment, uint8_t first, uint8_t last,
	      void (*found)(const struct pci_dev *pd, void *arg), void *arg)
{
	struct scan sc = { .cfg = cfg, .segment = segment, .first = first, .last = last,
			   .found = found, .arg = arg };

	if (first > last)
		return 0;
	return scan_bus(&sc, first, 0);
}

void
pci_dev_name(const struct pci_dev *pd, char *buf, size_t len)
{
	ksnprintf(buf, len, "pci%x,%x", pd->pd_vendor, pd->pd_device);
}

static kern_return_t
bar_props(const struct pci_dev *pd, struct os_dict *props)
{
	struct os_array *a = os_array_create(PCI_NUM_BARS);
	kern_return_t kr = KERN_SUCCESS;

	if (a == NULL)
		return KERN_RESOURCE_SHORTAGE;
	for (unsigned i = 0; i < PCI_NUM_BARS && kr == KERN_SUCCESS; i++) {
		const struct pci_bar *b = &pd->pd_bars[i];
		struct os_dict *d;

		if (b->pb_size == 0)
			continue;
		d = os_dict_create(4);
		if (d == NULL)
			return os_release(OS_OBJ(a)), KERN_RESOURCE_SHORTAGE;
		kr = os_dict_set_number(d, "index", i, 8);
		if (kr == KERN_SUCCESS)
			kr = os_dict_set_string(d, "type", b->pb_flags & PCI_BAR_IO ? "io" :
							   b->pb_flags & PCI_BAR_MEM64 ? "mem64" :
											 "mem32");
		if (kr == KERN_SUCCESS)
			kr = os_dict_set_number(d, "base", b->pb_base, 64);
		if (kr == KERN_SUCCESS)
			kr = os_dict_set_number(d, "size", b->pb_size, 64);
		if (kr == KERN_SUCCESS && (b->pb_flags & PCI_BAR_PREFETCH))
			kr = os_dict_set_bool(d, "prefetchable", true);
		if (kr == KERN_SUCCESS)
			kr = os_array_append(a, OS_OBJ(d));
		os_release(OS_OBJ(d));
	}
	if (kr == KERN_SUCCESS)
		kr = os_dict_set(props, "bars", OS_OBJ(a));
	os_release(OS_OBJ(a));
	return kr;
}

kern_return_t
pci_dev_props(const struct pci_dev *pd, struct os_dict *props)
{
	char buf[24];
	kern_return_t kr;

	pci_dev_name(pd, buf, sizeof(buf));
	kr = os_dict_set_string(props, "IOName", buf);
	ksnprintf(buf, sizeof(buf), "%04x:%02x:%02x.%x", pd->pd_segment, pd->pd_bus, pd->pd_dev,
		  pd->pd_fn);
	if (kr == KERN_SUCCESS)
		kr = os_dict_set_string(props, "pci-location", buf);
	if (kr == KERN_SUCCESS)
		kr = os_dict_set_number(props, "vendor-id", pd->pd_vendor, 16);
	if (kr == KERN_SUCCESS)
		kr = os_dict_set_number(props, "device-id", pd->pd_device, 16);
	if (kr == KERN_SUCCESS && pd->pd_hdr_type == 0) {
		kr = os_dict_set_number(props, "subsystem-vendor-id", pd->pd_subvendor, 16);
		if (kr == KERN_SUCCESS)
			kr = os_dict_set_number(props, "subsystem-id", pd->pd_subdevice, 16);
	}
	if (kr == KERN_SUCCESS)
		kr = os_dict_set_number(props, "class-code", pd->pd_class, 32);
	if (kr == KERN_SUCCESS)
		kr = os_dict_set_number(props, "revision-id", pd->pd_revision, 8);
	if (kr == KERN_SUCCESS && pd->pd_hdr_type == 1)
		kr = os_dict_set_number(props, "secondary-bus", pd->pd_secondary_bus, 8);
	if (kr == KERN_SUCCESS && pd->pd_intr_pin != 0)
		kr = os_dict_set_number(props, "interrupt-pin", pd->pd_intr_pin, 8);
	if (kr == KERN_SUCCESS && pd->pd_msix.pm_cap != 0)
		kr = os_dict_set_number(props, "msix-vectors", pd->pd_msix.pm_size, 16);
	if (kr == KERN_SUCCESS)
		kr = bar_props(pd, props);
	return kr;
}
