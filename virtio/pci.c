/*
 * pci.c — the virtio PCI transport, modern interface only (virtio 1.2 §4.1): the IOVirtioPCI
 * driver matches virtio PCI functions (vendor 0x1af4, devices 0x1000-0x107f), finds the
 * common, notify, ISR and device configuration structures through vendor capabilities
 * (§4.1.4), gives the device's config change and each queue its own MSI-X vector (§4.1.5.1.2),
 * and publishes one IOVirtioDevice nub for the device drivers to match.
 *
 * Transitional devices (0x1000-0x103f) are driven through their modern interface; their
 * device type is the PCI subsystem id (§4.1.2.1). Every capability is checked against its BAR
 * before it is mapped, and every value the device reports (queue sizes, notify offsets) is
 * checked before it is used.
 */
#include <arch/x86_64/timer.h>
#include <arch/x86_64/trap.h>
#include <console.h>
#include <iokit/pci.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <mach/kern/kalloc.h>
#include <virtio/virtio.h>

#define VTPCI_VEC_FIRST	  0x50 /* the vectors virtio takes its MSI-X vectors from */
#define VTPCI_VEC_LAST	  0xdf
#define VTPCI_RESET_US	  1000000

struct vtpci;

struct vtpci_queue {
	struct vtpci *vq_sc;
	uint16_t vq_idx;
	volatile uint16_t *vq_notify;
	virtio_intr_fn vq_fn;
	void *vq_arg;
};

struct vtpci {
	struct pci_dev *vp_pci;
	struct virtio_dev vp_vd;
	volatile struct virtio_pci_common_cfg *vp_common;
	volatile uint8_t *vp_notify;
	uint32_t vp_notify_len, vp_notify_mult;
	volatile uint8_t *vp_isr;
	volatile uint8_t *vp_device;
	uint32_t vp_device_len;
	uint16_t vp_nqueues;	 /* queues driven (≤ VIRTIO_MAX_QUEUES) */
	unsigned vp_nvec;	 /* vectors: [0] config, [1 + q] queue q, or [1] all queues */
	bool vp_shared;		 /* too few MSI-X entries: the queues share vector 1 */
	uint8_t vp_vec[1 + VIRTIO_MAX_QUEUES];
	struct vtpci_queue vp_q[VIRTIO_MAX_QUEUES];
	uint64_t vp_config_changes;
};

static struct vtpci *
vd_sc(struct virtio_dev *vd)
{
	return vd->vd_transport;
}

static uint64_t
vtpci_get_features(struct virtio_dev *vd)
{
	volatile struct virtio_pci_common_cfg *c = vd_sc(vd)->vp_common;
	uint64_t lo, hi;

	c->device_feature_select = 0;
	lo = c->device_feature;
	c->device_feature_select = 1;
	hi = c->device_feature;
	return hi << 32 | lo;
}

static void
vtpci_set_features(struct virtio_dev *vd, uint64_t f)
{
	volatile struct virtio_pci_common_cfg *c = vd_sc(vd)->vp_common;

	c->guest_feature_select = 0;
	c->guest_feature = (uint32_t)f;
	c->guest_feature_select = 1;
	c->guest_feature = (uint32_t)(f >> 32);
}

static uint8_t
vtpci_get_status(struct virtio_dev *vd)
{
	return vd_sc(vd)->vp_common->device_status;
}

static void
vtpci_set_status(struct virtio_dev *vd, uint8_t s)
{
	vd_sc(vd)->vp_common->device_status = s;
}

/* §4.1.4.3.2: after writing 0, wait until the device reads back 0. Polling is unavoidable. */
static bool
vtpci_reset(struct virtio_dev *vd)
{
	volatile struct virtio_pci_common_cfg *c = vd_sc(vd)->vp_common;

	c->device_status = 0;
	for (unsigned us = 0; us < VTPCI_RESET_US; us += 10) {
		if (c->device_status == 0)
			return true;
		delay_us(10);
	}
	return false;
}

static uint16_t
vtpci_queue_max(struct virtio_dev *vd, uint16_t idx)
{
	struct vtpci *sc = vd_sc(vd);
	uint16_t n;

	if (idx >= sc->vp_nqueues)
		return 0;
	sc->vp_common->queue_select = idx;
	n = sc->vp_common->queue_size;
	return n > VQ_MAX_SIZE ? VQ_MAX_SIZE : n;
}

static void
vtpci_notify(struct virtqueue *vq, void *arg)
{
	struct vtpci_queue *q = arg;

	*q->vq_notify = q->vq_idx;
}

