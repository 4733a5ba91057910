/*
 * console.c — the virtio console driver (virtio 1.2 §5.3): VirtioConsole matches virtio device
 * type 3 and makes port 0 a kernel console sink named "hvc0" (selected with console=hvc0).
 * Output goes out on transmitq 1 from a ring of DMA slots; input arriving on receiveq 0 is fed
 * to the console input queue, so the debug shell works over hvc0 as over ttyS0.
 *
 * A console sink is written under the console lock, possibly with interrupts off and from any
 * context, so the transmit path never sleeps, never logs (its queue is quiet), and reclaims
 * finished slots by polling the used ring when all are busy — the one place polling is
 * unavoidable. A device fault found there is acted on by the next interrupt.
 *
 * Multiport (§5.3.6.2), when the device offers it: the control queues (2 receive, 3 transmit)
 * carry DEVICE_READY, then one PORT_ADD per port, answered by PORT_READY; the device names its
 * console port with CONSOLE_PORT, which the driver opens (PORT_OPEN). Control messages arrive
 * from the device and are validated like everything else it writes (length, port id, event).
 * XXX: only port 0 carries data (it becomes hvc0); other ports are declined with PORT_READY 0
 * and logged, until a tty layer wants them (their queues, 4 and up, stay unconfigured).
 */
#include <arch/x86_64/cpu.h>
#include <console.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>
#include <mach/kern/locks.h>
#include <virtio/virtio.h>

#define HVC_TX_SLOTS 16
#define HVC_TX_SLOT  256 /* HVC_TX_SLOTS * HVC_TX_SLOT = one page of DMA memory */
#define HVC_RX_BUFS  8
#define HVC_RX_BUF   64
#define HVC_SPIN_MAX 2000000 /* polls of the used ring before output is dropped */
#define HVC_CTL_BUFS 8	     /* control messages in each direction */
#define HVC_CTL_SZ   8	     /* sizeof(struct virtio_console_control) */

struct vtcon {
	struct virtio_dev *vc_vd;
	struct virtqueue *vc_rxq, *vc_txq;
	lck_spin_t vc_lock;
	uint8_t *vc_tx;		/* HVC_TX_SLOTS * HVC_TX_SLOT */
	uint64_t vc_tx_pa;
	uint8_t *vc_rx;		/* HVC_RX_BUFS * HVC_RX_BUF */
	uint64_t vc_rx_pa;
	bool vc_tx_busy[HVC_TX_SLOTS];
	bool vc_rx_posted[HVC_RX_BUFS];
	bool vc_failed;		/* a queue broke in the sink; the next interrupt fails the device */
	uint64_t vc_tx_bytes, vc_rx_bytes, vc_dropped;
	/* Multiport: control queues and their buffers (receive, then transmit). */
	bool vc_multiport;
	struct virtqueue *vc_cirq, *vc_ctxq;
	uint8_t *vc_ctl;	/* 2 * HVC_CTL_BUFS * HVC_CTL_SZ */
	uint64_t vc_ctl_pa;
	bool vc_crx_posted[HVC_CTL_BUFS];
	bool vc_ctx_busy[HVC_CTL_BUFS];
	bool vc_port0_console;	/* the device said port 0 is a console */
	uint32_t vc_ports_declined;
};

static struct vtcon *hvc_active;
static lck_spin_t hvc_sink_lock = LCK_SPIN_INITIALIZER;

/* Take back finished transmit slots. vc_lock held. */
static void
tx_reclaim(struct vtcon *sc)
{
	void *cookie;
	uint32_t len;

	while (virtqueue_dequeue(sc->vc_txq, &cookie, &len))
		sc->vc_tx_busy[(bool *)cookie - sc->vc_tx_busy] = false;
	if (virtqueue_broken(sc->vc_txq))
		sc->vc_failed = true;
}

static int
tx_free_slot(struct vtcon *sc)
{
	for (int i = 0; i < HVC_TX_SLOTS; i++)
		if (!sc->vc_tx_busy[i])
			return i;
	return -1;
}

/* Queue n bytes for transmission. vc_lock held; never logs. */
static void
tx_write(struct vtcon *sc, const char *s, size_t n)
{
	while (n > 0 && !sc->vc_failed) {
		int slot;
		unsigned spins = 0;

		tx_reclaim(sc);
		while ((slot = tx_free_slot(sc)) < 0 && !sc->vc_failed && spins++ < HVC_SPIN_MAX) {
			cpu_pause();
			tx_reclaim(sc);
		}
		if (slot < 0)
			break;
		size_t chunk = MIN(n, (size_t)HVC_TX_SLOT);
		struct vq_seg seg = { sc->vc_tx_pa + (uint64_t)slot * HVC_TX_SLOT,
				      (uint32_t)chunk };
		memcpy(sc->vc_tx + slot * HVC_TX_SLOT, s, chunk);
		if (virtqueue_enqueue(sc->vc_txq, &sc->vc_tx_busy[slot], &seg, 1, 0) !=
		    KERN_SUCCESS)
			break;
		sc->vc_tx_busy[slot] = true;
		virtqueue_kick(sc->vc_txq);
		sc->vc_tx_bytes += chunk;
		s += chunk;
		n -= chunk;
	}
	sc->vc_dropped += n;
}

