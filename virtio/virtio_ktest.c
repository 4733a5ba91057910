/*
 * virtio_ktest.c — self-tests of the virtio transports as booted: every IOVirtioDevice nub
 * has a device behind it whose type matches its property and that negotiated VERSION_1 when
 * a driver runs it. Skipped when the machine has no virtio devices.
 */
#include <console.h>
#include <ktest.h>
#include <linux/virtio_config.h>
#include <virtio/virtio.h>

struct vt_ctx {
	unsigned vc_nubs, vc_bad;
};

static void
vt_check(struct io_service *s, unsigned depth, void *arg)
{
	struct vt_ctx *vc = arg;
	struct virtio_dev *vd = virtio_dev_from_nub(s);
	uint64_t type;

	if (!io_service_is_class(s, kIOVirtioDeviceClass))
		return;
	vc->vc_nubs++;
	if (vd == NULL || !os_dict_get_number(io_service_props(s), kIOVirtioDeviceKey, &type) ||
	    type != vd->vd_type || vd->vd_nub != s)
		vc->vc_bad++;
	else if (io_service_client(s) != NULL &&
		 (vd->vd_features & (1ull << VIRTIO_F_VERSION_1)) == 0)
		vc->vc_bad++;
}

KTEST(virtio_nubs_consistent)
{
	struct vt_ctx vc = { 0, 0 };

	io_registry_walk(io_registry_root(), vt_check, &vc);
	if (vc.vc_nubs == 0)
		KT_SKIP("no virtio devices");
	KT_ASSERT_EQ(vc.vc_bad, 0);
}
