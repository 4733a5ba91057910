/*
 * blk.c — the virtio block device driver (virtio 1.2 §5.2): VirtioBlock matches virtio device
 * type 2, negotiates SIZE_MAX, SEG_MAX, BLK_SIZE, FLUSH and RO (plus the ring features
 * INDIRECT_DESC and EVENT_IDX that virtio_negotiate() adds), and publishes the whole disk as an
 * IOMedia nub (kernel/iokit/io_media.h) whose strategy routine is vtblk_strategy().
 *
 * A request is three parts (§5.2.6): a device-readable header (type, sector), the data
 * (device-readable for a write, device-writable for a read), and one device-writable status
 * byte. The one idea: each request has a slot (header and status in DMA memory, a done flag);
 * a thread posts up to VTBLK_PIPELINE slots for one transfer, then sleeps on each slot in turn;
 * the queue's interrupt records what the device wrote and wakes the slot's thread. Everything
 * the device writes is checked: the used length (≥ 1, the status byte; a read must fill its
 * buffer) and the status byte, which starts as an impossible value so that a device that
 * "completes" without writing it is caught.
 *
 * MQ is not negotiated: one request queue serves every CPU (XXX: one queue per CPU once the
 * other CPUs run threads). DISCARD and WRITE_ZEROES are not used yet.
 */
#include <arch/x86_64/pmap.h>
#include <console.h>
#include <iokit/io_media.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <mach/kern/clock.h>
#include <mach/kern/locks.h>
#include <mach/kern/thread.h>
#include <mach/vm/vm_param.h>
#include <panic.h>
#include <virtio/virtio.h>

#define VTBLK_SECTOR	   512
#define VTBLK_QSIZE	   128
#define VTBLK_NREQ	   32	 /* slots: requests in flight, all threads together */
#define VTBLK_PIPELINE	   8	 /* requests one transfer keeps in flight */
#define VTBLK_MAX_DATASEGS (VQ_MAX_INDIRECT - 2)
#define VTBLK_SLOT_BYTES   32	 /* header (16) + status (1), padded */
#define VTBLK_STATUS_NONE  0xff /* not a status the device may write (§5.2.6) */
#define VTBLK_POLL_NS	   (500ull * 1000 * 1000)

struct vtblk_req {
	struct virtio_blk_outhdr *rq_hdr; /* DMA */
	volatile uint8_t *rq_status;	  /* DMA */
	uint64_t rq_hdr_pa, rq_status_pa;
	uint32_t rq_datalen;		  /* bytes of data posted */
	bool rq_read;
	bool rq_busy;			  /* owned by a thread */
	bool rq_posted;			  /* given to the device, not yet used */
	bool rq_done;
	bool rq_aborted;		  /* the device was reset under it */
	uint8_t rq_result;		  /* the status byte, copied once at completion */
	uint32_t rq_used_len;
};

struct vtblk {
	struct virtio_dev *vb_vd;
	struct virtqueue *vb_vq;
	lck_spin_t vb_lock;
	uint8_t *vb_dma;
	uint64_t vb_dma_pa;
	struct vtblk_req vb_reqs[VTBLK_NREQ];
	uint64_t vb_capacity;	  /* 512-byte sectors */
	uint32_t vb_blksize;
	uint32_t vb_size_max;	  /* bytes per segment */
	unsigned vb_max_datasegs;
	bool vb_ro, vb_flush, vb_dead;
	unsigned vb_unit;
	struct io_media *vb_media;
	/* Statistics (under vb_lock). */
	uint64_t vb_nreq_done, vb_nerrors, vb_bytes_read, vb_bytes_written;
	unsigned vb_npolls;	  /* waits that timed out and polled the ring */
};

static unsigned vtblk_units;

#define VTBLK_LOCK(sc)	 lck_spin_lock_irqsave(&(sc)->vb_lock)
#define VTBLK_UNLOCK(sc, s) lck_spin_unlock_irqrestore(&(sc)->vb_lock, (s))

/* Sleep on event with the lock held; returns with the lock held again. */
static bool
vtblk_sleep(struct vtblk *sc, void *event, bool s)
{
	assert_wait(event, THREAD_UNINT);
	VTBLK_UNLOCK(sc, s);
	thread_block(NULL);
	return VTBLK_LOCK(sc);
}

