/*
 * virtio.c — transport-independent virtio device handling (virtio.h): the device
 * initialisation sequence of virtio 1.2 §3.1.1 (reset, ACKNOWLEDGE, DRIVER, features,
 * FEATURES_OK, queues, DRIVER_OK), failure handling (§2.1: NEEDS_RESET / a broken ring leads
 * to a reset and termination of the nub), DMA memory for rings, and publishing the device nub.
 */
#include <console.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>
#include <panic.h>
#include <virtio/virtio.h>

static void *
dma_alloc(size_t len, uint64_t *pa, void *ctx)
{
	void *p;

	if (len == 0)
		return NULL;
	if (len <= PAGE_SIZE) {
		/* A power-of-two kalloc class is aligned to its size: it never crosses a page. */
		size_t sz = 16;
		while (sz < len)
			sz <<= 1;
		p = kalloc_zero(sz);
		if (p == NULL)
			return NULL;
		if (((uintptr_t)p & (sz - 1)) != 0)
			panic("virtio: kalloc(%zu) returned %p, not aligned to its size", sz, p);
	} else {
		unsigned order = 0;
		vm_page_t m;
		while ((PAGE_SIZE << order) < len)
			order++;
		m = vm_page_grab_contig(order);
		if (m == NULL)
			return NULL;
		p = phystokv(VM_PAGE_TO_PHYS(m));
		memset(p, 0, PAGE_SIZE << order);
	}
	*pa = kvtophys(p);
	return p;
}

static void
dma_free(void *p, size_t len, void *ctx)
{
	if (p == NULL)
		return;
	if (len <= PAGE_SIZE) {
		size_t sz = 16;
		while (sz < len)
			sz <<= 1;
		kfree(p, sz);
	} else {
		unsigned order = 0;
		while ((PAGE_SIZE << order) < len)
			order++;
		vm_page_release_contig(PHYS_TO_VM_PAGE(kvtophys(p)), order);
	}
}

const struct vq_mem virtio_dma = { dma_alloc, dma_free, NULL };

struct virtio_dev *
virtio_dev_from_nub(struct io_service *nub)
{
	if (nub == NULL || !io_service_is_class(nub, kIOVirtioDeviceClass))
		return NULL;
	return io_service_bus_priv(nub);
}

const char *
virtio_type_name(uint32_t t)
{
	switch (t) {
	case VIRTIO_ID_NET:
		return "net";
	case VIRTIO_ID_BLOCK:
		return "block";
	case VIRTIO_ID_CONSOLE:
		return "console";
	case VIRTIO_ID_RNG:
		return "rng";
	case VIRTIO_ID_BALLOON:
		return "balloon";
	case VIRTIO_ID_SCSI:
		return "scsi";
	case VIRTIO_ID_9P:
		return "9p";
	case VIRTIO_ID_GPU:
		return "gpu";
	case VIRTIO_ID_INPUT:
		return "input";
	case VIRTIO_ID_VSOCK:
		return "vsock";
	default:
		return "unknown";
	}
}

static const char *
vd_name(const struct virtio_dev *vd)
{
	return vd->vd_nub != NULL ? io_service_name(vd->vd_nub) : virtio_type_name(vd->vd_type);
}

kern_return_t
virtio_negotiate(struct virtio_dev *vd, uint64_t wanted)
{
	const struct virtio_transport_ops *o = vd->vd_ops;
	uint64_t f;

	if (!o->vto_reset(vd)) {
		klog(LOG_ERR, "virtio %s: device did not reset\n", vd_name(vd));
		return KERN_FAILURE;
	}
	o->vto_set_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	o->vto_set_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vd->vd_host_features = o->vto_get_features(vd);
	if ((vd->vd_host_features & (1ull << VIRTIO_F_VERSION_1)) == 0) {
		klog(LOG_ERR, "virtio %s: device does not offer VERSION_1; legacy unsupported\n",
		     vd_name(vd));
		o->vto_set_status(vd, VIRTIO_CONFIG_S_FAILED);
		return KERN_FAILURE;
	}
	f = vd->vd_host_features & (wanted | 1ull << VIRTIO_F_VERSION_1 |
				    1ull << VIRTIO_RING_F_INDIRECT_DESC |
				    1ull << VIRTIO_RING_F_EVENT_IDX);
	o->vto_set_features(vd, f);
	o->vto_set_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
				      VIRTIO_CONFIG_S_FEATURES_OK);
	if ((o->vto_get_status(vd) & VIRTIO_CONFIG_S_FEATURES_OK) == 0) {
		klog(LOG_ERR, "virtio %s: device refused features %#llx\n", vd_name(vd),
		     (unsigned long long)f);
		o->vto_set_status(vd, VIRTIO_CONFIG_S_FAILED);
		return KERN_FAILURE;
	}
	vd->vd_features = f;
	if (vd->vd_nub != NULL)
		(void)os_dict_set_number(io_service_props(vd->vd_nub), "negotiated-features", f,
					 64);
	return KERN_SUCCESS;
}

