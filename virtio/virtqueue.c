/*
 * virtqueue.c — the split virtqueue, driver side (virtqueue.h; virtio 1.2 §2.7).
 *
 * The ring layout is the one <linux/virtio_ring.h> computes (vring_init with 4 KiB alignment,
 * the legacy-compatible layout that modern devices accept at any address). Descriptors are
 * handed out from a free list whose links live in a private shadow array (vq_next): a buffer's
 * chain is always a run of consecutive free-list entries, so returning it needs only the head
 * id and the count the driver recorded — nothing the device could have rewritten.
 *
 * Validation of what the device writes (used ring): the distance between the device's used
 * idx and ours must not exceed the buffers in flight (a jump or a step backwards); a used id
 * must be below the queue size and name a head that is posted now (not free, not returned
 * already); a used length must not exceed the writable bytes posted. The first failure marks
 * the queue broken, logs it once, and every later call refuses.
 *
 * Byte order: virtio 1.x rings are little-endian, and so is x86-64, so fields are used as is.
 */
#include <console.h>
#include <linux/virtio_ring.h>
#include <mach/kern/kalloc.h>
#include <panic.h>
#include <virtio/virtqueue.h>

struct vq_entry {
	void *ve_cookie;
	uint64_t ve_wlen;     /* writable bytes posted */
	void *ve_ind;	      /* indirect table, or NULL */
	uint64_t ve_ind_pa;
	uint16_t ve_ndesc;    /* descriptors taken from the ring's table */
	uint16_t ve_nind;     /* entries in the indirect table */
	bool ve_posted;
};

struct virtqueue {
	uint16_t vq_idx, vq_size;
	unsigned vq_flags;
	struct vring vq_ring;
	void *vq_ring_mem;
	size_t vq_ring_len;
	uint64_t vq_ring_pa;
	struct vq_mem vq_mem;
	uint16_t *vq_next;	/* shadow free-list links */
	struct vq_entry *vq_ent;
	uint16_t vq_free_head, vq_nfree;
	uint16_t vq_avail_idx;	/* next avail slot (our copy) */
	uint16_t vq_kicked_idx; /* avail idx at the last kick */
	uint16_t vq_last_used;	/* next used slot to read */
	unsigned vq_inflight;
	bool vq_intr_on;
	bool vq_broken;
	bool vq_quiet;		/* do not klog (the console's own queue) */
	const char *vq_broken_why;
	void (*vq_notify)(struct virtqueue *vq, void *arg);
	void *vq_notify_arg;
};

static inline uint16_t
rd16(const volatile void *p)
{
	return __atomic_load_n((const volatile uint16_t *)p, __ATOMIC_ACQUIRE);
}

static inline void
wr16(volatile void *p, uint16_t v)
{
	__atomic_store_n((volatile uint16_t *)p, v, __ATOMIC_RELEASE);
}

static void
vq_break(struct virtqueue *vq, const char *why, unsigned long long a, unsigned long long b)
{
	if (!vq->vq_broken && !vq->vq_quiet)
		klog(LOG_ERR, "virtqueue %u: device broke the ring: %s (%llu, %llu); quarantined\n",
		     vq->vq_idx, why, a, b);
	if (!vq->vq_broken)
		vq->vq_broken_why = why;
	vq->vq_broken = true;
}

static void
vq_reset_state(struct virtqueue *vq)
{
	memset(vq->vq_ring_mem, 0, vq->vq_ring_len);
	vring_init(&vq->vq_ring, vq->vq_size, vq->vq_ring_mem, 4096);
	for (unsigned i = 0; i < vq->vq_size; i++)
		vq->vq_next[i] = (uint16_t)(i + 1);
	memset(vq->vq_ent, 0, vq->vq_size * sizeof(*vq->vq_ent));
	vq->vq_free_head = 0;
	vq->vq_nfree = vq->vq_size;
	vq->vq_avail_idx = vq->vq_kicked_idx = vq->vq_last_used = 0;
	vq->vq_inflight = 0;
	vq->vq_intr_on = true;
}