static void *
vtpci_notify_arg(struct virtio_dev *vd, uint16_t idx)
{
	return idx < VIRTIO_MAX_QUEUES ? &vd_sc(vd)->vp_q[idx] : NULL;
}

static void
vtpci_queue_intr(struct trapframe *tf, void *arg)
{
	struct vtpci_queue *q = arg;

	if (q->vq_fn != NULL)
		q->vq_fn(q->vq_arg);
}

/* The queues' shared vector: every queue with a handler looks at its used ring. */
static void
vtpci_shared_intr(struct trapframe *tf, void *arg)
{
	struct vtpci *sc = arg;

	for (unsigned i = 0; i < sc->vp_nqueues; i++)
		if (sc->vp_q[i].vq_fn != NULL)
			sc->vp_q[i].vq_fn(sc->vp_q[i].vq_arg);
}

static void
vtpci_config_intr(struct trapframe *tf, void *arg)
{
	struct vtpci *sc = arg;

	sc->vp_config_changes++;
	if (sc->vp_vd.vd_ops->vto_get_status(&sc->vp_vd) & VIRTIO_CONFIG_S_NEEDS_RESET)
		virtio_fail(&sc->vp_vd, "device needs a reset");
}

static kern_return_t
vtpci_queue_setup(struct virtio_dev *vd, struct virtqueue *vq, virtio_intr_fn fn, void *arg)
{
	struct vtpci *sc = vd_sc(vd);
	volatile struct virtio_pci_common_cfg *c = sc->vp_common;
	uint16_t idx = virtqueue_index(vq), off;
	struct vtpci_queue *q = &sc->vp_q[idx];
	uint64_t noff;

	c->queue_select = idx;
	off = c->queue_notify_off;
	noff = (uint64_t)off * sc->vp_notify_mult;
	if (noff > sc->vp_notify_len || sc->vp_notify_len - noff < 2) {
		klog(LOG_ERR, "virtio-pci: queue %u notify offset %#llx outside the notify area\n",
		     idx, (unsigned long long)noff);
		return KERN_FAILURE;
	}
	q->vq_sc = sc;
	q->vq_idx = idx;
	q->vq_notify = (volatile uint16_t *)(sc->vp_notify + noff);
	q->vq_fn = fn;
	q->vq_arg = arg;
	c->queue_size = virtqueue_size(vq);
	c->queue_desc_lo = (uint32_t)virtqueue_desc_pa(vq);
	c->queue_desc_hi = (uint32_t)(virtqueue_desc_pa(vq) >> 32);
	c->queue_avail_lo = (uint32_t)virtqueue_avail_pa(vq);
	c->queue_avail_hi = (uint32_t)(virtqueue_avail_pa(vq) >> 32);
	c->queue_used_lo = (uint32_t)virtqueue_used_pa(vq);
	c->queue_used_hi = (uint32_t)(virtqueue_used_pa(vq) >> 32);
	uint16_t entry = sc->vp_shared ? 1 : (uint16_t)(1 + idx);
	c->queue_msix_vector = entry;
	if (c->queue_msix_vector != entry) {
		klog(LOG_ERR, "virtio-pci: queue %u refused MSI-X entry %u\n", idx, entry);
		q->vq_fn = NULL;
		return KERN_FAILURE;
	}
	c->queue_enable = 1;
	return KERN_SUCCESS;
}

static void
vtpci_queues_release(struct virtio_dev *vd)
{
	struct vtpci *sc = vd_sc(vd);

	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		sc->vp_q[i].vq_fn = NULL;
		sc->vp_q[i].vq_arg = NULL;
	}
}

static bool
vtpci_read_config(struct virtio_dev *vd, uint32_t off, void *buf, uint32_t len)
{
	struct vtpci *sc = vd_sc(vd);
	uint8_t gen;

	if (off > sc->vp_device_len || len > sc->vp_device_len - off)
		return false;
	for (unsigned tries = 0; tries < 16; tries++) {
		gen = sc->vp_common->config_generation;
		for (uint32_t i = 0; i < len; i++)
			((uint8_t *)buf)[i] = sc->vp_device[off + i];
		if (sc->vp_common->config_generation == gen)
			return true;
	}
	klog(LOG_WARNING, "virtio-pci: device configuration never settled\n");
	return false;
}

static bool
vtpci_write_config(struct virtio_dev *vd, uint32_t off, const void *buf, uint32_t len)
{
	struct vtpci *sc = vd_sc(vd);

	if (off > sc->vp_device_len || len > sc->vp_device_len - off)
		return false;
	for (uint32_t i = 0; i < len; i++)
		sc->vp_device[off + i] = ((const uint8_t *)buf)[i];
	return true;
}