struct virtqueue *
virtio_queue_alloc(struct virtio_dev *vd, uint16_t idx, uint16_t max, virtio_intr_fn fn,
		   void *arg)
{
	const struct virtio_transport_ops *o = vd->vd_ops;
	uint16_t dmax, size = 1;
	unsigned flags = 0;
	struct virtqueue *vq;

	if (idx >= VIRTIO_MAX_QUEUES || vd->vd_vqs[idx] != NULL)
		return NULL;
	dmax = o->vto_queue_max(vd, idx);
	if (dmax == 0) {
		klog(LOG_ERR, "virtio %s: queue %u does not exist\n", vd_name(vd), idx);
		return NULL;
	}
	while ((uint32_t)size * 2 <= MIN(dmax, max) && size < VQ_MAX_SIZE)
		size *= 2;
	if (vd->vd_features & (1ull << VIRTIO_RING_F_INDIRECT_DESC))
		flags |= VQ_F_INDIRECT;
	if (vd->vd_features & (1ull << VIRTIO_RING_F_EVENT_IDX))
		flags |= VQ_F_EVENT_IDX;
	vq = virtqueue_create(idx, size, flags, &virtio_dma, o->vto_notify,
			      o->vto_notify_arg(vd, idx));
	if (vq == NULL) {
		klog(LOG_ERR, "virtio %s: no memory for queue %u\n", vd_name(vd), idx);
		return NULL;
	}
	if (o->vto_queue_setup(vd, vq, fn, arg) != KERN_SUCCESS) {
		virtqueue_destroy(vq);
		return NULL;
	}
	vd->vd_vqs[idx] = vq;
	return vq;
}

void
virtio_driver_ok(struct virtio_dev *vd)
{
	vd->vd_ops->vto_set_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					       VIRTIO_CONFIG_S_FEATURES_OK |
					       VIRTIO_CONFIG_S_DRIVER_OK);
}

void
virtio_reset_and_free(struct virtio_dev *vd, void (*drain)(void *cookie, void *arg), void *arg)
{
	if (!vd->vd_ops->vto_reset(vd))
		klog(LOG_ERR, "virtio %s: device did not reset; its memory is leaked\n",
		     vd_name(vd));
	vd->vd_ops->vto_queues_release(vd);
	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		struct virtqueue *vq = vd->vd_vqs[i];

		if (vq == NULL)
			continue;
		vd->vd_vqs[i] = NULL;
		virtqueue_drain(vq, drain, arg);
		/* A device that ignores reset may still write the rings: never reuse them. */
		if (vd->vd_ops->vto_get_status(vd) == 0)
			virtqueue_destroy(vq);
	}
}

void
virtio_fail(struct virtio_dev *vd, const char *why)
{
	if (vd->vd_failed)
		return;
	vd->vd_failed = true;
	klog(LOG_ERR, "virtio %s: %s; resetting the device and terminating its nub\n",
	     vd_name(vd), why);
	(void)vd->vd_ops->vto_reset(vd);
	/* Often called from the device's interrupt: its driver is stopped on the matching
	 * thread, not here. */
	if (vd->vd_nub != NULL)
		io_service_terminate_async(vd->vd_nub);
}

bool
virtio_read_config(struct virtio_dev *vd, uint32_t off, void *buf, uint32_t len)
{
	return vd->vd_ops->vto_read_config(vd, off, buf, len);
}

kern_return_t
virtio_publish(struct virtio_dev *vd, struct io_service *provider, const char *transport)
{
	char name[32];
	struct io_service *nub;
	struct os_dict *p;
	kern_return_t kr;

	ksnprintf(name, sizeof(name), "virtio-%s", virtio_type_name(vd->vd_type));
	nub = io_service_create(kIOVirtioDeviceClass, name, "", vd);
	if (nub == NULL)
		return KERN_RESOURCE_SHORTAGE;
	p = io_service_props(nub);
	kr = os_dict_set_number(p, kIOVirtioDeviceKey, vd->vd_type, 32);
	if (kr == KERN_SUCCESS)
		kr = os_dict_set_string(p, "virtio-transport", transport);
	if (kr == KERN_SUCCESS)
		kr = os_dict_set_number(p, "device-features", vd->vd_ops->vto_get_features(vd),
					64);
	if (kr == KERN_SUCCESS)
		kr = io_service_attach(nub, provider);
	if (kr != KERN_SUCCESS) {
		io_service_release(nub);
		return kr;
	}
	vd->vd_nub = nub;
	(void)io_service_register(nub);
	io_service_release(nub);
	return KERN_SUCCESS;
}