struct virtqueue *
virtqueue_create(uint16_t idx, uint16_t size, unsigned flags, const struct vq_mem *mem,
		 void (*notify)(struct virtqueue *vq, void *arg), void *arg)
{
	struct virtqueue *vq;

	if (size == 0 || !IS_POW2(size) || size > VQ_MAX_SIZE || mem == NULL || notify == NULL)
		return NULL;
	vq = kalloc_zero(sizeof(*vq));
	if (vq == NULL)
		return NULL;
	vq->vq_idx = idx;
	vq->vq_size = size;
	vq->vq_flags = flags;
	vq->vq_mem = *mem;
	vq->vq_notify = notify;
	vq->vq_notify_arg = arg;
	vq->vq_ring_len = vring_size(size, 4096);
	vq->vq_ring_mem = mem->vm_alloc(vq->vq_ring_len, &vq->vq_ring_pa, mem->vm_ctx);
	vq->vq_next = kalloc(size * sizeof(*vq->vq_next));
	vq->vq_ent = kalloc(size * sizeof(*vq->vq_ent));
	if (vq->vq_ring_mem == NULL || vq->vq_next == NULL || vq->vq_ent == NULL ||
	    ((uintptr_t)vq->vq_ring_mem & 4095) != 0) {
		/* vring_init() aligns the used ring to an absolute 4 KiB boundary. */
		virtqueue_destroy(vq);
		return NULL;
	}
	vq_reset_state(vq);
	return vq;
}

static void
free_indirect(struct virtqueue *vq, struct vq_entry *e)
{
	if (e->ve_ind != NULL)
		vq->vq_mem.vm_free(e->ve_ind, e->ve_nind * sizeof(struct vring_desc),
				   vq->vq_mem.vm_ctx);
	e->ve_ind = NULL;
}

void
virtqueue_destroy(struct virtqueue *vq)
{
	if (vq == NULL)
		return;
	if (vq->vq_ent != NULL) {
		for (unsigned i = 0; i < vq->vq_size; i++)
			free_indirect(vq, &vq->vq_ent[i]);
		kfree(vq->vq_ent, vq->vq_size * sizeof(*vq->vq_ent));
	}
	kfree(vq->vq_next, vq->vq_size * sizeof(*vq->vq_next));
	if (vq->vq_ring_mem != NULL)
		vq->vq_mem.vm_free(vq->vq_ring_mem, vq->vq_ring_len, vq->vq_mem.vm_ctx);
	kfree(vq, sizeof(*vq));
}

uint64_t
virtqueue_desc_pa(const struct virtqueue *vq)
{
	return vq->vq_ring_pa;
}

uint64_t
virtqueue_avail_pa(const struct virtqueue *vq)
{
	return vq->vq_ring_pa + (uint64_t)((char *)vq->vq_ring.avail - (char *)vq->vq_ring_mem);
}

uint64_t
virtqueue_used_pa(const struct virtqueue *vq)
{
	return vq->vq_ring_pa + (uint64_t)((char *)vq->vq_ring.used - (char *)vq->vq_ring_mem);
}

uint16_t
virtqueue_size(const struct virtqueue *vq)
{
	return vq->vq_size;
}

uint16_t
virtqueue_index(const struct virtqueue *vq)
{
	return vq->vq_idx;
}

bool
virtqueue_broken(const struct virtqueue *vq)
{
	return vq->vq_broken;
}

const char *
virtqueue_broken_reason(const struct virtqueue *vq)
{
	return vq->vq_broken ? vq->vq_broken_why : NULL;
}

void
virtqueue_set_quiet(struct virtqueue *vq, bool quiet)
{
	vq->vq_quiet = quiet;
}

unsigned
virtqueue_inflight(const struct virtqueue *vq)
{
	return vq->vq_inflight;
}

