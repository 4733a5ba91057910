/*
 * virtqueue_fuzz.c — libFuzzer harness for virtio/virtqueue.c: the input is a script in which
 * the driver posts, kicks and dequeues buffers and a device writes whatever it likes into the
 * used ring (ids, lengths, used idx, flags, event index) and the descriptor table.
 *
 * Checked on every input: no memory error; every dequeued cookie is one in flight and comes
 * back once; every used length is at most the writable length posted; free descriptors never
 * exceed the queue size; a broken queue never yields another buffer.
 */
// fuzz-deps: virtio/virtqueue.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <linux/virtio_ring.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <virtio/virtqueue.h>

static void *
f_alloc(size_t len, uint64_t *pa, void *ctx)
{
	void *p = aligned_alloc(4096, (len + 4095) & ~(size_t)4095);

	if (p == NULL)
		abort();
	memset(p, 0, len);
	*pa = (uintptr_t)p;
	return p;
}

static void
f_free(void *p, size_t len, void *ctx)
{
	free(p);
}

static void
f_notify(struct virtqueue *vq, void *arg)
{
}

static const struct vq_mem fmem = { f_alloc, f_free, NULL };

#define NBUF 64
struct fbuf {
	int inflight;
	uint32_t wlen;
	uint8_t data[256];
};

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	static struct fbuf bufs[NBUF];
	struct virtqueue *vq;
	struct vring r;
	size_t pos = 2;
	uint16_t size;

	if (n < 2)
		return 0;
	size = (uint16_t)(1u << (in[0] % 9));
	vq = virtqueue_create(0, size, in[1] & 3, &fmem, f_notify, NULL);
	if (vq == NULL)
		abort();
	vring_init(&r, size, (void *)(uintptr_t)virtqueue_desc_pa(vq), 4096);
	memset(bufs, 0, sizeof(bufs));

	while (pos + 8 <= n) {
		const uint8_t *op = &in[pos];
		pos += 8;
		switch (op[0] % 6) {
		case 0: { /* driver posts buffer op[1] with (op[2] % 4) readable + 1..4 writable */
			struct fbuf *b = &bufs[op[1] % NBUF];
			struct vq_seg segs[8];
			unsigned nout = op[2] % 4, nin = 1 + op[3] % 4;
			if (b->inflight)
				break;
			b->wlen = 0;
			for (unsigned i = 0; i < nout + nin; i++) {
				segs[i].vs_pa = (uintptr_t)&b->data[i * 32];
				segs[i].vs_len = 1 + (op[4 + i % 4] % 32);
				if (i >= nout)
					b->wlen += segs[i].vs_len;
			}
			if (virtqueue_enqueue(vq, b, segs, nout, nin) == KERN_SUCCESS)
				b->inflight = 1;
			break;
		}
		case 1: { /* device writes a used element and bumps used idx */
			uint16_t slot = (uint16_t)(op[1] | op[2] << 8);
			uint32_t id = (uint32_t)(op[3] | op[4] << 8);
			uint32_t len = (uint32_t)(op[5] | op[6] << 8);
			r.used->ring[slot % size].id = id;
			r.used->ring[slot % size].len = len;
			r.used->idx = (uint16_t)(r.used->idx + op[7] % 4);
			break;
		}
		case 2: { /* driver dequeues everything */
			void *c;
			uint32_t len;
			while (virtqueue_dequeue(vq, &c, &len)) {
				struct fbuf *b = c;
				if (b < bufs || b >= bufs + NBUF || !b->inflight || len > b->wlen)
					abort();
				b->inflight = 0;
			}
			break;
		}
		case 3:
			(void)virtqueue_kick(vq);
			break;
		case 4: /* device writes flags, event index, or scribbles a descriptor */
			r.used->flags = op[1];
			vring_avail_event(&r) = (uint16_t)(op[2] | op[3] << 8);
			r.desc[op[4] % size].next = (uint16_t)(op[5] | op[6] << 8);
			r.desc[op[4] % size].flags = op[7];
			break;
		case 5:
			if (op[1] & 1)
				(void)virtqueue_enable_intr(vq);
			else
				virtqueue_disable_intr(vq);
			break;
		}
		if (virtqueue_nfree(vq) > size)
			abort();
	}
	virtqueue_drain(vq, NULL, NULL);
	virtqueue_destroy(vq);
	return 0;
}
