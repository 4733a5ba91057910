/*
 * virtqueue_test.c — unit tests for virtio/virtqueue.c against a simulated device that reads
 * the avail ring and descriptors (direct and indirect) as a device would, writes into the
 * writable buffers, and completes buffers out of order; then against a hostile device that
 * corrupts what it writes (10,000 seeded rounds): ids out of range or never posted, ids
 * returned twice, lengths over the posted length, used idx jumps and steps backwards,
 * scribbled descriptor tables. The driver must never hand back a cookie that is not in
 * flight or a length over what was posted, and must quarantine the queue on every detectable
 * fault.
 */
// unit-deps: tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <criterion/criterion.h>
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <stdlib.h>
#include <virtio/virtqueue.h>

#include "../shim/kalloc_malloc.h"

static unsigned dma_live;

static void *
h_alloc(size_t len, uint64_t *pa, void *ctx)
{
	void *p = aligned_alloc(4096, ROUNDUP(len, 4096));

	if (p == NULL)
		return NULL;
	memset(p, 0, len);
	*pa = (uintptr_t)p;
	dma_live++;
	return p;
}

static void
h_free(void *p, size_t len, void *ctx)
{
	dma_live--;
	free(p);
}

static const struct vq_mem hmem = { h_alloc, h_free, NULL };
static unsigned nnotify;

static void
h_notify(struct virtqueue *vq, void *arg)
{
	nnotify++;
}

/* --- the simulated device ------------------------------------------------------------- */

struct sim {
	struct vring r;
	uint16_t size;
	uint16_t last_avail;
	uint16_t used_idx;
	bool event_idx;
	unsigned npend;
	struct {
		uint16_t head;
		uint32_t wlen;
	} pend[VQ_MAX_SIZE];
};

static void
sim_attach(struct sim *s, struct virtqueue *vq, bool event_idx)
{
	memset(s, 0, sizeof(*s));
	s->size = virtqueue_size(vq);
	vring_init(&s->r, s->size, (void *)(uintptr_t)virtqueue_desc_pa(vq), 4096);
	cr_assert_eq((uintptr_t)s->r.avail, virtqueue_avail_pa(vq));
	cr_assert_eq((uintptr_t)s->r.used, virtqueue_used_pa(vq));
	s->event_idx = event_idx;
}

/* Walk a chain as a device would; fill writable bytes with a pattern; return writable len. */
static uint32_t
sim_walk(struct sim *s, uint16_t head)
{
	struct vring_desc *tbl = s->r.desc;
	unsigned n = s->size, i = head, steps = 0;
	uint32_t wlen = 0;

	if (tbl[i].flags & VRING_DESC_F_INDIRECT) {
		cr_assert_eq(tbl[i].len % sizeof(struct vring_desc), 0);
		n = tbl[i].len / sizeof(struct vring_desc);
		tbl = (struct vring_desc *)(uintptr_t)tbl[i].addr;
		i = 0;
	}
	for (;;) {
		cr_assert_lt(i, n);
		cr_assert_lt(steps++, n, "descriptor chain loops");
		if (tbl[i].flags & VRING_DESC_F_WRITE) {
			memset((void *)(uintptr_t)tbl[i].addr, (uint8_t)(head + 1), tbl[i].len);
			wlen += tbl[i].len;
		} else {
			cr_assert_eq(wlen, 0, "readable descriptor after a writable one");
		}
		if (!(tbl[i].flags & VRING_DESC_F_NEXT))
			break;
		i = tbl[i].next;
	}
	return wlen;
}

static void
sim_consume(struct sim *s)
{
	while (s->last_avail != s->r.avail->idx) {
		uint16_t head = s->r.avail->ring[s->last_avail & (s->size - 1)];
		cr_assert_lt(head, s->size);
		s->pend[s->npend].head = head;
		s->pend[s->npend].wlen = sim_walk(s, head);
		s->npend++;
		s->last_avail++;
	}
	if (s->event_idx)
		vring_avail_event(&s->r) = s->last_avail;
}

static void
sim_used(struct sim *s, uint32_t id, uint32_t len)
{
	s->r.used->ring[s->used_idx & (s->size - 1)].id = id;
	s->r.used->ring[s->used_idx & (s->size - 1)].len = len;
	s->used_idx++;
	s->r.used->idx = s->used_idx;
}