static void
hvc_write(const char *s, size_t n)
{
	bool on = intr_save();
	struct vtcon *sc;

	/* A write from inside this path (a fault while transmitting) is dropped, not deadlocked. */
	if (!lck_spin_try_lock(&hvc_sink_lock)) {
		intr_restore(on);
		return;
	}
	sc = hvc_active;
	if (sc != NULL) {
		lck_spin_lock(&sc->vc_lock);
		tx_write(sc, s, n);
		lck_spin_unlock(&sc->vc_lock);
	}
	lck_spin_unlock(&hvc_sink_lock);
	intr_restore(on);
}

static struct console_sink hvc_sink = { .cs_name = "hvc0", .cs_write = hvc_write };
static bool hvc_registered;

/*
 * A device-writable ring of n buffers of size bytes at physical pa (kernel address base), one
 * posted flag per buffer (the flag's address is the buffer's cookie). The data receive queue
 * and the control receive queue are both such rings.
 */
struct rx_ring {
	struct virtqueue *vq;
	bool *posted;
	unsigned n;
	const uint8_t *base;
	uint64_t pa;
	uint32_t size;
	void (*input)(struct vtcon *sc, const uint8_t *buf, uint32_t len);
};

/* Post every idle buffer of r. vc_lock held. */
static void
rx_ring_post(const struct rx_ring *r)
{
	bool any = false;

	for (unsigned i = 0; i < r->n; i++) {
		struct vq_seg seg = { r->pa + (uint64_t)i * r->size, r->size };

		if (r->posted[i])
			continue;
		if (virtqueue_enqueue(r->vq, &r->posted[i], &seg, 0, 1) != KERN_SUCCESS)
			break;
		r->posted[i] = true;
		any = true;
	}
	if (any)
		virtqueue_kick(r->vq);
}

/* Interrupt body: hand every used buffer of r to its input, repost, fail a broken device. */
static void
rx_ring_intr(struct vtcon *sc, const struct rx_ring *r)
{
	bool s = lck_spin_lock_irqsave(&sc->vc_lock);
	const char *broken;
	void *cookie;
	uint32_t len;

	do {
		while (virtqueue_dequeue(r->vq, &cookie, &len)) {
			unsigned i = (unsigned)((bool *)cookie - r->posted);

			r->posted[i] = false;
			r->input(sc, r->base + (size_t)i * r->size, len);
		}
		broken = virtqueue_broken_reason(r->vq);
	} while (broken == NULL && virtqueue_enable_intr(r->vq));
	if (broken == NULL)
		rx_ring_post(r);
	if (broken == NULL && sc->vc_failed)
		broken = virtqueue_broken_reason(sc->vc_txq);
	lck_spin_unlock_irqrestore(&sc->vc_lock, s);
	if (broken != NULL)
		virtio_fail(sc->vc_vd, broken);
}

static void
data_input(struct vtcon *sc, const uint8_t *buf, uint32_t len)
{
	for (uint32_t k = 0; k < len; k++)
		console_input((char)buf[k]);
	sc->vc_rx_bytes += len;
}

static struct rx_ring
data_ring(struct vtcon *sc)
{
	return (struct rx_ring){ sc->vc_rxq, sc->vc_rx_posted, HVC_RX_BUFS, sc->vc_rx,
				 sc->vc_rx_pa, HVC_RX_BUF, data_input };
}

static void
rx_intr(void *arg)
{
	struct vtcon *sc = arg;
	struct rx_ring r = data_ring(sc);

	rx_ring_intr(sc, &r);
}

static void
tx_intr(void *arg)
{
	struct vtcon *sc = arg;
	bool s = lck_spin_lock_irqsave(&sc->vc_lock);
	const char *broken;

	tx_reclaim(sc);
	broken = virtqueue_broken_reason(sc->vc_txq);
	lck_spin_unlock_irqrestore(&sc->vc_lock, s);
	if (broken != NULL)
		virtio_fail(sc->vc_vd, broken);
}

