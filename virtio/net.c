/*
 * net.c — the virtio network device driver (virtio 1.2 §5.1): VirtioNet matches virtio device
 * type 1, negotiates MAC and STATUS (plus the ring features INDIRECT_DESC and EVENT_IDX that
 * virtio_negotiate() always asks for) and the checksum offloads CSUM and GUEST_CSUM (§5.1.6.2,
 * §5.1.6.4), keeps the receive queue full of buffers, transmits with completion reclaim, and
 * attaches a network interface (bsd/net/if.h) named eth<N>, published in the registry as an
 * IONetworkInterface nub below the driver.
 *
 * The one idea: the device writes only into receive buffers and their used lengths; each
 * buffer is one 2 KiB segment holding the 12-byte virtio_net_hdr_v1 and a whole frame (no
 * MRG_RXBUF, no GUEST_TSO, so no frame is larger), and every used length is checked (by
 * the virtqueue: ≤ posted; here: ≥ header + Ethernet header) before the frame goes up; the
 * header is copied once and checked too (no GSO type, checksum offsets inside the frame and
 * where the IPv4 header says the TCP/UDP header is). Receive runs in a driver thread woken by
 * the interrupt, under the network lock, so protocol code never runs in interrupt context.
 *
 * Checksums: with CSUM the stack leaves TCP's checksum to the device (IF_HWCSUM_TCP) and the
 * transmit header says where it goes; with GUEST_CSUM a DATA_VALID frame is not summed again,
 * and a NEEDS_CSUM frame (the host's own stack sending partial sums, as over a tap) has its
 * pseudo-header sum compared with the IPv4 header's before the driver finishes the sum.
 *
 * XXX: no TSO, MRG_RXBUF, control queue or link-change interrupt yet (a 64 KiB TSO needs
 * multi-page transmit buffers and a TCP that builds segments past the MTU).
 */
#include <bsd/net/net_kern.h>
#include <virtio/net_hdr.h>
#include <console.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <mach/kern/locks.h>
#include <mach/kern/thread.h>
#include <mach/vm/vm_param.h>
#include <virtio/virtio.h>

#define VTNET_NRX	 128
#define VTNET_NTX	 64
#define VTNET_BUFSZ	 2048
#define VTNET_HDR_LEN	 sizeof(struct virtio_net_hdr_v1)
#define VTNET_RX_BATCH	 32

_Static_assert(VTNET_HDR_LEN + ETHER_MAX_LEN + 4 <= VTNET_BUFSZ, "a frame fits one buffer");

struct vtnet {
	struct virtio_dev *vn_vd;
	struct virtqueue *vn_rxq, *vn_txq;
	lck_spin_t vn_lock;	/* the queues and the posted/busy maps */
	uint8_t *vn_rxbuf, *vn_txbuf;
	uint64_t vn_rxbuf_pa, vn_txbuf_pa;
	bool vn_rx_posted[VTNET_NRX];
	bool vn_tx_busy[VTNET_NTX];
	struct ifnet vn_if;
	thread_t vn_thread;
	volatile bool vn_stopping, vn_thread_done;
	uint64_t vn_rx_runts, vn_tx_full, vn_rx_badhdr;
};

static unsigned vtnet_units;
static struct vtnet *vtnet_first; /* for virtio_net_break_for_test() */

/* Post every receive buffer the device does not hold. Lock held. */
static void
vtnet_rx_fill(struct vtnet *sc)
{
	bool any = false;

	for (unsigned i = 0; i < VTNET_NRX; i++) {
		struct vq_seg seg = { sc->vn_rxbuf_pa + (uint64_t)i * VTNET_BUFSZ, VTNET_BUFSZ };

		if (sc->vn_rx_posted[i])
			continue;
		if (virtqueue_enqueue(sc->vn_rxq, &sc->vn_rx_posted[i], &seg, 0, 1) !=
		    KERN_SUCCESS)
			break;
		sc->vn_rx_posted[i] = true;
		any = true;
	}
	if (any)
		virtqueue_kick(sc->vn_rxq);
}