/* Complete pending buffer k with length len. */
static void
sim_complete(struct sim *s, unsigned k, uint32_t len)
{
	sim_used(s, s->pend[k].head, len);
	s->pend[k] = s->pend[--s->npend];
}

/* --- driver-side bookkeeping ----------------------------------------------------------- */

struct buf {
	bool inflight;
	unsigned nseg;
	uint32_t wlen;
	uint8_t data[4][64];
};

static uint32_t rng_state;
static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static kern_return_t
post(struct virtqueue *vq, struct buf *b)
{
	struct vq_seg segs[4];
	unsigned nout = rnd() % 3, nin = 1 + rnd() % 2;

	b->wlen = 0;
	for (unsigned i = 0; i < nout + nin; i++) {
		segs[i].vs_pa = (uintptr_t)b->data[i];
		segs[i].vs_len = 1 + rnd() % 64;
		if (i >= nout)
			b->wlen += segs[i].vs_len;
	}
	b->nseg = nout + nin;
	kern_return_t kr = virtqueue_enqueue(vq, b, segs, nout, nin);
	if (kr == KERN_SUCCESS)
		b->inflight = true;
	return kr;
}

static void
setup(void)
{
	dma_live = 0;
	nnotify = 0;
}

static void
teardown(void)
{
	cr_expect_eq(dma_live, 0, "DMA memory leaked: %u blocks", dma_live);
	cr_expect_eq(kalloc_shim_live, 0, "kalloc leaked %zu bytes", kalloc_shim_live);
}

TestSuite(virtqueue, .init = setup, .fini = teardown);

Test(virtqueue, rejects_bad_arguments)
{
	cr_expect_null(virtqueue_create(0, 0, 0, &hmem, h_notify, NULL));
	cr_expect_null(virtqueue_create(0, 12, 0, &hmem, h_notify, NULL));
	struct virtqueue *vq = virtqueue_create(0, 4, 0, &hmem, h_notify, NULL);
	struct vq_seg seg = { 0x1000, 0 };
	cr_expect_eq(virtqueue_enqueue(vq, &seg, &seg, 1, 0), KERN_INVALID_ARGUMENT);
	seg.vs_len = 8;
	cr_expect_eq(virtqueue_enqueue(vq, NULL, &seg, 1, 0), KERN_INVALID_ARGUMENT);
	cr_expect_eq(virtqueue_enqueue(vq, &seg, &seg, 0, 0), KERN_INVALID_ARGUMENT);
	struct vq_seg five[5] = { { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 } };
	cr_expect_eq(virtqueue_enqueue(vq, &seg, five, 5, 0), KERN_NO_SPACE);
	cr_expect_eq(virtqueue_enqueue(vq, &seg, five, 4, 0), KERN_SUCCESS);
	cr_expect_eq(virtqueue_nfree(vq), 0);
	cr_expect_eq(virtqueue_enqueue(vq, &seg, five, 1, 0), KERN_NO_SPACE);
	virtqueue_drain(vq, NULL, NULL);
	cr_expect_eq(virtqueue_nfree(vq), 4);
	virtqueue_destroy(vq);
}

/* A well-behaved device: every buffer comes back once, with the data it wrote. */
Test(virtqueue, good_device_roundtrip)
{
	static struct sim s;
	static struct buf bufs[64];

	for (unsigned flags = 0; flags < 4; flags++) {
		struct virtqueue *vq = virtqueue_create(1, 16, flags, &hmem, h_notify, NULL);
		unsigned done = 0;

		rng_state = 7 + flags;
		sim_attach(&s, vq, flags & VQ_F_EVENT_IDX);
		memset(bufs, 0, sizeof(bufs));
		for (int step = 0; step < 2000; step++) {
			struct buf *b = &bufs[rnd() % 64];
			if (!b->inflight && post(vq, b) == KERN_SUCCESS)
				virtqueue_kick(vq);
			sim_consume(&s);
			if (s.npend > 0 && rnd() % 2) {
				unsigned k = rnd() % s.npend;
				sim_complete(&s, k, s.pend[k].wlen - (s.pend[k].wlen ? rnd() % 2 : 0));
			}
			void *c;
			uint32_t len;
			while (virtqueue_dequeue(vq, &c, &len)) {
				struct buf *got = c;
				cr_assert(got->inflight);
				cr_assert_leq(len, got->wlen);
				got->inflight = false;
				done++;
			}
			cr_assert_not(virtqueue_broken(vq));
		}
		cr_expect_gt(done, 500);
		virtqueue_drain(vq, NULL, NULL);
		virtqueue_destroy(vq);
	}
}