/* Send one control message. vc_lock held. Returns false when no slot is free (logged). */
static bool
ctl_send(struct vtcon *sc, uint32_t id, uint16_t event, uint16_t value)
{
	struct virtio_console_control msg = { .id = id, .event = event, .value = value };
	uint8_t *base = sc->vc_ctl + HVC_CTL_BUFS * HVC_CTL_SZ;
	void *cookie;
	uint32_t len;

	while (virtqueue_dequeue(sc->vc_ctxq, &cookie, &len))
		sc->vc_ctx_busy[(bool *)cookie - sc->vc_ctx_busy] = false;
	for (unsigned i = 0; i < HVC_CTL_BUFS; i++) {
		struct vq_seg seg = { sc->vc_ctl_pa + (HVC_CTL_BUFS + i) * HVC_CTL_SZ,
				      HVC_CTL_SZ };

		if (sc->vc_ctx_busy[i])
			continue;
		memcpy(base + i * HVC_CTL_SZ, &msg, sizeof(msg));
		if (virtqueue_enqueue(sc->vc_ctxq, &sc->vc_ctx_busy[i], &seg, 1, 0) !=
		    KERN_SUCCESS)
			break;
		sc->vc_ctx_busy[i] = true;
		virtqueue_kick(sc->vc_ctxq);
		return true;
	}
	klog(LOG_WARNING, "virtio-console: control queue full; event %u for port %u lost\n",
	     event, id);
	return false;
}

/* One control message from the device. vc_lock held. */
static void
ctl_handle(struct vtcon *sc, const struct virtio_console_control *m)
{
	switch (m->event) {
	case VIRTIO_CONSOLE_PORT_ADD:
		if (m->id == 0) {
			ctl_send(sc, 0, VIRTIO_CONSOLE_PORT_READY, 1);
		} else {
			sc->vc_ports_declined++;
			klog(LOG_INFO, "virtio-console: port %u declined (only port 0 is served)\n",
			     m->id);
			ctl_send(sc, m->id, VIRTIO_CONSOLE_PORT_READY, 0);
		}
		break;
	case VIRTIO_CONSOLE_CONSOLE_PORT:
		if (m->id == 0 && m->value == 1) {
			sc->vc_port0_console = true;
			ctl_send(sc, 0, VIRTIO_CONSOLE_PORT_OPEN, 1);
		}
		break;
	case VIRTIO_CONSOLE_PORT_OPEN:
	case VIRTIO_CONSOLE_PORT_NAME:
	case VIRTIO_CONSOLE_PORT_REMOVE:
	case VIRTIO_CONSOLE_RESIZE:
		break; /* the host side opening or closing, naming, or resizing: nothing to do */
	default:
		klog(LOG_WARNING, "virtio-console: unknown control event %u for port %u\n",
		     m->event, m->id);
		break;
	}
}

static void
ctl_input(struct vtcon *sc, const uint8_t *buf, uint32_t len)
{
	struct virtio_console_control m;

	/* PORT_NAME carries the name after the header; only the header matters. */
	if (len < sizeof(m)) {
		klog(LOG_WARNING, "virtio-console: short control message (%u bytes)\n", len);
		return;
	}
	memcpy(&m, buf, sizeof(m));
	ctl_handle(sc, &m);
}

static struct rx_ring
ctl_ring(struct vtcon *sc)
{
	return (struct rx_ring){ sc->vc_cirq, sc->vc_crx_posted, HVC_CTL_BUFS, sc->vc_ctl,
				 sc->vc_ctl_pa, HVC_CTL_SZ, ctl_input };
}

static void
ctl_intr(void *arg)
{
	struct vtcon *sc = arg;
	struct rx_ring r = ctl_ring(sc);

	rx_ring_intr(sc, &r);
}

static void
ctl_tx_intr(void *arg)
{
	/* Finished control messages are reclaimed by the next ctl_send(). */
}

static void
vtcon_free(struct vtcon *sc)
{
	virtio_dma.vm_free(sc->vc_tx, HVC_TX_SLOTS * HVC_TX_SLOT, NULL);
	virtio_dma.vm_free(sc->vc_rx, HVC_RX_BUFS * HVC_RX_BUF, NULL);
	if (sc->vc_ctl != NULL)
		virtio_dma.vm_free(sc->vc_ctl, 2 * HVC_CTL_BUFS * HVC_CTL_SZ, NULL);
	sc->vc_tx = sc->vc_rx = sc->vc_ctl = NULL;
}

