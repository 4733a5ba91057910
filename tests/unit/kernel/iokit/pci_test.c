/*
 * pci_test.c — unit tests for kernel/iokit/pci.c over a synthetic configuration space: a small
 * q35-like machine (host bridge, a virtio device with 32- and 64-bit BARs and MSI-X, a
 * multi-function device, a bridge to bus 1), then devices that answer nonsense.
 */
// unit-deps: tests/unit/shim/kalloc_malloc.c kernel/libkern/os_object.c kernel/libkern/format.c
#include <criterion/criterion.h>
#include <stdio.h>
#include <iokit/pci.h>

#include "../../shim/kalloc_malloc.h"

/* One function: its 256 bytes and, per BAR, the writable mask that sizing reveals. */
struct sfn {
	bool present;
	uint8_t cfg[256];
	uint32_t bar_mask[6];
	unsigned writes_while_decoding; /* BAR writes with memory or I/O decoding on */
};
static struct sfn space[4][32][8];

static uint32_t
s_read(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned width)
{
	uint32_t v = 0;

	cr_assert_lt(off + width, 257);
	cr_assert_eq(off % width, 0);
	if (bus >= 4 || !space[bus][dev][fn].present)
		return width == 4 ? 0xffffffff : width == 2 ? 0xffff : 0xff;
	memcpy(&v, &space[bus][dev][fn].cfg[off], width);
	return v;
}

static void
s_write(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned width,
	uint32_t val)
{
	struct sfn *f;

	cr_assert_lt(bus, 4);
	f = &space[bus][dev][fn];
	if (!f->present)
		return;
	if (off >= PCI_BAR0 && off < PCI_BAR0 + 24 && width == 4) {
		unsigned i = (off - PCI_BAR0) / 4;
		uint32_t old, cmd = 0;
		memcpy(&old, &f->cfg[off], 4);
		memcpy(&cmd, &f->cfg[PCI_COMMAND], 2);
		if (cmd & (PCI_CMD_IO | PCI_CMD_MEM))
			f->writes_while_decoding++;
		uint32_t ro = f->bar_mask[i] == 0xffffffff ? 0 : (old & 1) ? 3 : 0xf; /* upper half: none */
		if (f->bar_mask[i] == 0)
			return;
		val = (val & f->bar_mask[i] & ~ro) | (old & ro);
	}
	memcpy(&f->cfg[off], &val, width);
}

static const struct pci_cfg scfg = { s_read, s_write, NULL, 256 };

static struct sfn *
add(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device, uint32_t cls,
    uint8_t hdr)
{
	struct sfn *f = &space[bus][dev][fn];

	f->present = true;
	memcpy(&f->cfg[0], &vendor, 2);
	memcpy(&f->cfg[2], &device, 2);
	uint32_t c = cls << 8 | 1;
	memcpy(&f->cfg[8], &c, 4);
	f->cfg[PCI_HEADER_TYPE] = hdr;
	f->cfg[PCI_COMMAND] = PCI_CMD_MEM | PCI_CMD_IO;
	return f;
}

static void
bar(struct sfn *f, unsigned i, uint32_t val, uint32_t mask)
{
	memcpy(&f->cfg[PCI_BAR0 + 4 * i], &val, 4);
	f->bar_mask[i] = mask;
}

static void
cap(struct sfn *f, uint8_t at, uint8_t id, uint8_t next)
{
	f->cfg[PCI_STATUS] |= PCI_STATUS_CAPLIST;
	if (f->cfg[PCI_CAP_PTR] == 0)
		f->cfg[PCI_CAP_PTR] = at;
	f->cfg[at] = id;
	f->cfg[at + 1] = next;
}

#define MAXF 1024
static struct pci_dev found[MAXF];
static unsigned nfound;

static void
on_found(const struct pci_dev *pd, void *arg)
{
	cr_assert_lt(nfound, MAXF);
	found[nfound++] = *pd;
}

static const struct pci_dev *
get(uint8_t bus, uint8_t dev, uint8_t fn)
{
	for (unsigned i = 0; i < nfound; i++)
		if (found[i].pd_bus == bus && found[i].pd_dev == dev && found[i].pd_fn == fn)
			return &found[i];
	return NULL;
}

static void
setup(void)
{
	memset(space, 0, sizeof(space));
	nfound = 0;
}

TestSuite(pci, .init = setup);