Test(virtqueue, indirect_uses_one_descriptor)
{
	static struct sim s;
	struct buf b = { 0 };
	struct virtqueue *vq = virtqueue_create(0, 2, VQ_F_INDIRECT, &hmem, h_notify, NULL);
	struct vq_seg segs[4] = { { (uintptr_t)b.data[0], 8 }, { (uintptr_t)b.data[1], 16 },
				  { (uintptr_t)b.data[2], 32 }, { (uintptr_t)b.data[3], 4 } };

	sim_attach(&s, vq, false);
	cr_assert_eq(virtqueue_enqueue(vq, &b, segs, 1, 3), KERN_SUCCESS);
	cr_expect_eq(virtqueue_nfree(vq), 1);
	cr_expect_eq(s.r.desc[0].flags, VRING_DESC_F_INDIRECT);
	sim_consume(&s);
	cr_expect_eq(s.pend[0].wlen, 52);
	cr_expect_eq(b.data[2][31], 1); /* the device wrote head + 1 */
	cr_expect_eq(b.data[0][0], 0);	/* and not into the readable segment */
	sim_complete(&s, 0, 52);
	void *c;
	uint32_t len;
	cr_expect(virtqueue_dequeue(vq, &c, &len));
	cr_expect_eq(c, &b);
	cr_expect_eq(len, 52);
	cr_expect_eq(virtqueue_nfree(vq), 2);
	virtqueue_destroy(vq);
}

Test(virtqueue, event_idx_suppresses_notifications)
{
	static struct sim s;
	static struct buf bufs[8];
	struct virtqueue *vq = virtqueue_create(0, 8, VQ_F_EVENT_IDX, &hmem, h_notify, NULL);

	sim_attach(&s, vq, true);
	vring_avail_event(&s.r) = 0; /* wants to hear about the first buffer only */
	post(vq, &bufs[0]);
	cr_expect(virtqueue_kick(vq));
	post(vq, &bufs[1]);
	post(vq, &bufs[2]);
	cr_expect_not(virtqueue_kick(vq)); /* device has not caught up: no notification */
	sim_consume(&s);		   /* now avail_event = 3 */
	post(vq, &bufs[3]);
	cr_expect(virtqueue_kick(vq));
	cr_expect_eq(nnotify, 2);
	/* Interrupt side: used_event follows our last_used while interrupts are on. */
	sim_consume(&s);
	sim_complete(&s, 0, 0);
	void *c;
	uint32_t len;
	cr_expect(virtqueue_dequeue(vq, &c, &len));
	cr_expect_eq(vring_used_event(&s.r), 1);
	virtqueue_disable_intr(vq);
	sim_complete(&s, 0, 0);
	cr_expect(virtqueue_enable_intr(vq)); /* one is pending: the caller must dequeue */
	virtqueue_drain(vq, NULL, NULL);
	virtqueue_destroy(vq);
}

/* Named for what broke in the anchors: a used id that was never posted must not be trusted. */
Test(virtqueue, used_id_not_posted_quarantines)
{
	static struct sim s;
	struct buf b = { 0 };
	struct virtqueue *vq = virtqueue_create(0, 4, 0, &hmem, h_notify, NULL);
	void *c;
	uint32_t len;

	sim_attach(&s, vq, false);
	post(vq, &b);
	sim_used(&s, 3, 0);
	cr_expect_not(virtqueue_dequeue(vq, &c, &len));
	cr_expect(virtqueue_broken(vq));
	cr_expect_eq(virtqueue_enqueue(vq, &b, &(struct vq_seg){ 1, 1 }, 1, 0), KERN_FAILURE);
	virtqueue_drain(vq, NULL, NULL);
	virtqueue_destroy(vq);
}

enum fault { F_NONE, F_ID_RANGE, F_ID_FREE, F_DUP, F_LEN, F_JUMP, F_BACK, F_SCRIBBLE, F_NFAULT };