static const struct virtio_transport_ops vtpci_ops = {
	.vto_get_features = vtpci_get_features,
	.vto_set_features = vtpci_set_features,
	.vto_get_status = vtpci_get_status,
	.vto_set_status = vtpci_set_status,
	.vto_reset = vtpci_reset,
	.vto_queue_max = vtpci_queue_max,
	.vto_queue_setup = vtpci_queue_setup,
	.vto_queues_release = vtpci_queues_release,
	.vto_notify = vtpci_notify,
	.vto_notify_arg = vtpci_notify_arg,
	.vto_read_config = vtpci_read_config,
	.vto_write_config = vtpci_write_config,
};

/* Map the first usable vendor capability of cfg_type; *len gets its length. */
static volatile void *
map_cap(struct pci_dev *pd, uint8_t cfg_type, uint32_t min_len, uint32_t *len, uint8_t *at)
{
	for (uint8_t cap = pci_find_cap(pd, PCI_CAP_ID_VENDOR, 0); cap != 0;
	     cap = pci_find_cap(pd, PCI_CAP_ID_VENDOR, cap)) {
		uint8_t clen = (uint8_t)pci_cfg_read(pd, cap + 2, 1);
		uint8_t type = (uint8_t)pci_cfg_read(pd, cap + 3, 1);
		uint8_t bar = (uint8_t)pci_cfg_read(pd, cap + 4, 1);
		uint32_t off = pci_cfg_read(pd, cap + 8, 4);
		uint32_t l = pci_cfg_read(pd, cap + 12, 4);
		volatile void *p;

		if (type != cfg_type)
			continue;
		if (clen < sizeof(struct virtio_pci_cap) || cap > 0xff - 16 || bar >= PCI_NUM_BARS ||
		    l < min_len) {
			klog(LOG_WARNING, "virtio-pci %02x:%02x.%x: bad capability at %#x\n",
			     pd->pd_bus, pd->pd_dev, pd->pd_fn, cap);
			continue;
		}
		p = pci_map_bar(pd, bar, off, l);
		if (p == NULL)
			continue;
		*len = l;
		if (at != NULL)
			*at = cap;
		return p;
	}
	return NULL;
}

static void
vtpci_free_vectors(struct vtpci *sc)
{
	pci_msix_disable(sc->vp_pci);
	for (unsigned i = 0; i < sc->vp_nvec; i++)
		intr_set_handler(sc->vp_vec[i], NULL, NULL);
	sc->vp_nvec = 0;
}

/*
 * One vector for configuration changes and one per queue (up to VIRTIO_MAX_QUEUES); when the
 * function has fewer MSI-X entries than that, one vector shared by all queues (§4.1.5.1.2
 * allows any mapping of queues to vectors).
 */
static kern_return_t
vtpci_setup_msix(struct vtpci *sc)
{
	struct pci_dev *pd = sc->vp_pci;
	unsigned want;

	if (pd->pd_msix.pm_cap == 0 || pd->pd_msix.pm_size < 2) {
		klog(LOG_ERR, "virtio-pci %02x:%02x.%x: no MSI-X; not driven\n", pd->pd_bus,
		     pd->pd_dev, pd->pd_fn);
		return KERN_FAILURE;
	}
	sc->vp_shared = sc->vp_nqueues > pd->pd_msix.pm_size - 1u;
	want = sc->vp_shared ? 2 : 1u + sc->vp_nqueues;
	for (unsigned i = 0; i < want; i++) {
		unsigned v = intr_alloc_vector(VTPCI_VEC_FIRST, VTPCI_VEC_LAST);

		if (v == 0) {
			klog(LOG_ERR, "virtio-pci: out of interrupt vectors\n");
			vtpci_free_vectors(sc);
			return KERN_FAILURE;
		}
		sc->vp_vec[i] = (uint8_t)v;
		if (i == 0)
			intr_set_handler(v, vtpci_config_intr, sc);
		else if (sc->vp_shared)
			intr_set_handler(v, vtpci_shared_intr, sc);
		else
			intr_set_handler(v, vtpci_queue_intr, &sc->vp_q[i - 1]);
		sc->vp_nvec = i + 1;
	}
	if (pci_msix_enable(pd, want, sc->vp_vec) != KERN_SUCCESS) {
		vtpci_free_vectors(sc);
		return KERN_FAILURE;
	}
	sc->vp_common->msix_config = 0;
	if (sc->vp_common->msix_config != 0)
		klog(LOG_WARNING, "virtio-pci: device refused the config-change vector\n");
	return KERN_SUCCESS;
}