/* Take back transmit buffers the device is done with. Lock held. */
static void
vtnet_tx_reclaim(struct vtnet *sc)
{
	void *cookie;
	uint32_t len;

	while (virtqueue_dequeue(sc->vn_txq, &cookie, &len))
		*(bool *)cookie = false;
}

static void
vtnet_rx_intr(void *arg)
{
	struct vtnet *sc = arg;

	thread_wakeup(&sc->vn_rx_posted);
}

static void
vtnet_tx_intr(void *arg)
{
	struct vtnet *sc = arg;
	bool s = lck_spin_lock_irqsave(&sc->vn_lock);

	do
		vtnet_tx_reclaim(sc);
	while (!virtqueue_broken(sc->vn_txq) && virtqueue_enable_intr(sc->vn_txq));
	lck_spin_unlock_irqrestore(&sc->vn_lock, s);
	net_if_tx_ready(&sc->vn_if); /* TCP may be waiting for room */
}

/* Receive with GUEST_CSUM: true when the stack need not sum the frame (net_hdr.h). */
static bool
vtnet_rx_csum(struct vtnet *sc, const struct virtio_net_hdr_v1 *h, uint8_t *f, size_t len)
{
	switch (vtnet_hdr_rx_csum(h, f, len)) {
	case VTNET_CSUM_VALID:
		sc->vn_if.if_stats.rx_csum_hw++;
		return true;
	case VTNET_CSUM_BAD_HDR:
		if (sc->vn_rx_badhdr++ == 0)
			klog(LOG_WARNING, "virtio-net: %s: a NEEDS_CSUM header (start %u offset "
			     "%u) that does not fit its frame: the stack judges such frames\n",
			     sc->vn_if.if_name, h->csum_start, h->csum_offset);
		return false;
	default:
		return false;
	}
}

static int
vtnet_output(struct ifnet *ifp, const void *frame, size_t len)
{
	struct vtnet *sc = ifp->if_softc;
	struct vq_seg seg;
	unsigned i;
	bool s;
	int err = 0;

	if (len > VTNET_BUFSZ - VTNET_HDR_LEN)
		return EMSGSIZE;
	s = lck_spin_lock_irqsave(&sc->vn_lock);
	if (sc->vn_stopping || virtqueue_broken(sc->vn_txq)) {
		err = EIO;
		goto out;
	}
	vtnet_tx_reclaim(sc);
	for (i = 0; i < VTNET_NTX && sc->vn_tx_busy[i]; i++)
		;
	if (i == VTNET_NTX) {
		sc->vn_tx_full++;
		err = ENOBUFS;
		goto out;
	}
	memset(sc->vn_txbuf + i * VTNET_BUFSZ, 0, VTNET_HDR_LEN);
	if ((ifp->if_hwassist & IF_HWCSUM_TCP) &&
	    vtnet_hdr_tx_csum(frame, len,
			      (struct virtio_net_hdr_v1 *)(sc->vn_txbuf + i * VTNET_BUFSZ)))
		ifp->if_stats.tx_csum_hw++;
	memcpy(sc->vn_txbuf + i * VTNET_BUFSZ + VTNET_HDR_LEN, frame, len);
	seg.vs_pa = sc->vn_txbuf_pa + (uint64_t)i * VTNET_BUFSZ;
	seg.vs_len = (uint32_t)(VTNET_HDR_LEN + len);
	if (virtqueue_enqueue(sc->vn_txq, &sc->vn_tx_busy[i], &seg, 1, 0) != KERN_SUCCESS) {
		sc->vn_tx_full++;
		err = ENOBUFS;
		goto out;
	}
	sc->vn_tx_busy[i] = true;
	virtqueue_kick(sc->vn_txq);
out:
	lck_spin_unlock_irqrestore(&sc->vn_lock, s);
	return err;
}