/* 10,000 seeded rounds against a hostile device. */
Test(virtqueue, hostile_device_10000_rounds)
{
	static struct sim s;
	static struct buf bufs[48];
	unsigned broken = 0, faults_detectable = 0;

	for (unsigned round = 0; round < 10000; round++) {
		rng_state = 0x9e3779b9u ^ (round * 2654435761u);
		if (rng_state == 0)
			rng_state = 1;
		uint16_t size = (uint16_t)(1u << (rnd() % 7));
		unsigned flags = rnd() % 4;
		struct virtqueue *vq = virtqueue_create((uint16_t)round, size, flags, &hmem,
							h_notify, NULL);
		cr_assert_not_null(vq);
		sim_attach(&s, vq, flags & VQ_F_EVENT_IDX);
		memset(bufs, 0, sizeof(bufs));
		bool expect_broken = false;
		uint32_t last_done_head = UINT32_MAX;

		for (int step = 0; step < 40 && !virtqueue_broken(vq); step++) {
			for (int k = rnd() % 4; k > 0; k--) {
				struct buf *b = &bufs[rnd() % 48];
				if (!b->inflight)
					(void)post(vq, b);
			}
			virtqueue_kick(vq);
			sim_consume(&s);
			enum fault f = rnd() % 8 == 0 ? (enum fault)(1 + rnd() % (F_NFAULT - 1)) :
							F_NONE;
			if (!expect_broken) {
				switch (f) {
				case F_ID_RANGE:
					sim_used(&s, size + rnd() % 1000, 0);
					expect_broken = true;
					break;
				case F_ID_FREE: {
					/* A head not in flight (every earlier completion was dequeued,
					 * so the in-flight heads are exactly the device's pending). */
					uint32_t id = rnd() % size;
					bool inflight = false;
					for (unsigned k = 0; k < s.npend; k++)
						if (s.pend[k].head == id)
							inflight = true;
					if (!inflight && virtqueue_inflight(vq) > 0) {
						sim_used(&s, id, 0);
						expect_broken = true;
					}
					break;
				}
				case F_DUP:
					if (last_done_head != UINT32_MAX) {
						bool again = false;
						for (unsigned k = 0; k < s.npend; k++)
							if (s.pend[k].head == last_done_head)
								again = true;
						if (!again) {
							sim_used(&s, last_done_head, 0);
							expect_broken = true;
						}
					}
					break;
				case F_LEN:
					if (s.npend > 0) {
						unsigned k = rnd() % s.npend;
						sim_complete(&s, k, s.pend[k].wlen + 1 + rnd() % 5000);
						expect_broken = true;
					}
					break;
				case F_JUMP:
					s.used_idx = (uint16_t)(s.used_idx + virtqueue_inflight(vq) + 1 +
								rnd() % 100);
					s.r.used->idx = s.used_idx;
					expect_broken = true;
					break;
				case F_BACK:
					s.used_idx--;
					s.r.used->idx = s.used_idx;
					expect_broken = true;
					break;
				case F_SCRIBBLE:
					/* The device scribbles on free descriptors: harmless. */
					for (unsigned k = 0; k < size; k++)
						if (rnd() % 2)
							s.r.desc[k].next = (uint16_t)rnd();
					break;
				default:
					break;
				}
			}
			/* Honest completions, some of them. */
			while (!expect_broken && s.npend > 0 && rnd() % 3) {
				unsigned k = rnd() % s.npend;
				last_done_head = s.pend[k].head;
				sim_complete(&s, k, s.pend[k].wlen ? rnd() % (s.pend[k].wlen + 1) : 0);
			}
			void *c;
			uint32_t len;
			while (virtqueue_dequeue(vq, &c, &len)) {
				struct buf *got = c;
				cr_assert(got >= bufs && got < bufs + 48, "cookie not ours");
				cr_assert(got->inflight, "cookie returned twice (round %u)", round);
				cr_assert_leq(len, got->wlen);
				got->inflight = false;
			}
			if (expect_broken) {
				faults_detectable++;
				cr_assert(virtqueue_broken(vq), "round %u: fault not detected", round);
			}
		}
		if (virtqueue_broken(vq))
			broken++;
		cr_assert_eq(virtqueue_kick(vq) && virtqueue_broken(vq), false);
		virtqueue_drain(vq, NULL, NULL);
		virtqueue_destroy(vq);
	}
	cr_expect_eq(broken, faults_detectable);
	cr_expect_gt(broken, 1000, "only %u rounds saw a fault", broken);
}