static kern_return_t
vtpci_start(struct io_service *self, struct io_service *provider)
{
	struct vtpci *sc = io_service_softc(self);
	struct pci_dev *pd = pci_dev_from_nub(provider);
	uint32_t len, ncap_len = 0;
	uint8_t ncap = 0;

	if (pd == NULL)
		return KERN_INVALID_ARGUMENT;
	sc->vp_pci = pd;
	sc->vp_vd.vd_ops = &vtpci_ops;
	sc->vp_vd.vd_transport = sc;
	sc->vp_vd.vd_type = pd->pd_device >= 0x1040 ? pd->pd_device - 0x1040u : pd->pd_subdevice;
	if (sc->vp_vd.vd_type == 0) {
		klog(LOG_WARNING, "virtio-pci %02x:%02x.%x: device type 0; not driven\n",
		     pd->pd_bus, pd->pd_dev, pd->pd_fn);
		return KERN_FAILURE;
	}
	sc->vp_common = map_cap(pd, VIRTIO_PCI_CAP_COMMON_CFG,
				sizeof(struct virtio_pci_common_cfg), &len, NULL);
	sc->vp_notify = map_cap(pd, VIRTIO_PCI_CAP_NOTIFY_CFG, 2, &ncap_len, &ncap);
	sc->vp_isr = map_cap(pd, VIRTIO_PCI_CAP_ISR_CFG, 1, &len, NULL);
	sc->vp_device = map_cap(pd, VIRTIO_PCI_CAP_DEVICE_CFG, 0, &sc->vp_device_len, NULL);
	if (sc->vp_common == NULL || sc->vp_notify == NULL || sc->vp_isr == NULL) {
		klog(LOG_WARNING, "virtio-pci %02x:%02x.%x: no modern interface; not driven\n",
		     pd->pd_bus, pd->pd_dev, pd->pd_fn);
		return KERN_FAILURE;
	}
	if (sc->vp_device == NULL)
		sc->vp_device_len = 0;
	sc->vp_notify_len = ncap_len;
	sc->vp_notify_mult = pci_cfg_read(pd, ncap + sizeof(struct virtio_pci_cap), 4);
	pci_enable(pd);
	if (!vtpci_reset(&sc->vp_vd)) {
		klog(LOG_ERR, "virtio-pci %02x:%02x.%x: device does not reset\n", pd->pd_bus,
		     pd->pd_dev, pd->pd_fn);
		return KERN_FAILURE;
	}
	sc->vp_nqueues = MIN(sc->vp_common->num_queues, (uint16_t)VIRTIO_MAX_QUEUES);
	if (vtpci_setup_msix(sc) != KERN_SUCCESS)
		return KERN_FAILURE;
	(void)os_dict_set_number(io_service_props(self), "num-queues",
				 sc->vp_common->num_queues, 16);
	(void)os_dict_set_number(io_service_props(self), "msix-vectors-used", sc->vp_nvec, 16);
	if (sc->vp_shared)
		(void)os_dict_set_bool(io_service_props(self), "msix-shared", true);
	if (virtio_publish(&sc->vp_vd, self, "pci") != KERN_SUCCESS) {
		klog(LOG_ERR, "virtio-pci: no memory for the device nub\n");
		vtpci_free_vectors(sc);
		return KERN_FAILURE;
	}
	return KERN_SUCCESS;
}

static void
vtpci_stop(struct io_service *self, struct io_service *provider)
{
	struct vtpci *sc = io_service_softc(self);

	(void)vtpci_reset(&sc->vp_vd);
	vtpci_free_vectors(sc);
	sc->vp_vd.vd_nub = NULL;
}

static const struct io_match vtpci_match[] = {
	{ .im_provider_class = kIOPCIDeviceClass, .im_pci_match = 0x10001af4,
	  .im_pci_mask = 0xffc0ffff, .im_score = 100 },  /* transitional 0x1000-0x103f */
	{ .im_provider_class = kIOPCIDeviceClass, .im_pci_match = 0x10401af4,
	  .im_pci_mask = 0xffc0ffff, .im_score = 100 },  /* modern 0x1040-0x107f */
};

static const struct io_driver vtpci_driver = {
	.drv_class = "IOVirtioPCI",
	.drv_match = vtpci_match,
	.drv_nmatch = ARRAY_SIZE(vtpci_match),
	.drv_softc_size = sizeof(struct vtpci),
	.drv_start = vtpci_start,
	.drv_stop = vtpci_stop,
};
IOKIT_DRIVER(vtpci_driver);
