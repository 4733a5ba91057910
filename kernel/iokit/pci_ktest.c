/*
 * pci_ktest.c — self-tests of PCI as booted: the host bridge started on the Platform Expert
 * and published a nub for the first function of bus 0 with ids that match configuration space.
 */
#include <console.h>
#include <iokit/pci.h>
#include <iokit/platform_expert.h>
#include <ktest.h>

struct find_ctx {
	struct io_service *fc_nub;
	unsigned fc_count;
};

static void
find_00_0(struct io_service *s, unsigned depth, void *arg)
{
	struct find_ctx *fc = arg;
	struct pci_dev *pd = pci_dev_from_nub(s);

	if (pd == NULL)
		return;
	fc->fc_count++;
	if (pd->pd_bus == 0 && pd->pd_dev == 0 && pd->pd_fn == 0)
		fc->fc_nub = s;
}

KTEST(pci_host_bridge_publishes_nubs)
{
	struct io_service *root = io_registry_root();
	struct find_ctx fc = { NULL, 0 };
	struct pci_dev *pd;
	uint64_t v;

	KT_ASSERT(root != NULL);
	if (io_service_client(root) == NULL)
		KT_SKIP("no PCI host bridge (no MCFG and no configuration ports)");
	KT_ASSERT(strcmp(io_service_name(io_service_client(root)), "IOPCIHostBridge") == 0);
	io_registry_walk(root, find_00_0, &fc);
	KT_ASSERT(fc.fc_count >= 1);
	KT_ASSERT(fc.fc_nub != NULL);
	pd = pci_dev_from_nub(fc.fc_nub);
	KT_ASSERT(os_dict_get_number(io_service_props(fc.fc_nub), "vendor-id", &v));
	KT_ASSERT_EQ(v, pci_cfg_read(pd, PCI_VENDOR_ID, 2));
	KT_ASSERT(os_dict_get_number(io_service_props(fc.fc_nub), "device-id", &v));
	KT_ASSERT_EQ(v, pci_cfg_read(pd, PCI_DEVICE_ID, 2));
	KT_ASSERT_EQ(pd->pd_class >> 16, 0x06); /* a bridge device: the host bridge */
}