/* The receive thread: frames up the stack, buffers back to the device, sleep. */
static void
vtnet_rx_thread(void *arg, wait_result_t wr)
{
	struct vtnet *sc = arg;
	struct {
		uint16_t idx;
		uint32_t len;
	} got[VTNET_RX_BATCH];
	const char *broken;
	void *cookie;
	uint32_t len;

	(void)wr;
	for (;;) {
		unsigned n = 0;
		bool s, pending;

		s = lck_spin_lock_irqsave(&sc->vn_lock);
		while (n < VTNET_RX_BATCH && virtqueue_dequeue(sc->vn_rxq, &cookie, &len)) {
			unsigned i = (unsigned)((bool *)cookie - sc->vn_rx_posted);

			sc->vn_rx_posted[i] = false;
			got[n].idx = (uint16_t)i;
			got[n++].len = len;
		}
		broken = virtqueue_broken_reason(sc->vn_rxq);
		lck_spin_unlock_irqrestore(&sc->vn_lock, s);
		if (broken != NULL || sc->vn_stopping)
			break;
		for (unsigned k = 0; k < n; k++) {
			uint8_t *b = sc->vn_rxbuf + (size_t)got[k].idx * VTNET_BUFSZ;
			struct virtio_net_hdr_v1 h;
			size_t flen = got[k].len - VTNET_HDR_LEN;
			bool valid = false;

			if (got[k].len < VTNET_HDR_LEN + ETHER_HDR_LEN) {
				sc->vn_rx_runts++;
				sc->vn_if.if_stats.ierrors++;
				continue;
			}
			/* One copy of the header: the device cannot change what we checked. */
			memcpy(&h, b, sizeof(h));
			if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE) { /* GUEST_TSO never offered */
				if (sc->vn_rx_badhdr++ == 0)
					klog(LOG_WARNING, "virtio-net: %s: a GSO frame (type %u) "
					     "we did not negotiate: dropped\n", sc->vn_if.if_name,
					     h.gso_type);
				sc->vn_if.if_stats.ierrors++;
				continue;
			}
			if (sc->vn_vd->vd_features & (1ull << VIRTIO_NET_F_GUEST_CSUM))
				valid = vtnet_rx_csum(sc, &h, b + VTNET_HDR_LEN, flen);

			net_if_input(&sc->vn_if, b + VTNET_HDR_LEN, flen, valid);
		}
		s = lck_spin_lock_irqsave(&sc->vn_lock);
		vtnet_rx_fill(sc);
		lck_spin_unlock_irqrestore(&sc->vn_lock, s);
		if (n == VTNET_RX_BATCH)
			continue;
		assert_wait(&sc->vn_rx_posted, THREAD_UNINT);
		s = lck_spin_lock_irqsave(&sc->vn_lock);
		pending = virtqueue_enable_intr(sc->vn_rxq);
		lck_spin_unlock_irqrestore(&sc->vn_lock, s);
		if (pending || sc->vn_stopping)
			thread_wakeup(&sc->vn_rx_posted);
		thread_block(NULL);
	}
	if (broken != NULL && !sc->vn_stopping) {
		/* virtio_fail() terminates the nub, which runs vtnet_stop(): mark us gone first,
		 * and touch nothing of sc afterwards. */
		struct virtio_dev *vd = sc->vn_vd;

		sc->vn_thread_done = true;
		virtio_fail(vd, broken);
		return;
	}
	sc->vn_thread_done = true;
}

static void
vtnet_publish(struct vtnet *sc, struct io_service *self)
{
	struct io_service *nub = io_service_create("IONetworkInterface", sc->vn_if.if_name, "",
						   sc);
	char mac[18];

	if (nub == NULL)
		return;
	if_mac_str(sc->vn_if.if_mac, mac);
	if (os_dict_set_string(io_service_props(nub), "mac-address", mac) != KERN_SUCCESS ||
	    os_dict_set_number(io_service_props(nub), "mtu", sc->vn_if.if_mtu, 32) !=
		KERN_SUCCESS ||
	    io_service_attach(nub, self) != KERN_SUCCESS) {
		io_service_release(nub);
		return;
	}
	(void)io_service_register(nub);
	io_service_release(nub); /* the registry keeps it; terminating us terminates it */
}