static kern_return_t
vtcon_start(struct io_service *self, struct io_service *provider)
{
	struct vtcon *sc = io_service_softc(self);
	struct virtio_dev *vd = virtio_dev_from_nub(provider);
	bool s;

	if (vd == NULL)
		return KERN_INVALID_ARGUMENT;
	sc->vc_vd = vd;
	lck_spin_init(&sc->vc_lock);
	sc->vc_tx = virtio_dma.vm_alloc(HVC_TX_SLOTS * HVC_TX_SLOT, &sc->vc_tx_pa, NULL);
	sc->vc_rx = virtio_dma.vm_alloc(HVC_RX_BUFS * HVC_RX_BUF, &sc->vc_rx_pa, NULL);
	if (sc->vc_tx == NULL || sc->vc_rx == NULL)
		goto fail;
	if (virtio_negotiate(vd, 1ULL << VIRTIO_CONSOLE_F_MULTIPORT) != KERN_SUCCESS)
		goto fail;
	sc->vc_multiport = (vd->vd_features & (1ULL << VIRTIO_CONSOLE_F_MULTIPORT)) != 0;
	sc->vc_rxq = virtio_queue_alloc(vd, 0, 64, rx_intr, sc);
	sc->vc_txq = virtio_queue_alloc(vd, 1, 64, tx_intr, sc);
	if (sc->vc_rxq == NULL || sc->vc_txq == NULL)
		goto fail;
	virtqueue_set_quiet(sc->vc_txq, true);
	if (sc->vc_multiport) {
		sc->vc_ctl = virtio_dma.vm_alloc(2 * HVC_CTL_BUFS * HVC_CTL_SZ, &sc->vc_ctl_pa,
						 NULL);
		sc->vc_cirq = virtio_queue_alloc(vd, 2, HVC_CTL_BUFS, ctl_intr, sc);
		sc->vc_ctxq = virtio_queue_alloc(vd, 3, HVC_CTL_BUFS, ctl_tx_intr, sc);
		if (sc->vc_ctl == NULL || sc->vc_cirq == NULL || sc->vc_ctxq == NULL)
			goto fail;
	}
	virtio_driver_ok(vd);
	s = lck_spin_lock_irqsave(&sc->vc_lock);
	struct rx_ring data = data_ring(sc), ctl = ctl_ring(sc);

	rx_ring_post(&data);
	if (sc->vc_multiport) {
		rx_ring_post(&ctl);
		ctl_send(sc, 0, VIRTIO_CONSOLE_DEVICE_READY, 1);
	}
	lck_spin_unlock_irqrestore(&sc->vc_lock, s);
	(void)os_dict_set_bool(io_service_props(self), "multiport", sc->vc_multiport);

	s = lck_spin_lock_irqsave(&hvc_sink_lock);
	if (hvc_active != NULL) {
		lck_spin_unlock_irqrestore(&hvc_sink_lock, s);
		printf("virtio-console: hvc0 exists already; this port is not a console\n");
		return KERN_SUCCESS;
	}
	hvc_active = sc;
	lck_spin_unlock_irqrestore(&hvc_sink_lock, s);
	(void)os_dict_set_string(io_service_props(self), "console", "hvc0");
	printf("virtio-console: port 0 is hvc0%s\n", sc->vc_multiport ? " (multiport)" : "");
	if (!hvc_registered) {
		hvc_registered = true;
		console_register(&hvc_sink);
	}
	return KERN_SUCCESS;
fail:
	virtio_reset_and_free(vd, NULL, NULL);
	vtcon_free(sc);
	return KERN_FAILURE;
}

static void
vtcon_stop(struct io_service *self, struct io_service *provider)
{
	struct vtcon *sc = io_service_softc(self);
	bool s = lck_spin_lock_irqsave(&hvc_sink_lock);

	/* The sink stays registered (sinks are never removed) but writes nowhere. */
	if (hvc_active == sc)
		hvc_active = NULL;
	lck_spin_unlock_irqrestore(&hvc_sink_lock, s);
	virtio_reset_and_free(sc->vc_vd, NULL, NULL);
	vtcon_free(sc);
}

/* The transmit statistics of hvc0, for tests: false when there is no hvc0. */
bool virtio_console_stats(uint64_t *tx, uint64_t *rx, uint64_t *dropped);

bool
virtio_console_stats(uint64_t *tx, uint64_t *rx, uint64_t *dropped)
{
	struct vtcon *sc = hvc_active;

	if (sc == NULL)
		return false;
	*tx = sc->vc_tx_bytes;
	*rx = sc->vc_rx_bytes;
	*dropped = sc->vc_dropped;
	return true;
}

static const struct io_match vtcon_match[] = {
	{ .im_provider_class = kIOVirtioDeviceClass, .im_virtio_type = VIRTIO_ID_CONSOLE,
	  .im_score = 100 },
};

static const struct io_driver vtcon_driver = {
	.drv_class = "VirtioConsole",
	.drv_match = vtcon_match,
	.drv_nmatch = ARRAY_SIZE(vtcon_match),
	.drv_softc_size = sizeof(struct vtcon),
	.drv_start = vtcon_start,
	.drv_stop = vtcon_stop,
};
IOKIT_DRIVER(vtcon_driver);

void virtio_console_write_for_test(const char *s, size_t n);

/* Write to hvc0 whatever console= selected (the hvc0 ktest). */
void
virtio_console_write_for_test(const char *s, size_t n)
{
	hvc_write(s, n);
}