unsigned
virtqueue_nfree(const struct virtqueue *vq)
{
	return vq->vq_nfree;
}

static void
fill_desc(struct vring_desc *d, const struct vq_seg *s, bool write, bool more, uint16_t next)
{
	d->addr = s->vs_pa;
	d->len = s->vs_len;
	d->flags = (uint16_t)((write ? VRING_DESC_F_WRITE : 0) | (more ? VRING_DESC_F_NEXT : 0));
	d->next = more ? next : 0;
}

kern_return_t
virtqueue_enqueue(struct virtqueue *vq, void *cookie, const struct vq_seg *segs, unsigned nout,
		  unsigned nin)
{
	unsigned n = nout + nin, need;
	bool indirect;
	uint64_t wlen = 0;
	uint16_t head, idx;
	struct vq_entry *e;
	void *tbl = NULL;
	uint64_t tbl_pa = 0;

	if (vq->vq_broken)
		return KERN_FAILURE;
	if (cookie == NULL || n == 0 || n > VQ_MAX_INDIRECT || nout > n)
		return KERN_INVALID_ARGUMENT;
	for (unsigned i = 0; i < n; i++) {
		if (segs[i].vs_len == 0)
			return KERN_INVALID_ARGUMENT;
		if (i >= nout)
			wlen += segs[i].vs_len;
	}
	indirect = (vq->vq_flags & VQ_F_INDIRECT) != 0 && n > 1;
	need = indirect ? 1 : n;
	if (need > vq->vq_nfree)
		return KERN_NO_SPACE;
	if (indirect) {
		struct vring_desc *t;

		tbl = vq->vq_mem.vm_alloc(n * sizeof(struct vring_desc), &tbl_pa,
					  vq->vq_mem.vm_ctx);
		if (tbl == NULL)
			return KERN_RESOURCE_SHORTAGE;
		t = tbl;
		for (unsigned i = 0; i < n; i++)
			fill_desc(&t[i], &segs[i], i >= nout, i + 1 < n, (uint16_t)(i + 1));
	}

	head = idx = vq->vq_free_head;
	if (indirect) {
		struct vring_desc *d = &vq->vq_ring.desc[head];
		d->addr = tbl_pa;
		d->len = (uint32_t)(n * sizeof(struct vring_desc));
		d->flags = VRING_DESC_F_INDIRECT;
		d->next = 0;
		idx = vq->vq_next[head];
	} else {
		for (unsigned i = 0; i < n; i++) {
			uint16_t nx = vq->vq_next[idx];
			fill_desc(&vq->vq_ring.desc[idx], &segs[i], i >= nout, i + 1 < n, nx);
			idx = nx;
		}
	}
	vq->vq_free_head = idx;
	vq->vq_nfree = (uint16_t)(vq->vq_nfree - need);

	e = &vq->vq_ent[head];
	e->ve_cookie = cookie;
	e->ve_wlen = wlen;
	e->ve_ind = tbl;
	e->ve_ind_pa = tbl_pa;
	e->ve_ndesc = (uint16_t)need;
	e->ve_nind = indirect ? (uint16_t)n : 0;
	e->ve_posted = true;

	vq->vq_ring.avail->ring[vq->vq_avail_idx & (vq->vq_size - 1)] = head;
	vq->vq_avail_idx++;
	wr16(&vq->vq_ring.avail->idx, vq->vq_avail_idx); /* release: the entry first */
	vq->vq_inflight++;
	return KERN_SUCCESS;
}

