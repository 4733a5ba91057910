/*
 * mmio.c — the virtio MMIO transport, version 2 only (virtio 1.2 §4.2): the IOVirtioMMIO
 * driver matches the Platform Expert's "virtio,mmio" platform devices (from
 * `virtio_mmio.device=` on the command line), checks the register block's magic, version and
 * device id, routes its interrupt line through the IOAPIC, and publishes an IOVirtioDevice nub.
 *
 * One interrupt serves the whole device: the handler reads InterruptStatus, acknowledges it,
 * and lets every queue look at its used ring (§4.2.3.4). Legacy devices (version 1, QEMU's
 * default unless -global virtio-mmio.force-legacy=false) are refused with a log line.
 */
#include <arch/x86_64/ioapic.h>
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/timer.h>
#include <arch/x86_64/trap.h>
#include <console.h>
#include <iokit/acpi.h>
#include <iokit/platform_expert.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <virtio/virtio.h>

#define VTMMIO_MAGIC	0x74726976 /* "virt" */
#define VTMMIO_RESET_US 1000000

struct vtmmio_queue {
	struct vtmmio *mq_sc;
	uint16_t mq_idx;
	virtio_intr_fn mq_fn;
	void *mq_arg;
};

struct vtmmio {
	volatile uint8_t *vm_regs;
	uint64_t vm_size;
	uint32_t vm_gsi;
	unsigned vm_vector;
	struct virtio_dev vm_vd;
	struct vtmmio_queue vm_q[VIRTIO_MAX_QUEUES];
	uint64_t vm_config_changes;
};

static inline uint32_t
rd(struct vtmmio *sc, unsigned off)
{
	return *(volatile uint32_t *)(sc->vm_regs + off);
}

static inline void
wr(struct vtmmio *sc, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(sc->vm_regs + off) = v;
}

static struct vtmmio *
vd_sc(struct virtio_dev *vd)
{
	return vd->vd_transport;
}