static void
build_machine(void)
{
	struct sfn *f;

	add(0, 0, 0, 0x8086, 0x29c0, 0x060000, 0);
	/* virtio-rng-pci (modern): BAR1 4 KiB mem32, BAR4 16 KiB mem64 prefetchable, MSI-X. */
	f = add(0, 3, 0, 0x1af4, 0x1044, 0x00ff00, 0);
	bar(f, 1, 0xfebd1000, 0xfffff000);
	bar(f, 4, 0xfe00000c, 0xffffc000);
	bar(f, 5, 0x00000000, 0xffffffff);
	f->cfg[PCI_SUBSYS_VENDOR] = 0xf4;
	f->cfg[PCI_SUBSYS_VENDOR + 1] = 0x1a;
	f->cfg[PCI_INTR_PIN] = 1;
	cap(f, 0x98, PCI_CAP_ID_MSIX, 0x84);
	f->cfg[0x98 + 2] = 2; /* table size 3 */
	f->cfg[0x98 + 4] = 1; /* table in BAR1 at 0 */
	uint32_t pba = 0x800 | 1;
	memcpy(&f->cfg[0x98 + 8], &pba, 4);
	cap(f, 0x84, PCI_CAP_ID_VENDOR, 0x70);
	cap(f, 0x70, PCI_CAP_ID_VENDOR, 0);
	/* A multi-function device: functions 0 and 2; an I/O BAR on function 2. */
	add(0, 5, 0, 0x8086, 0x2918, 0x060100, PCI_HDR_MULTIFN);
	f = add(0, 5, 2, 0x8086, 0x2922, 0x010601, 0);
	bar(f, 4, 0xc041, 0xffffffe0);
	/* A bridge to bus 1, with one device behind it. */
	f = add(0, 0x1e, 0, 0x8086, 0x244e, 0x060400, 1);
	f->cfg[PCI_PRIMARY_BUS] = 0;
	f->cfg[PCI_SECONDARY_BUS] = 1;
	f->cfg[PCI_SUBORDINATE_BUS] = 1;
	add(1, 0, 0, 0x1af4, 0x1041, 0x020000, 0);
}

Test(pci, enumerates_functions_and_bridges)
{
	build_machine();
	cr_expect_eq(pci_enumerate(&scfg, 0, 0, 255, on_found, NULL), 6);
	cr_expect_eq(nfound, 6);
	cr_expect_not_null(get(0, 5, 2));
	cr_expect_null(get(0, 5, 1));
	const struct pci_dev *br = get(0, 0x1e, 0);
	cr_assert_not_null(br);
	cr_expect_eq(br->pd_hdr_type, 1);
	cr_expect_eq(br->pd_secondary_bus, 1);
	const struct pci_dev *net = get(1, 0, 0);
	cr_assert_not_null(net);
	cr_expect_eq(net->pd_device, 0x1041);
	cr_expect_eq(net->pd_class, 0x020000);
	/* Bus 1's device comes right after its bridge: depth-first. */
	cr_expect_eq(&found[5], net);
}

Test(pci, sizes_bars_and_restores_them)
{
	build_machine();
	pci_enumerate(&scfg, 0, 0, 255, on_found, NULL);
	const struct pci_dev *v = get(0, 3, 0);
	cr_assert_not_null(v);
	cr_expect_eq(v->pd_bars[1].pb_base, 0xfebd1000);
	cr_expect_eq(v->pd_bars[1].pb_size, 0x1000);
	cr_expect_eq(v->pd_bars[1].pb_flags, 0);
	cr_expect_eq(v->pd_bars[4].pb_base, 0xfe000000);
	cr_expect_eq(v->pd_bars[4].pb_size, 0x4000);
	cr_expect_eq(v->pd_bars[4].pb_flags, PCI_BAR_MEM64 | PCI_BAR_PREFETCH);
	cr_expect_eq(v->pd_bars[5].pb_flags, PCI_BAR_UPPER);
	cr_expect_eq(v->pd_bars[0].pb_size, 0);
	cr_expect_eq(v->pd_subvendor, 0x1af4);
	const struct pci_dev *io = get(0, 5, 2);
	cr_expect_eq(io->pd_bars[4].pb_flags, PCI_BAR_IO);
	cr_expect_eq(io->pd_bars[4].pb_base, 0xc040);
	cr_expect_eq(io->pd_bars[4].pb_size, 0x20);
	/* Original values are back, decoding is back on, and no BAR was written while decoding. */
	uint32_t b1;
	memcpy(&b1, &space[0][3][0].cfg[PCI_BAR0 + 4], 4);
	cr_expect_eq(b1, 0xfebd1000);
	cr_expect_eq(space[0][3][0].cfg[PCI_COMMAND] & 3, 3);
	cr_expect_eq(space[0][3][0].writes_while_decoding, 0);
}

Test(pci, finds_msix_and_capabilities)
{
	build_machine();
	pci_enumerate(&scfg, 0, 0, 255, on_found, NULL);
	const struct pci_dev *v = get(0, 3, 0);
	cr_expect_eq(v->pd_msix.pm_cap, 0x98);
	cr_expect_eq(v->pd_msix.pm_size, 3);
	cr_expect_eq(v->pd_msix.pm_table_bar, 1);
	cr_expect_eq(v->pd_msix.pm_pba_off, 0x800);
	struct pci_dev pd = *v;
	cr_expect_eq(pci_find_cap(&pd, PCI_CAP_ID_VENDOR, 0), 0x84);
	cr_expect_eq(pci_find_cap(&pd, PCI_CAP_ID_VENDOR, 0x84), 0x70);
	cr_expect_eq(pci_find_cap(&pd, PCI_CAP_ID_VENDOR, 0x70), 0);
}