bool
virtqueue_kick(struct virtqueue *vq)
{
	uint16_t old, new;
	bool need;

	if (vq->vq_broken)
		return false;
	/* The avail idx store must be visible before the device's event index is read. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	old = vq->vq_kicked_idx;
	new = vq->vq_avail_idx;
	if (old == new)
		return false;
	vq->vq_kicked_idx = new;
	if (vq->vq_flags & VQ_F_EVENT_IDX)
		need = vring_need_event(rd16(&vring_avail_event(&vq->vq_ring)), new, old);
	else
		need = (rd16(&vq->vq_ring.used->flags) & VRING_USED_F_NO_NOTIFY) == 0;
	if (need)
		vq->vq_notify(vq, vq->vq_notify_arg);
	return need;
}

bool
virtqueue_dequeue(struct virtqueue *vq, void **cookie, uint32_t *len)
{
	uint16_t used_idx, pend, slot, id;
	uint32_t ulen;
	struct vq_entry *e;
	const volatile struct vring_used_elem *ue;
	uint16_t tail;

	if (vq->vq_broken)
		return false;
	used_idx = rd16(&vq->vq_ring.used->idx);
	pend = (uint16_t)(used_idx - vq->vq_last_used);
	if (pend == 0)
		return false;
	if (pend > vq->vq_inflight) {
		vq_break(vq, "used idx jumped past the buffers in flight", pend, vq->vq_inflight);
		return false;
	}
	slot = vq->vq_last_used & (vq->vq_size - 1);
	ue = &vq->vq_ring.used->ring[slot];
	/* One read of each field: the device may change them under us. */
	uint32_t raw_id = __atomic_load_n(&ue->id, __ATOMIC_RELAXED);
	ulen = __atomic_load_n(&ue->len, __ATOMIC_RELAXED);
	if (raw_id >= vq->vq_size) {
		vq_break(vq, "used id out of range", raw_id, vq->vq_size);
		return false;
	}
	id = (uint16_t)raw_id;
	e = &vq->vq_ent[id];
	if (!e->ve_posted) {
		vq_break(vq, "used id not posted (duplicate or invented)", id, vq->vq_last_used);
		return false;
	}
	if (ulen > e->ve_wlen) {
		vq_break(vq, "used length exceeds the writable length", ulen, e->ve_wlen);
		return false;
	}
	/* Return the chain: ve_ndesc consecutive free-list entries starting at id. */
	tail = id;
	for (unsigned i = 1; i < e->ve_ndesc; i++)
		tail = vq->vq_next[tail];
	vq->vq_next[tail] = vq->vq_free_head;
	vq->vq_free_head = id;
	vq->vq_nfree = (uint16_t)(vq->vq_nfree + e->ve_ndesc);
	free_indirect(vq, e);
	e->ve_posted = false;
	*cookie = e->ve_cookie;
	*len = ulen;
	e->ve_cookie = NULL;
	vq->vq_inflight--;
	vq->vq_last_used++;
	if ((vq->vq_flags & VQ_F_EVENT_IDX) && vq->vq_intr_on)
		wr16(&vring_used_event(&vq->vq_ring), vq->vq_last_used);
	return true;
}

bool
virtqueue_enable_intr(struct virtqueue *vq)
{
	if (vq->vq_broken)
		return false;
	vq->vq_intr_on = true;
	if (vq->vq_flags & VQ_F_EVENT_IDX)
		wr16(&vring_used_event(&vq->vq_ring), vq->vq_last_used);
	else
		wr16(&vq->vq_ring.avail->flags, 0);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return rd16(&vq->vq_ring.used->idx) != vq->vq_last_used;
}

void
virtqueue_disable_intr(struct virtqueue *vq)
{
	vq->vq_intr_on = false;
	if ((vq->vq_flags & VQ_F_EVENT_IDX) == 0)
		wr16(&vq->vq_ring.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
}

void
virtqueue_drain(struct virtqueue *vq, void (*fn)(void *cookie, void *arg), void *arg)
{
	for (unsigned i = 0; i < vq->vq_size; i++) {
		struct vq_entry *e = &vq->vq_ent[i];

		if (!e->ve_posted)
			continue;
		free_indirect(vq, e);
		if (fn != NULL)
			fn(e->ve_cookie, arg);
	}
	vq_reset_state(vq);
}