static void vtnet_teardown(struct vtnet *sc);

static kern_return_t
vtnet_start(struct io_service *self, struct io_service *provider)
{
	struct vtnet *sc = io_service_softc(self);
	struct virtio_dev *vd = virtio_dev_from_nub(provider);
	struct ifnet *ifp = &sc->vn_if;
	uint16_t status = VIRTIO_NET_S_LINK_UP;
	char mac[18];
	bool s;

	if (vd == NULL)
		return KERN_INVALID_ARGUMENT;
	sc->vn_vd = vd;
	lck_spin_init(&sc->vn_lock);
	sc->vn_rxbuf = virtio_dma.vm_alloc(VTNET_NRX * VTNET_BUFSZ, &sc->vn_rxbuf_pa, NULL);
	sc->vn_txbuf = virtio_dma.vm_alloc(VTNET_NTX * VTNET_BUFSZ, &sc->vn_txbuf_pa, NULL);
	if (sc->vn_rxbuf == NULL || sc->vn_txbuf == NULL)
		goto fail;
	if (virtio_negotiate(vd, (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS) |
				     (1ull << VIRTIO_NET_F_CSUM) |
				     (1ull << VIRTIO_NET_F_GUEST_CSUM)) != KERN_SUCCESS)
		goto fail;
	if (vd->vd_features & (1ull << VIRTIO_NET_F_MAC)) {
		if (!virtio_read_config(vd, offsetof(struct virtio_net_config, mac), ifp->if_mac,
					ETHER_ADDR_LEN))
			goto fail;
	}
	if ((vd->vd_features & (1ull << VIRTIO_NET_F_MAC)) == 0 || (ifp->if_mac[0] & 1) != 0) {
		/* No (or a multicast) address from the device: a locally administered one. */
		static const uint8_t local[ETHER_ADDR_LEN] = { 0x02, 0x4e, 0x49, 0x4d, 0, 0 };

		klog(LOG_WARNING, "virtio-net: no usable MAC from the device; using a local one\n");
		memcpy(ifp->if_mac, local, ETHER_ADDR_LEN);
		ifp->if_mac[5] = (uint8_t)vtnet_units;
	}
	if ((vd->vd_features & (1ull << VIRTIO_NET_F_STATUS)) &&
	    !virtio_read_config(vd, offsetof(struct virtio_net_config, status), &status, 2))
		goto fail;
	sc->vn_rxq = virtio_queue_alloc(vd, 0, VTNET_NRX, vtnet_rx_intr, sc);
	sc->vn_txq = virtio_queue_alloc(vd, 1, VTNET_NTX, vtnet_tx_intr, sc);
	if (sc->vn_rxq == NULL || sc->vn_txq == NULL)
		goto fail;
	ksnprintf(ifp->if_name, sizeof(ifp->if_name), "eth%u", vtnet_units++);
	ifp->if_mtu = IF_MTU_DEFAULT;
	ifp->if_link_up = (status & VIRTIO_NET_S_LINK_UP) != 0;
	ifp->if_output = vtnet_output;
	ifp->if_softc = sc;
	if (vd->vd_features & (1ull << VIRTIO_NET_F_CSUM))
		ifp->if_hwassist = IF_HWCSUM_TCP;
	virtio_driver_ok(vd);
	s = lck_spin_lock_irqsave(&sc->vn_lock);
	vtnet_rx_fill(sc);
	lck_spin_unlock_irqrestore(&sc->vn_lock, s);
	if (kernel_thread_start(vtnet_rx_thread, sc, &sc->vn_thread) != KERN_SUCCESS)
		goto fail;
	thread_set_name(sc->vn_thread, "vtnet-rx");
	printf("virtio-net: %s %s, link %s, queues %u/%u%s%s%s%s\n", ifp->if_name,
	       if_mac_str(ifp->if_mac, mac), ifp->if_link_up ? "up" : "down",
	       virtqueue_size(sc->vn_rxq), virtqueue_size(sc->vn_txq),
	       (vd->vd_features & (1ull << VIRTIO_RING_F_EVENT_IDX)) ? ", event-idx" : "",
	       (vd->vd_features & (1ull << VIRTIO_RING_F_INDIRECT_DESC)) ? ", indirect" : "",
	       (vd->vd_features & (1ull << VIRTIO_NET_F_CSUM)) ? ", tx-csum" : "",
	       (vd->vd_features & (1ull << VIRTIO_NET_F_GUEST_CSUM)) ? ", rx-csum" : "");
	vtnet_publish(sc, self);
	if (vtnet_first == NULL)
		vtnet_first = sc;
	net_if_attach(ifp);
	return KERN_SUCCESS;
fail:
	klog(LOG_ERR, "virtio-net: start failed\n");
	vtnet_teardown(sc);
	return KERN_FAILURE;
}