/* Take a free slot, sleeping while all are busy. Lock held. NULL: the device is gone. */
static struct vtblk_req *
vtblk_slot_get(struct vtblk *sc, bool *s)
{
	for (;;) {
		if (sc->vb_dead)
			return NULL;
		for (unsigned i = 0; i < VTBLK_NREQ; i++) {
			struct vtblk_req *rq = &sc->vb_reqs[i];

			if (!rq->rq_busy) {
				rq->rq_busy = true;
				rq->rq_done = rq->rq_aborted = rq->rq_posted = false;
				return rq;
			}
		}
		*s = vtblk_sleep(sc, sc->vb_reqs, *s);
	}
}

/* Give a slot back and wake a thread waiting for one. Lock held. */
static void
vtblk_slot_put(struct vtblk *sc, struct vtblk_req *rq)
{
	rq->rq_busy = false;
	thread_wakeup(sc->vb_reqs);
}

/*
 * Describe up to len bytes of buf as physical segments (split at pages and at the device's
 * segment size), at most the device's segment count, trimmed to whole sectors.
 *   Returns: the bytes covered (a multiple of 512, possibly less than len), 0 when buf is not
 *            mapped.
 */
static size_t
vtblk_map(const struct vtblk *sc, uint8_t *buf, size_t len, struct vq_seg *segs, unsigned *nseg)
{
	size_t done = 0, trim;
	unsigned n = 0;

	while (done < len) {
		uintptr_t va = (uintptr_t)buf + done;
		size_t chunk = MIN(len - done, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		paddr_t pa = pmap_kextract(va);

		if (pa == 0)
			return 0;
		if (n > 0 && segs[n - 1].vs_pa + segs[n - 1].vs_len == pa &&
		    segs[n - 1].vs_len + chunk <= sc->vb_size_max) {
			segs[n - 1].vs_len += (uint32_t)chunk;
		} else {
			if (n == sc->vb_max_datasegs)
				break;
			chunk = MIN(chunk, sc->vb_size_max);
			segs[n].vs_pa = pa;
			segs[n].vs_len = (uint32_t)chunk;
			n++;
		}
		done += chunk;
	}
	trim = done & (VTBLK_SECTOR - 1);
	done -= trim;
	while (trim > 0 && n > 0) {
		size_t t = MIN(trim, segs[n - 1].vs_len);

		segs[n - 1].vs_len -= (uint32_t)t;
		trim -= t;
		if (segs[n - 1].vs_len == 0)
			n--;
	}
	*nseg = n;
	return done;
}

/*
 * Post one request: header, nseg data segments, status. Sleeps while the ring is full.
 * Lock held. Returns KERN_SUCCESS, KERN_ABORTED (the device is gone), or the enqueue error.
 */
static kern_return_t
vtblk_post(struct vtblk *sc, struct vtblk_req *rq, uint32_t type, uint64_t sector,
	   const struct vq_seg *data, unsigned nseg, uint32_t datalen, bool *s)
{
	struct vq_seg segs[VTBLK_MAX_DATASEGS + 2];
	bool read = type == VIRTIO_BLK_T_IN;
	kern_return_t kr;

	rq->rq_hdr->type = type;
	rq->rq_hdr->ioprio = 0;
	rq->rq_hdr->sector = sector;
	*rq->rq_status = VTBLK_STATUS_NONE;
	rq->rq_read = read;
	rq->rq_datalen = datalen;
	segs[0] = (struct vq_seg){ rq->rq_hdr_pa, sizeof(struct virtio_blk_outhdr) };
	for (unsigned i = 0; i < nseg; i++)
		segs[1 + i] = data[i];
	segs[1 + nseg] = (struct vq_seg){ rq->rq_status_pa, 1 };
	for (;;) {
		if (sc->vb_dead)
			return KERN_ABORTED;
		kr = virtqueue_enqueue(sc->vb_vq, rq, segs, read ? 1 : 1 + nseg,
				       read ? nseg + 1 : 1);
		if (kr != KERN_NO_SPACE)
			break;
		*s = vtblk_sleep(sc, &sc->vb_vq, *s);
	}
	if (kr != KERN_SUCCESS)
		return kr;
	rq->rq_posted = true;
	virtqueue_kick(sc->vb_vq);
	return KERN_SUCCESS;
}

static void vtblk_intr(void *arg);

/*
 * Wait for rq, judge what the device wrote, free the slot. Lock held. Every VTBLK_POLL_NS
 * without a wakeup, the ring is polled, so a lost interrupt only slows the request down.
 * XXX: a device that never completes a request still holds its thread (virtio has no abort;
 * a watchdog would reset the device and fail everything in flight).
 */
static kern_return_t
vtblk_complete(struct vtblk *sc, struct vtblk_req *rq, bool *s)
{
	kern_return_t kr = KERN_SUCCESS;

	while (!rq->rq_done) {
		wait_result_t wr;

		assert_wait_deadline(rq, THREAD_UNINT, clock_get_uptime() + VTBLK_POLL_NS);
		VTBLK_UNLOCK(sc, *s);
		wr = thread_block(NULL);
		if (wr == THREAD_TIMED_OUT) {
			/* A lost interrupt must cost time, not the thread: look at the ring. */
			if (sc->vb_npolls++ < 4)
				klog(LOG_WARNING, "vtblk%u: no completion after %u ms; polling\n",
				     sc->vb_unit, (unsigned)(VTBLK_POLL_NS / 1000000));
			vtblk_intr(sc);
		}
		*s = VTBLK_LOCK(sc);
	}
	if (rq->rq_aborted) {
		kr = KERN_ABORTED;
	} else if (rq->rq_used_len < 1 || (rq->rq_read && rq->rq_used_len != rq->rq_datalen + 1)) {
		klog(LOG_ERR, "vtblk%u: request used %u bytes of %u posted: short transfer\n",
		     sc->vb_unit, rq->rq_used_len, rq->rq_datalen + 1);
		kr = KERN_FAILURE;
	} else {
		switch (rq->rq_result) {
		case VIRTIO_BLK_S_OK:
			break;
		case VIRTIO_BLK_S_IOERR:
			klog(LOG_ERR, "vtblk%u: I/O error at sector %llu\n", sc->vb_unit,
			     (unsigned long long)rq->rq_hdr->sector);
			kr = KERN_FAILURE;
			break;
		case VIRTIO_BLK_S_UNSUPP:
			klog(LOG_WARNING, "vtblk%u: request type %u unsupported\n", sc->vb_unit,
			     rq->rq_hdr->type);
			kr = KERN_INVALID_VALUE;
			break;
		default:
			klog(LOG_ERR, "vtblk%u: device wrote status %u (not a status)\n",
			     sc->vb_unit, rq->rq_result);
			kr = KERN_FAILURE;
			break;
		}
	}
	if (kr != KERN_SUCCESS)
		sc->vb_nerrors++;
	vtblk_slot_put(sc, rq);
	return kr;
}

/*
 * vtblk_strategy: the IOMedia strategy (io_media.h): split the transfer into requests of at
 * most vb_max_datasegs segments, keep up to VTBLK_PIPELINE of them in flight, and return the
 * first error. Sleeps. Locks: takes vb_lock.
 */
static kern_return_t
vtblk_strategy(void *ctx, bool write, uint64_t off, void *buf, size_t len)
{
	struct vtblk *sc = ctx;
	struct vtblk_req *inflight[VTBLK_PIPELINE];
	struct vq_seg segs[VTBLK_MAX_DATASEGS];
	unsigned head = 0, count = 0, nseg;
	kern_return_t kr = KERN_SUCCESS, kr2;
	uint8_t *p = buf;
	size_t done = 0;
	bool s;

	if ((off | len) & (VTBLK_SECTOR - 1))
		return KERN_INVALID_ARGUMENT;
	if (write && sc->vb_ro)
		return KERN_PROTECTION_FAILURE;
	s = VTBLK_LOCK(sc);
	while ((done < len && kr == KERN_SUCCESS) || count > 0) {
		struct vtblk_req *rq;
		uint64_t sector = (off + done) / VTBLK_SECTOR;
		size_t n;

		if (count == VTBLK_PIPELINE || done == len || kr != KERN_SUCCESS) {
			kr2 = vtblk_complete(sc, inflight[head], &s);
			if (kr == KERN_SUCCESS)
				kr = kr2;
			head = (head + 1) % VTBLK_PIPELINE;
			count--;
			continue;
		}
		n = vtblk_map(sc, p + done, len - done, segs, &nseg);
		if (n == 0) {
			kr = KERN_INVALID_ADDRESS;
			continue;
		}
		/* The capacity check, on every request, whatever the layers above checked. */
		if (sector > sc->vb_capacity || n / VTBLK_SECTOR > sc->vb_capacity - sector) {
			kr = KERN_INVALID_ARGUMENT;
			continue;
		}
		rq = vtblk_slot_get(sc, &s);
		if (rq == NULL) {
			kr = KERN_ABORTED;
			continue;
		}
		kr = vtblk_post(sc, rq, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sector, segs,
				nseg, (uint32_t)n, &s);
		if (kr != KERN_SUCCESS) {
			vtblk_slot_put(sc, rq);
			continue;
		}
		inflight[(head + count) % VTBLK_PIPELINE] = rq;
		count++;
		done += n;
	}
	if (kr == KERN_SUCCESS) {
		if (write)
			sc->vb_bytes_written += len;
		else
			sc->vb_bytes_read += len;
	}
	VTBLK_UNLOCK(sc, s);
	return kr;
}

/* vtblk_flush: the IOMedia flush (§5.2.6.2, VIRTIO_BLK_T_FLUSH); nothing without FLUSH. */
static kern_return_t
vtblk_flush(void *ctx)
{
	struct vtblk *sc = ctx;
	struct vtblk_req *rq;
	kern_return_t kr;
	bool s;

	if (!sc->vb_flush)
		return KERN_SUCCESS;
	s = VTBLK_LOCK(sc);
	rq = vtblk_slot_get(sc, &s);
	if (rq == NULL) {
		VTBLK_UNLOCK(sc, s);
		return KERN_ABORTED;
	}
	kr = vtblk_post(sc, rq, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0, &s);
	if (kr == KERN_SUCCESS)
		kr = vtblk_complete(sc, rq, &s);
	else
		vtblk_slot_put(sc, rq);
	VTBLK_UNLOCK(sc, s);
	return kr;
}

static const struct io_media_ops vtblk_media_ops = { vtblk_strategy, vtblk_flush };

/* Record a used request and wake its thread. Lock held. */
static void
vtblk_done(struct vtblk *sc, void *cookie, uint32_t len, bool aborted)
{
	struct vtblk_req *rq = cookie;

	/* The virtqueue checked that cookie was posted; the slot must agree. */
	assert(rq >= sc->vb_reqs && rq < sc->vb_reqs + VTBLK_NREQ && rq->rq_posted);
	rq->rq_posted = false;
	rq->rq_used_len = len;
	rq->rq_result = *rq->rq_status;
	rq->rq_aborted = aborted;
	rq->rq_done = true;
	sc->vb_nreq_done++;
	thread_wakeup(rq);
}

static void
vtblk_intr(void *arg)
{
	struct vtblk *sc = arg;
	const char *broken = NULL;
	bool s = VTBLK_LOCK(sc), any = false;
	void *cookie;
	uint32_t len;

	if (sc->vb_vq == NULL) {
		VTBLK_UNLOCK(sc, s);
		return;
	}
	do {
		while (virtqueue_dequeue(sc->vb_vq, &cookie, &len)) {
			vtblk_done(sc, cookie, len, false);
			any = true;
		}
		broken = virtqueue_broken_reason(sc->vb_vq);
	} while (broken == NULL && virtqueue_enable_intr(sc->vb_vq));
	if (any)
		thread_wakeup(&sc->vb_vq);
	VTBLK_UNLOCK(sc, s);
	if (broken != NULL)
		virtio_fail(sc->vb_vd, broken);
}

/* Read the configuration and decide the request geometry (§5.2.4). */
static kern_return_t
vtblk_config(struct vtblk *sc)
{
	struct virtio_dev *vd = sc->vb_vd;
	uint64_t f = vd->vd_features;
	uint32_t v;

	if (!virtio_read_config(vd, offsetof(struct virtio_blk_config, capacity),
				&sc->vb_capacity, sizeof(sc->vb_capacity)))
		return KERN_FAILURE;
	sc->vb_blksize = VTBLK_SECTOR;
	if ((f & (1ull << VIRTIO_BLK_F_BLK_SIZE)) &&
	    virtio_read_config(vd, offsetof(struct virtio_blk_config, blk_size), &v, 4)) {
		if (v >= VTBLK_SECTOR && v <= 65536 && (v & (v - 1)) == 0)
			sc->vb_blksize = v;
		else
			klog(LOG_WARNING, "vtblk%u: ignoring block size %u\n", sc->vb_unit, v);
	}
	sc->vb_size_max = 1u << 30;
	if ((f & (1ull << VIRTIO_BLK_F_SIZE_MAX)) &&
	    virtio_read_config(vd, offsetof(struct virtio_blk_config, size_max), &v, 4)) {
		if (v >= PAGE_SIZE)
			sc->vb_size_max = v;
		else
			klog(LOG_WARNING, "vtblk%u: ignoring size_max %u (< a page)\n",
			     sc->vb_unit, v);
	}
	sc->vb_max_datasegs = VTBLK_MAX_DATASEGS;
	if (!(f & (1ull << VIRTIO_RING_F_INDIRECT_DESC)))
		sc->vb_max_datasegs = MIN(sc->vb_max_datasegs, VTBLK_QSIZE / 4);
	if ((f & (1ull << VIRTIO_BLK_F_SEG_MAX)) &&
	    virtio_read_config(vd, offsetof(struct virtio_blk_config, seg_max), &v, 4)) {
		if (v >= 1)
			sc->vb_max_datasegs = MIN(sc->vb_max_datasegs, v);
		else
			klog(LOG_WARNING, "vtblk%u: ignoring seg_max 0\n", sc->vb_unit);
	}
	sc->vb_ro = (f & (1ull << VIRTIO_BLK_F_RO)) != 0;
	sc->vb_flush = (f & (1ull << VIRTIO_BLK_F_FLUSH)) != 0;
	if (sc->vb_capacity == 0 || sc->vb_capacity > (UINT64_MAX / VTBLK_SECTOR) ||
	    (sc->vb_capacity * VTBLK_SECTOR) % sc->vb_blksize != 0) {
		klog(LOG_ERR, "vtblk%u: capacity %llu sectors does not fit block size %u\n",
		     sc->vb_unit, (unsigned long long)sc->vb_capacity, sc->vb_blksize);
		return KERN_FAILURE;
	}
	return KERN_SUCCESS;
}

static void
vtblk_drain_one(void *cookie, void *arg)
{
	vtblk_done(arg, cookie, 0, true);
}

static kern_return_t
vtblk_start(struct io_service *self, struct io_service *provider)
{
	struct vtblk *sc = io_service_softc(self);
	struct virtio_dev *vd = virtio_dev_from_nub(provider);
	uint64_t wanted = (1ull << VIRTIO_BLK_F_SIZE_MAX) | (1ull << VIRTIO_BLK_F_SEG_MAX) |
			  (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VIRTIO_BLK_F_FLUSH) |
			  (1ull << VIRTIO_BLK_F_RO);
	char name[16];

	if (vd == NULL)
		return KERN_INVALID_ARGUMENT;
	sc->vb_vd = vd;
	sc->vb_unit = vtblk_units;
	lck_spin_init(&sc->vb_lock);
	sc->vb_dma = virtio_dma.vm_alloc(VTBLK_NREQ * VTBLK_SLOT_BYTES, &sc->vb_dma_pa, NULL);
	if (sc->vb_dma == NULL)
		return KERN_RESOURCE_SHORTAGE;
	for (unsigned i = 0; i < VTBLK_NREQ; i++) {
		struct vtblk_req *rq = &sc->vb_reqs[i];
		size_t o = (size_t)i * VTBLK_SLOT_BYTES;

		rq->rq_hdr = (struct virtio_blk_outhdr *)(sc->vb_dma + o);
		rq->rq_hdr_pa = sc->vb_dma_pa + o;
		rq->rq_status = sc->vb_dma + o + sizeof(struct virtio_blk_outhdr);
		rq->rq_status_pa = rq->rq_hdr_pa + sizeof(struct virtio_blk_outhdr);
	}
	if (virtio_negotiate(vd, wanted) != KERN_SUCCESS || vtblk_config(sc) != KERN_SUCCESS)
		goto fail;
	sc->vb_vq = virtio_queue_alloc(vd, 0, VTBLK_QSIZE, vtblk_intr, sc);
	if (sc->vb_vq == NULL)
		goto fail;
	virtio_driver_ok(vd);
	vtblk_units++;
	ksnprintf(name, sizeof(name), "vd%c", 'a' + (char)(sc->vb_unit % 26));
	printf("virtio-blk %s: %llu sectors (%llu MiB), block %u, %s%s, %u segments/request%s\n",
	       name, (unsigned long long)sc->vb_capacity,
	       (unsigned long long)(sc->vb_capacity >> 11), sc->vb_blksize,
	       sc->vb_ro ? "read-only" : "read-write", sc->vb_flush ? ", flush" : "",
	       sc->vb_max_datasegs,
	       (vd->vd_features & (1ull << VIRTIO_RING_F_INDIRECT_DESC)) ? ", indirect" : "");
	sc->vb_media = io_media_publish(self, "IOMedia", NULL, &vtblk_media_ops, sc, 0,
					sc->vb_capacity * VTBLK_SECTOR, sc->vb_blksize, !sc->vb_ro,
					name);
	if (sc->vb_media != NULL)
		io_media_register(sc->vb_media);
	return KERN_SUCCESS;
fail:
	virtio_reset_and_free(vd, NULL, NULL);
	sc->vb_vq = NULL;
	virtio_dma.vm_free(sc->vb_dma, VTBLK_NREQ * VTBLK_SLOT_BYTES, NULL);
	return KERN_FAILURE;
}

/*
 * Stop: the device is reset and every request still posted completes as aborted, so no
 * thread sleeps forever. XXX: the softc is freed after stop while the IOMedia's users may
 * still hold it as ctx; the media nub is terminated first, so only a caller racing with
 * termination is exposed. Needs an IOMedia open/close count.
 */
static void
vtblk_stop(struct io_service *self, struct io_service *provider)
{
	struct vtblk *sc = io_service_softc(self);
	bool s = VTBLK_LOCK(sc);

	sc->vb_dead = true;
	virtio_reset_and_free(sc->vb_vd, vtblk_drain_one, sc);
	sc->vb_vq = NULL;
	thread_wakeup(sc->vb_reqs);
	thread_wakeup(&sc->vb_vq);
	VTBLK_UNLOCK(sc, s);
	/* XXX: the DMA slots stay allocated: an aborted request's thread may still read them. */
}

/*
 * virtio_blk_stats: counters of the first disk, for tests and the debug shell.
 *   Returns: false when there is no virtio-blk device.
 */
bool virtio_blk_stats(uint64_t *requests, uint64_t *errors, uint64_t *bytes_read,
		      uint64_t *bytes_written);

static struct vtblk *vtblk_first;

bool
virtio_blk_stats(uint64_t *requests, uint64_t *errors, uint64_t *bytes_read,
		 uint64_t *bytes_written)
{
	struct vtblk *sc = vtblk_first;
	bool s;

	if (sc == NULL)
		return false;
	s = VTBLK_LOCK(sc);
	*requests = sc->vb_nreq_done;
	*errors = sc->vb_nerrors;
	*bytes_read = sc->vb_bytes_read;
	*bytes_written = sc->vb_bytes_written;
	VTBLK_UNLOCK(sc, s);
	return true;
}

static kern_return_t
vtblk_start_first(struct io_service *self, struct io_service *provider)
{
	kern_return_t kr = vtblk_start(self, provider);

	if (kr == KERN_SUCCESS && vtblk_first == NULL)
		vtblk_first = io_service_softc(self);
	return kr;
}

static void
vtblk_stop_first(struct io_service *self, struct io_service *provider)
{
	if (vtblk_first == io_service_softc(self))
		vtblk_first = NULL;
	vtblk_stop(self, provider);
}

static const struct io_match vtblk_match[] = {
	{ .im_provider_class = kIOVirtioDeviceClass, .im_virtio_type = VIRTIO_ID_BLOCK,
	  .im_score = 100 },
};

static const struct io_driver vtblk_driver = {
	.drv_class = "VirtioBlock",
	.drv_match = vtblk_match,
	.drv_nmatch = ARRAY_SIZE(vtblk_match),
	.drv_softc_size = sizeof(struct vtblk),
	.drv_start = vtblk_start_first,
	.drv_stop = vtblk_stop_first,
};
IOKIT_DRIVER(vtblk_driver);