static uint64_t
vtmmio_get_features(struct virtio_dev *vd)
{
	struct vtmmio *sc = vd_sc(vd);
	uint64_t lo, hi;

	wr(sc, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = rd(sc, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(sc, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	hi = rd(sc, VIRTIO_MMIO_DEVICE_FEATURES);
	return hi << 32 | lo;
}

static void
vtmmio_set_features(struct virtio_dev *vd, uint64_t f)
{
	struct vtmmio *sc = vd_sc(vd);

	wr(sc, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(sc, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	wr(sc, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(sc, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

static uint8_t
vtmmio_get_status(struct virtio_dev *vd)
{
	return (uint8_t)rd(vd_sc(vd), VIRTIO_MMIO_STATUS);
}

static void
vtmmio_set_status(struct virtio_dev *vd, uint8_t s)
{
	wr(vd_sc(vd), VIRTIO_MMIO_STATUS, s);
}

/* §4.2.3.1: write 0, then wait (bounded) until the device reads back 0. */
static bool
vtmmio_reset(struct virtio_dev *vd)
{
	struct vtmmio *sc = vd_sc(vd);

	wr(sc, VIRTIO_MMIO_STATUS, 0);
	for (unsigned us = 0; us < VTMMIO_RESET_US; us += 10) {
		if (rd(sc, VIRTIO_MMIO_STATUS) == 0)
			return true;
		delay_us(10);
	}
	return false;
}

static uint16_t
vtmmio_queue_max(struct virtio_dev *vd, uint16_t idx)
{
	struct vtmmio *sc = vd_sc(vd);
	uint32_t n;

	if (idx >= VIRTIO_MAX_QUEUES)
		return 0;
	wr(sc, VIRTIO_MMIO_QUEUE_SEL, idx);
	if (rd(sc, VIRTIO_MMIO_QUEUE_READY) != 0)
		return 0; /* in use already: the device was not reset */
	n = rd(sc, VIRTIO_MMIO_QUEUE_NUM_MAX);
	return n > VQ_MAX_SIZE ? VQ_MAX_SIZE : (uint16_t)n;
}

static void
vtmmio_notify(struct virtqueue *vq, void *arg)
{
	struct vtmmio_queue *q = arg;

	wr(q->mq_sc, VIRTIO_MMIO_QUEUE_NOTIFY, q->mq_idx);
}

static void *
vtmmio_notify_arg(struct virtio_dev *vd, uint16_t idx)
{
	return idx < VIRTIO_MAX_QUEUES ? &vd_sc(vd)->vm_q[idx] : NULL;
}

static kern_return_t
vtmmio_queue_setup(struct virtio_dev *vd, struct virtqueue *vq, virtio_intr_fn fn, void *arg)
{
	struct vtmmio *sc = vd_sc(vd);
	uint16_t idx = virtqueue_index(vq);
	struct vtmmio_queue *q = &sc->vm_q[idx];

	q->mq_sc = sc;
	q->mq_idx = idx;
	q->mq_fn = fn;
	q->mq_arg = arg;
	wr(sc, VIRTIO_MMIO_QUEUE_SEL, idx);
	wr(sc, VIRTIO_MMIO_QUEUE_NUM, virtqueue_size(vq));
	wr(sc, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)virtqueue_desc_pa(vq));
	wr(sc, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(virtqueue_desc_pa(vq) >> 32));
	wr(sc, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)virtqueue_avail_pa(vq));
	wr(sc, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(virtqueue_avail_pa(vq) >> 32));
	wr(sc, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)virtqueue_used_pa(vq));
	wr(sc, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(virtqueue_used_pa(vq) >> 32));
	wr(sc, VIRTIO_MMIO_QUEUE_READY, 1);
	return KERN_SUCCESS;
}

static void
vtmmio_queues_release(struct virtio_dev *vd)
{
	struct vtmmio *sc = vd_sc(vd);

	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		sc->vm_q[i].mq_fn = NULL;
		sc->vm_q[i].mq_arg = NULL;
	}
}

static bool
vtmmio_read_config(struct virtio_dev *vd, uint32_t off, void *buf, uint32_t len)
{
	struct vtmmio *sc = vd_sc(vd);
	uint64_t room = sc->vm_size - VIRTIO_MMIO_CONFIG;

	if (off > room || len > room - off)
		return false;
	for (unsigned tries = 0; tries < 16; tries++) {
		uint32_t gen = rd(sc, VIRTIO_MMIO_CONFIG_GENERATION);
		for (uint32_t i = 0; i < len; i++)
			((uint8_t *)buf)[i] = sc->vm_regs[VIRTIO_MMIO_CONFIG + off + i];
		if (rd(sc, VIRTIO_MMIO_CONFIG_GENERATION) == gen)
			return true;
	}
	return false;
}

static bool
vtmmio_write_config(struct virtio_dev *vd, uint32_t off, const void *buf, uint32_t len)
{
	struct vtmmio *sc = vd_sc(vd);
	uint64_t room = sc->vm_size - VIRTIO_MMIO_CONFIG;

	if (off > room || len > room - off)
		return false;
	for (uint32_t i = 0; i < len; i++)
		sc->vm_regs[VIRTIO_MMIO_CONFIG + off + i] = ((const uint8_t *)buf)[i];
	return true;
}

static const struct virtio_transport_ops vtmmio_ops = {
	.vto_get_features = vtmmio_get_features,
	.vto_set_features = vtmmio_set_features,
	.vto_get_status = vtmmio_get_status,
	.vto_set_status = vtmmio_set_status,
	.vto_reset = vtmmio_reset,
	.vto_queue_max = vtmmio_queue_max,
	.vto_queue_setup = vtmmio_queue_setup,
	.vto_queues_release = vtmmio_queues_release,
	.vto_notify = vtmmio_notify,
	.vto_notify_arg = vtmmio_notify_arg,
	.vto_read_config = vtmmio_read_config,
	.vto_write_config = vtmmio_write_config,
};

static void
vtmmio_intr(struct trapframe *tf, void *arg)
{
	struct vtmmio *sc = arg;
	uint32_t st = rd(sc, VIRTIO_MMIO_INTERRUPT_STATUS);

	wr(sc, VIRTIO_MMIO_INTERRUPT_ACK, st & (VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG));
	if (st & VIRTIO_MMIO_INT_CONFIG) {
		sc->vm_config_changes++;
		if (rd(sc, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET) {
			virtio_fail(&sc->vm_vd, "device needs a reset");
			return;
		}
	}
	if (st & VIRTIO_MMIO_INT_VRING)
		for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++)
			if (sc->vm_q[i].mq_fn != NULL)
				sc->vm_q[i].mq_fn(sc->vm_q[i].mq_arg);
}

static kern_return_t
vtmmio_start(struct io_service *self, struct io_service *provider)
{
	struct vtmmio *sc = io_service_softc(self);
	struct os_dict *p = io_service_props(provider);
	uint64_t base, size, gsi;
	uint32_t magic, version;
	unsigned vec;

	if (!os_dict_get_number(p, "reg", &base) || !os_dict_get_number(p, "reg-size", &size) ||
	    !os_dict_get_number(p, "interrupt", &gsi) || size < VIRTIO_MMIO_CONFIG)
		return KERN_INVALID_ARGUMENT;
	sc->vm_regs = pmap_mapdev(base, size);
	if (sc->vm_regs == NULL) {
		klog(LOG_ERR, "virtio-mmio@%llx: cannot map %#llx bytes\n",
		     (unsigned long long)base, (unsigned long long)size);
		return KERN_FAILURE;
	}
	sc->vm_size = size;
	sc->vm_gsi = (uint32_t)gsi;
	magic = rd(sc, VIRTIO_MMIO_MAGIC_VALUE);
	version = rd(sc, VIRTIO_MMIO_VERSION);
	if (magic != VTMMIO_MAGIC) {
		klog(LOG_WARNING, "virtio-mmio@%llx: bad magic %#x; not a virtio device\n",
		     (unsigned long long)base, magic);
		return KERN_FAILURE;
	}
	if (version != 2) {
		klog(LOG_WARNING, "virtio-mmio@%llx: version %u (legacy?) unsupported; use "
				  "-global virtio-mmio.force-legacy=false\n",
		     (unsigned long long)base, version);
		return KERN_FAILURE;
	}
	sc->vm_vd.vd_ops = &vtmmio_ops;
	sc->vm_vd.vd_transport = sc;
	sc->vm_vd.vd_type = rd(sc, VIRTIO_MMIO_DEVICE_ID);
	if (sc->vm_vd.vd_type == 0) {
		klog(LOG_INFO, "virtio-mmio@%llx: empty slot (device id 0)\n",
		     (unsigned long long)base);
		return KERN_FAILURE;
	}
	if (!vtmmio_reset(&sc->vm_vd)) {
		klog(LOG_ERR, "virtio-mmio@%llx: device does not reset\n", (unsigned long long)base);
		return KERN_FAILURE;
	}
	vec = intr_alloc_vector(0x50, 0xdf);
	if (vec == 0) {
		klog(LOG_ERR, "virtio-mmio: out of interrupt vectors\n");
		return KERN_FAILURE;
	}
	intr_set_handler(vec, vtmmio_intr, sc);
	/*
	 * Edge-triggered, active high: the line rises when the device interrupts and falls at
	 * InterruptACK, so every new event is a new edge (level mode lost interrupts on microvm).
	 */
	if (ioapic_route_gsi(sc->vm_gsi, vec, ACPI_INTI_POLARITY_HIGH | ACPI_INTI_TRIGGER_EDGE) !=
	    0) {
		intr_set_handler(vec, NULL, NULL);
		return KERN_FAILURE;
	}
	sc->vm_vector = vec;
	(void)os_dict_set_number(io_service_props(self), "interrupt-vector", vec, 8);
	if (virtio_publish(&sc->vm_vd, self, "mmio") != KERN_SUCCESS) {
		(void)ioapic_mask_gsi(sc->vm_gsi, true);
		intr_set_handler(vec, NULL, NULL);
		return KERN_FAILURE;
	}
	return KERN_SUCCESS;
}

static void
vtmmio_stop(struct io_service *self, struct io_service *provider)
{
	struct vtmmio *sc = io_service_softc(self);

	(void)vtmmio_reset(&sc->vm_vd);
	(void)ioapic_mask_gsi(sc->vm_gsi, true);
	intr_set_handler(sc->vm_vector, NULL, NULL);
	sc->vm_vd.vd_nub = NULL;
}

static const struct io_match vtmmio_match[] = {
	{ .im_provider_class = kIOPlatformDeviceClass, .im_name_match = "virtio,mmio",
	  .im_score = 100 },
};

static const struct io_driver vtmmio_driver = {
	.drv_class = "IOVirtioMMIO",
	.drv_match = vtmmio_match,
	.drv_nmatch = ARRAY_SIZE(vtmmio_match),
	.drv_softc_size = sizeof(struct vtmmio),
	.drv_start = vtmmio_start,
	.drv_stop = vtmmio_stop,
};
IOKIT_DRIVER(vtmmio_driver);