Test(pci, nub_properties)
{
	build_machine();
	pci_enumerate(&scfg, 0, 0, 255, on_found, NULL);
	struct os_dict *d = os_dict_create(0);
	char buf[1024];
	cr_assert_eq(pci_dev_props(get(0, 3, 0), d), KERN_SUCCESS);
	os_serialize(OS_OBJ(d), buf, sizeof(buf));
	cr_expect_str_eq(os_dict_get_string(d, "IOName"), "pci1af4,1044");
	cr_expect_str_eq(os_dict_get_string(d, "pci-location"), "0000:00:03.0");
	cr_expect_not_null(strstr(buf, "\"bars\"=({\"index\"=0x1;\"type\"=\"mem32\";"
				       "\"base\"=0xfebd1000;\"size\"=0x1000},{\"index\"=0x4;"
				       "\"type\"=\"mem64\";\"base\"=0xfe000000;\"size\"=0x4000;"
				       "\"prefetchable\"=Yes})"), "%s", buf);
	cr_expect_not_null(strstr(buf, "\"msix-vectors\"=0x3"), "%s", buf);
	os_release(OS_OBJ(d));
	cr_expect_eq(kalloc_shim_live, 0);
}

Test(pci, hostile_config_space)
{
	struct sfn *f;

	/* Capability loop, and a pointer into the header. */
	f = add(0, 1, 0, 0x1234, 1, 0, 0);
	cap(f, 0x40, 0x05, 0x50);
	cap(f, 0x50, 0x05, 0x40);
	f = add(0, 2, 0, 0x1234, 2, 0, 0);
	cap(f, 0x40, 0x05, 0x10);
	/* BAR size not a power of two; 64-bit BAR in slot 5; reserved type. */
	f = add(0, 4, 0, 0x1234, 4, 0, 0);
	bar(f, 0, 0xfe000000, 0xff0ff000);
	bar(f, 5, 0xfd000004, 0xfffff000);
	bar(f, 2, 0xfc000002, 0xfffff000);
	/* MSI-X table past the end of its BAR. */
	f = add(0, 6, 0, 0x1234, 6, 0, 0);
	bar(f, 0, 0xfb000000, 0xfffff000);
	cap(f, 0x40, PCI_CAP_ID_MSIX, 0);
	f->cfg[0x42] = 0xff;
	f->cfg[0x43] = 0x07; /* 2048 entries = 32 KiB > 4 KiB */
	/* A bridge whose secondary bus points back at bus 0, and one that points past last. */
	f = add(0, 7, 0, 0x1234, 7, 0x060400, 1);
	f->cfg[PCI_SECONDARY_BUS] = 0;
	f = add(0, 8, 0, 0x1234, 8, 0x060400, 1);
	f->cfg[PCI_SECONDARY_BUS] = 200;
	/* A CardBus header and an interrupt pin of 9. */
	f = add(0, 9, 0, 0x1234, 9, 0, 2);
	f->cfg[PCI_INTR_PIN] = 9;
	/* Vendor 0 is not a device. */
	add(0, 10, 0, 0x0000, 10, 0, 0);

	cr_expect_eq(pci_enumerate(&scfg, 0, 0, 3, on_found, NULL), 7);
	struct pci_dev pd = *get(0, 1, 0);
	cr_expect_eq(pci_find_cap(&pd, 0x11, 0), 0);
	pd = *get(0, 2, 0);
	cr_expect_eq(pci_find_cap(&pd, 0x11, 0), 0);
	const struct pci_dev *b = get(0, 4, 0);
	cr_expect_eq(b->pd_bars[0].pb_size, 0);
	cr_expect_eq(b->pd_bars[5].pb_size, 0);
	cr_expect_eq(b->pd_bars[2].pb_size, 0);
	cr_expect_eq(get(0, 6, 0)->pd_msix.pm_cap, 0);
	cr_expect_eq(get(0, 6, 0)->pd_bars[0].pb_size, 0x1000);
	cr_expect_eq(get(0, 9, 0)->pd_intr_pin, 0);
	cr_expect_null(get(0, 10, 0));
}

/* Random configuration bytes: enumeration must terminate without touching outside the space. */
Test(pci, random_config_space_terminates)
{
	unsigned seed = 12345;

	for (int round = 0; round < 200; round++) {
		memset(space, 0, sizeof(space));
		for (int b = 0; b < 4; b++)
			for (int d = 0; d < 32; d++)
				for (int fn = 0; fn < 8; fn++) {
					struct sfn *f = &space[b][d][fn];
					seed = seed * 1103515245 + 12345;
					f->present = (seed >> 16) % 4 == 0;
					for (int i = 0; i < 256; i++) {
						seed = seed * 1103515245 + 12345;
						f->cfg[i] = (uint8_t)(seed >> 16);
					}
					for (int i = 0; i < 6; i++) {
						seed = seed * 1103515245 + 12345;
						f->bar_mask[i] = seed;
					}
				}
		nfound = 0;
		unsigned n = pci_enumerate(&scfg, 0, 0, 3, on_found, NULL);
		cr_assert_leq(n, MAXF * 100);
	}
}
