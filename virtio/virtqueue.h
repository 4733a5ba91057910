/*
 * virtqueue.h — the split virtqueue (virtio 1.2 §2.7): the driver side of the descriptor
 * table, available ring and used ring, with indirect descriptors (§2.7.5.3) and
 * VIRTIO_RING_F_EVENT_IDX notification suppression (§2.7.7, §2.7.10). The ring layout comes
 * from <linux/virtio_ring.h>.
 *
 * The one idea: the device is not trusted. Everything it writes (used idx, used ids, used
 * lengths) is checked against what the driver posted, which the driver keeps in its own
 * private shadow, never re-read from shared memory. The first inconsistency marks the queue
 * broken: it then refuses every operation, and the transport resets the device.
 *
 * Portable: ring memory and indirect tables come from a struct vq_mem (the kernel's is
 * physically contiguous pages; the unit tests' is host memory with pa == va). Not locked: the
 * driver serialises enqueue/dequeue on one queue (its own lock, or interrupt context only).
 */
#ifndef _VIRTIO_VIRTQUEUE_H_
#define _VIRTIO_VIRTQUEUE_H_

#include <libkern/libkern.h>
#include <mach/kern/kern_return.h>

#define VQ_MAX_SIZE	32768 /* §2.7: Queue Size is at most 32768 */
#define VQ_MAX_INDIRECT 64    /* segments in one indirect table */

/*
 * DMA-able memory: alloc returns zeroed, physically contiguous memory and its address; ring
 * memory (any allocation of a page or more) must be 4 KiB aligned.
 */
struct vq_mem {
	void *(*vm_alloc)(size_t len, uint64_t *pa, void *ctx);
	void (*vm_free)(void *p, size_t len, void *ctx);
	void *vm_ctx;
};

/* One buffer segment: a device address and a length. */
struct vq_seg {
	uint64_t vs_pa;
	uint32_t vs_len;
};

struct virtqueue;

/* Queue options (virtqueue_create flags): the negotiated ring features. */
#define VQ_F_INDIRECT  0x1
#define VQ_F_EVENT_IDX 0x2

/*
 * virtqueue_create: a queue of size entries (a power of two, 1..32768) for queue index idx,
 * its rings allocated from mem. notify(vq, arg) is called by virtqueue_kick() when the device
 * wants to hear about new buffers.
 *   Returns: the queue, or NULL (bad size, or memory short).
 */
struct virtqueue *virtqueue_create(uint16_t idx, uint16_t size, unsigned flags,
				   const struct vq_mem *mem,
				   void (*notify)(struct virtqueue *vq, void *arg), void *arg);
/* virtqueue_destroy: free the rings and every indirect table. The device must be reset. */
void virtqueue_destroy(struct virtqueue *vq);

/* The rings' device addresses, for the transport. */
uint64_t virtqueue_desc_pa(const struct virtqueue *vq);
uint64_t virtqueue_avail_pa(const struct virtqueue *vq);
uint64_t virtqueue_used_pa(const struct virtqueue *vq);
uint16_t virtqueue_size(const struct virtqueue *vq);
uint16_t virtqueue_index(const struct virtqueue *vq);

/*
 * virtqueue_enqueue: post one buffer of nout device-readable segments followed by nin
 * device-writable ones, identified by cookie (non-NULL), and make it available (the device is
 * told at the next virtqueue_kick()). An indirect table is used when negotiated and the buffer
 * has more than one segment.
 *   Returns: KERN_SUCCESS; KERN_NO_SPACE (not enough free descriptors: dequeue first);
 *            KERN_INVALID_ARGUMENT (no segments, too many, a zero length, NULL cookie);
 *            KERN_RESOURCE_SHORTAGE (no memory for an indirect table);
 *            KERN_FAILURE (the queue is broken).
 */
kern_return_t virtqueue_enqueue(struct virtqueue *vq, void *cookie, const struct vq_seg *segs,
				unsigned nout, unsigned nin);

/*
 * virtqueue_kick: notify the device if it asked to be (EVENT_IDX's avail_event, or the
 * NO_NOTIFY flag). Returns whether it was notified.
 */
bool virtqueue_kick(struct virtqueue *vq);

/*
 * virtqueue_dequeue: take the next buffer the device has used.
 *   Returns: true with *cookie and *len (bytes the device wrote, validated ≤ the writable
 *            length posted); false when there is none, or when the device broke the ring (the
 *            queue is then broken: virtqueue_broken(), with a log line saying how).
 */
bool virtqueue_dequeue(struct virtqueue *vq, void **cookie, uint32_t *len);

/*
 * virtqueue_enable_intr: ask for an interrupt at the next used buffer.
 *   Returns: true when used buffers are already pending (dequeue again, to close the race).
 * virtqueue_disable_intr: ask for no interrupts (a hint the device may ignore).
 */
bool virtqueue_enable_intr(struct virtqueue *vq);
void virtqueue_disable_intr(struct virtqueue *vq);

bool virtqueue_broken(const struct virtqueue *vq);
/* Why the queue broke (a static string), or NULL while it is sound. */
const char *virtqueue_broken_reason(const struct virtqueue *vq);
/*
 * virtqueue_set_quiet: do not klog when the device breaks the ring; for a queue used from a
 * console sink, where logging would recurse into the console. The owner logs the reason.
 */
void virtqueue_set_quiet(struct virtqueue *vq, bool quiet);
/* Buffers posted and not yet dequeued; free descriptors. */
unsigned virtqueue_inflight(const struct virtqueue *vq);
unsigned virtqueue_nfree(const struct virtqueue *vq);

/*
 * virtqueue_drain: after the device is reset, hand back every posted cookie (for the driver
 * to free) through fn, and return the queue to empty.
 */
void virtqueue_drain(struct virtqueue *vq, void (*fn)(void *cookie, void *arg), void *arg);

#endif /* _VIRTIO_VIRTQUEUE_H_ */