/* Idempotent: undo whatever vtnet_start() did. */
static void
vtnet_teardown(struct vtnet *sc)
{
	bool s = lck_spin_lock_irqsave(&sc->vn_lock);

	sc->vn_stopping = true;
	lck_spin_unlock_irqrestore(&sc->vn_lock, s);
	if (sc->vn_thread != NULL) {
		if (sc->vn_thread != current_thread()) {
			while (!sc->vn_thread_done) {
				thread_wakeup(&sc->vn_rx_posted);
				thread_sleep_ns(1000000);
			}
		}
		thread_deallocate(sc->vn_thread);
		sc->vn_thread = NULL;
	}
	if (sc->vn_vd != NULL)
		virtio_reset_and_free(sc->vn_vd, NULL, NULL);
	sc->vn_rxq = sc->vn_txq = NULL;
	if (sc->vn_rxbuf != NULL)
		virtio_dma.vm_free(sc->vn_rxbuf, VTNET_NRX * VTNET_BUFSZ, NULL);
	if (sc->vn_txbuf != NULL)
		virtio_dma.vm_free(sc->vn_txbuf, VTNET_NTX * VTNET_BUFSZ, NULL);
	sc->vn_rxbuf = sc->vn_txbuf = NULL;
}

static void
vtnet_stop(struct io_service *self, struct io_service *provider)
{
	struct vtnet *sc = io_service_softc(self);

	if (vtnet_first == sc)
		vtnet_first = NULL;
	net_if_detach(&sc->vn_if);
	vtnet_teardown(sc);
}

static const struct io_match vtnet_match[] = {
	{ .im_provider_class = kIOVirtioDeviceClass, .im_virtio_type = VIRTIO_ID_NET,
	  .im_score = 100 },
};

static const struct io_driver vtnet_driver = {
	.drv_class = "VirtioNet",
	.drv_match = vtnet_match,
	.drv_nmatch = ARRAY_SIZE(vtnet_match),
	.drv_softc_size = sizeof(struct vtnet),
	.drv_start = vtnet_start,
	.drv_stop = vtnet_stop,
};
IOKIT_DRIVER(vtnet_driver);

/*
 * virtio_net_break_for_test: play a hostile device: move the first interface's receive used
 * idx far past what was posted and wake its receive thread. The driver must quarantine the
 * queue, reset the device, terminate its nub and detach the interface (the
 * virtio_net_quarantine ktest). Returns false when there is no virtio-net interface.
 */
bool virtio_net_break_for_test(void);

bool
virtio_net_break_for_test(void)
{
	struct vtnet *sc = vtnet_first;
	struct vring_used *used;
	bool s;

	if (sc == NULL || sc->vn_rxq == NULL)
		return false;
	s = lck_spin_lock_irqsave(&sc->vn_lock);
	used = phystokv(virtqueue_used_pa(sc->vn_rxq));
	__atomic_store_n(&used->idx, (uint16_t)(used->idx + 0x200), __ATOMIC_RELEASE);
	lck_spin_unlock_irqrestore(&sc->vn_lock, s);
	thread_wakeup(&sc->vn_rx_posted);
	return true;
}
