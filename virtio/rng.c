/*
 * rng.c — the virtio entropy device driver (virtio 1.2 §5.4): VirtioRNG matches virtio device
 * type 4, keeps a few device-writable buffers posted on its one queue, and feeds what the
 * device returns into the kernel entropy pool (kernel/random.c).
 *
 * The device answers as fast as the host can, so the driver stops reposting once the pool has
 * RNG_TARGET bytes from it; virtio_rng_refill() asks for more.
 */
#include <console.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <mach/kern/locks.h>
#include <mach/vm/vm_param.h>
#include <random.h>
#include <virtio/virtio.h>

#define RNG_NBUF   4
#define RNG_BUFSZ  64
#define RNG_TARGET 4096 /* bytes to gather before going idle */

struct vtrng {
	struct virtio_dev *vr_vd;
	struct virtqueue *vr_vq;
	lck_spin_t vr_lock;
	uint8_t *vr_bufs; /* RNG_NBUF * RNG_BUFSZ bytes of DMA memory */
	uint64_t vr_bufs_pa;
	uint64_t vr_bytes;
	uint64_t vr_target;
	bool vr_posted[RNG_NBUF];
};

static struct vtrng *vtrng_active;

/* Post every idle buffer while below the target. Lock held. */
static void
vtrng_post(struct vtrng *sc)
{
	bool any = false;

	for (unsigned i = 0; i < RNG_NBUF && sc->vr_bytes < sc->vr_target; i++) {
		struct vq_seg seg = { sc->vr_bufs_pa + i * RNG_BUFSZ, RNG_BUFSZ };

		if (sc->vr_posted[i])
			continue;
		if (virtqueue_enqueue(sc->vr_vq, &sc->vr_posted[i], &seg, 0, 1) != KERN_SUCCESS)
			break;
		sc->vr_posted[i] = true;
		any = true;
	}
	if (any)
		virtqueue_kick(sc->vr_vq);
}

static void
vtrng_intr(void *arg)
{
	struct vtrng *sc = arg;
	const char *broken = NULL;
	bool s = lck_spin_lock_irqsave(&sc->vr_lock);
	void *cookie;
	uint32_t len;

	do {
		while (virtqueue_dequeue(sc->vr_vq, &cookie, &len)) {
			unsigned i = (unsigned)((bool *)cookie - sc->vr_posted);

			sc->vr_posted[i] = false;
			random_add_entropy(sc->vr_bufs + i * RNG_BUFSZ, len);
			sc->vr_bytes += len;
		}
		broken = virtqueue_broken_reason(sc->vr_vq);
	} while (broken == NULL && virtqueue_enable_intr(sc->vr_vq));
	if (broken == NULL)
		vtrng_post(sc);
	lck_spin_unlock_irqrestore(&sc->vr_lock, s);
	if (broken != NULL)
		virtio_fail(sc->vr_vd, broken);
}

static kern_return_t
vtrng_start(struct io_service *self, struct io_service *provider)
{
	struct vtrng *sc = io_service_softc(self);
	struct virtio_dev *vd = virtio_dev_from_nub(provider);
	bool s;

	if (vd == NULL)
		return KERN_INVALID_ARGUMENT;
	sc->vr_vd = vd;
	lck_spin_init(&sc->vr_lock);
	sc->vr_target = RNG_TARGET;
	sc->vr_bufs = virtio_dma.vm_alloc(RNG_NBUF * RNG_BUFSZ, &sc->vr_bufs_pa, NULL);
	if (sc->vr_bufs == NULL)
		return KERN_RESOURCE_SHORTAGE;
	if (virtio_negotiate(vd, 0) != KERN_SUCCESS)
		goto fail;
	sc->vr_vq = virtio_queue_alloc(vd, 0, 16, vtrng_intr, sc);
	if (sc->vr_vq == NULL)
		goto fail;
	virtio_driver_ok(vd);
	s = lck_spin_lock_irqsave(&sc->vr_lock);
	vtrng_post(sc);
	lck_spin_unlock_irqrestore(&sc->vr_lock, s);
	if (vtrng_active == NULL)
		vtrng_active = sc;
	printf("virtio-rng: feeding the entropy pool (queue of %u)\n",
	       virtqueue_size(sc->vr_vq));
	return KERN_SUCCESS;
fail:
	virtio_reset_and_free(vd, NULL, NULL);
	virtio_dma.vm_free(sc->vr_bufs, RNG_NBUF * RNG_BUFSZ, NULL);
	return KERN_FAILURE;
}

static void
vtrng_stop(struct io_service *self, struct io_service *provider)
{
	struct vtrng *sc = io_service_softc(self);
	bool s = lck_spin_lock_irqsave(&sc->vr_lock);

	if (vtrng_active == sc)
		vtrng_active = NULL;
	lck_spin_unlock_irqrestore(&sc->vr_lock, s);
	virtio_reset_and_free(sc->vr_vd, NULL, NULL);
	virtio_dma.vm_free(sc->vr_bufs, RNG_NBUF * RNG_BUFSZ, NULL);
	sc->vr_vq = NULL;
}

/*
 * virtio_rng_refill: ask the device for `more` bytes beyond what it has delivered.
 *   Returns: the bytes delivered so far, or 0 when there is no virtio-rng device.
 */
uint64_t virtio_rng_refill(uint64_t more);

uint64_t
virtio_rng_refill(uint64_t more)
{
	struct vtrng *sc = vtrng_active;
	uint64_t got;
	bool s;

	if (sc == NULL)
		return 0;
	s = lck_spin_lock_irqsave(&sc->vr_lock);
	got = sc->vr_bytes;
	sc->vr_target = sc->vr_bytes + more;
	if (sc->vr_vq != NULL && !virtqueue_broken(sc->vr_vq))
		vtrng_post(sc);
	lck_spin_unlock_irqrestore(&sc->vr_lock, s);
	return got;
}

static const struct io_match vtrng_match[] = {
	{ .im_provider_class = kIOVirtioDeviceClass, .im_virtio_type = VIRTIO_ID_RNG,
	  .im_score = 100 },
};

static const struct io_driver vtrng_driver = {
	.drv_class = "VirtioRNG",
	.drv_match = vtrng_match,
	.drv_nmatch = ARRAY_SIZE(vtrng_match),
	.drv_softc_size = sizeof(struct vtrng),
	.drv_start = vtrng_start,
	.drv_stop = vtrng_stop,
};
IOKIT_DRIVER(vtrng_driver);

/*
 * virtio_rng_break_for_test: play a hostile device: move the used ring's idx far past what
 * was posted, as a broken device would, and take the queue's interrupt. The driver must
 * quarantine the queue, reset the device and terminate its nub (the virtio_rng_quarantine
 * ktest). Returns false when there is no virtio-rng.
 */
bool virtio_rng_break_for_test(void);

bool
virtio_rng_break_for_test(void)
{
	struct vtrng *sc = vtrng_active;
	struct vring_used *used;
	bool s;

	if (sc == NULL || sc->vr_vq == NULL)
		return false;
	s = lck_spin_lock_irqsave(&sc->vr_lock);
	used = phystokv(virtqueue_used_pa(sc->vr_vq));
	__atomic_store_n(&used->idx, (uint16_t)(used->idx + 0x100), __ATOMIC_RELEASE);
	lck_spin_unlock_irqrestore(&sc->vr_lock, s);
	vtrng_intr(sc);
	return true;
}
