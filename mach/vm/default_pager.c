/*
 * default_pager.c — the default pager: backing store for anonymous memory (Mach 3.0
 * default_pager, in kernel as in XNU 10.1), over a swap device when there is one and in memory
 * when there is none.
 *
 * The one idea: the pager keeps, per object, one entry per page of the object: empty (never
 * paged out: data_request answers ABSENT and the VM zero-fills or looks below), "zero" (a page
 * of zeros costs nothing to keep), a kalloc'd copy (no swap device: compressed with
 * vm_compress.c when that saves a quarter or more, as is), or a slot on the swap device
 * (swap_slots.c), written with io_media_write and read back with io_media_read. A slot
 * stays with its page after a page-in, so a page that comes back clean is freed without a
 * write; one that comes back dirty is written to the same slot; slots go when the object dies.
 *
 * The swap device is the IOMedia named by `swap=` on the command line (swap=vdb, /dev/vdb or
 * vda2: the BSD name) or, without that key, the first partition with the Linux swap type (GPT
 * 0657FD6D-A4AB-43C4-84E5-0933C84B4F4F, MBR 0x82). Media appear after matching, so the pager
 * looks for it when it first needs to write, and again at most once a second until found.
 * swapon(2) names one instead (default_pager_swapon: it must carry mkswap's signature), and
 * swapoff(2) detaches it after bringing every page on it back into memory (pager copies).
 * Slot i is at byte (i + 1) * PAGE_SIZE: the first page (a Linux swap header) is left alone.
 *
 * A data_return carries a cluster of adjacent pages (up to DP_RETURN_PAGES, gathered by the
 * pageout scan); each run of consecutive slots among them is one io_media_write.
 * XXX: a slot is freed only when its object dies (not when part of the range is deallocated);
 * one swap device at a time.
 */
#include <arch/x86_64/timer.h>
#include <mach/kern/clock.h>
#include <cmdline.h>
#include <console.h>
#include <iokit/io_media.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/locks.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/vm_compress.h>
#include <mach/vm/swap_slots.h>
#include <mach/vm/vm_object.h>
#include <mach/vm/vm_param.h>

/*
 * Entries: 0 empty; DP_ZERO; a kalloc'd page (a pointer: 8-byte aligned, so the low bits are
 * 0); a kalloc'd compressed page (struct dp_cpage pointer | DP_CMEM); a swap slot
 * ((slot << 2) | DP_SWAP).
 */
#define DP_EMPTY	0u
#define DP_SWAP		1u
#define DP_ZERO		2u
#define DP_CMEM		3u
#define DP_IS_MEM(e)	((e) != DP_EMPTY && ((e) & 3u) == 0)
#define DP_IS_CMEM(e)	(((e) & 3u) == DP_CMEM)
#define DP_CPAGE(e)	((struct dp_cpage *)((e) & ~(uintptr_t)3u))

/* A page kept compressed in memory: dc_len bytes of vm_compress output. */
struct dp_cpage {
	uint16_t dc_len;
	uint8_t dc_data[];
};
/* Compressed only when it saves at least a quarter of the page (else kept as it is). */
#define DP_CMEM_MAX	(PAGE_SIZE * 3 / 4)
#define DP_IS_SWAP(e)	(((e) & 3u) == DP_SWAP)
#define DP_SLOT(e)	((uint64_t)(e) >> 2)

#define DP_CLUSTER_PAGES 8
#define DP_RETURN_PAGES	 16 /* most pages one data_return takes (a page-out cluster) */
#define DP_SWAP_RETRY_NS (1000 * 1000 * 1000ULL)

/* Entries come in page-sized chunks, made when first written: no large allocation. */
#define DP_CHUNK (PAGE_SIZE / sizeof(uintptr_t))

struct default_pager {
	struct memory_object dp_mo; /* first: a memory_object_t is a struct default_pager * */
	uint64_t dp_npages;
	uint64_t dp_nchunks;
	uintptr_t **dp_dir;	    /* dp_nchunks chunks (NULL: all empty), or NULL until used */
	/* On dp_swap.ds_pagers from its first entry on (ds_lock), for swapoff to walk. */
	struct default_pager *dp_next, **dp_prevp;
};

uint64_t default_pager_pages, default_pager_bytes, default_pager_compressed;
static uint8_t dp_cbuf[DP_CMEM_MAX]; /* compression scratch; ds_lock held */

/* The swap device: found once, kept (its nub stays retained) for the life of the kernel. */
static struct {
	lck_mtx_t ds_lock; /* the slot map and every pager's entries; never held over I/O */
	bool ds_lock_ready;
	struct io_media *ds_media;
	struct swap_slots ds_slots;
	uint64_t ds_next_look; /* clock_uptime_ns after which to look for the device again */
	struct default_pager *ds_pagers; /* pagers that hold entries */
	uint32_t ds_inflight;	/* swap reads and writes under way without ds_lock */
	bool ds_draining;	/* swapoff: no new slots, pages go to memory */
	uint64_t ds_pageouts, ds_pageins, ds_errors, ds_full;
	uint64_t ds_writes; /* page-out I/Os (a run of consecutive slots each) */
} dp_swap;

static struct default_pager *
dp_from(memory_object_t mo)
{
	return (struct default_pager *)mo;
}

static void
dp_lock(void)
{
	/* The first pager is made from the pageout path, long after threads exist. */
	if (!__atomic_load_n(&dp_swap.ds_lock_ready, __ATOMIC_ACQUIRE)) {
		static lck_spin_t once = LCK_SPIN_INITIALIZER;
		bool st = lck_spin_lock_irqsave(&once);

		if (!dp_swap.ds_lock_ready) {
			lck_mtx_init(&dp_swap.ds_lock, "default_pager");
			__atomic_store_n(&dp_swap.ds_lock_ready, true, __ATOMIC_RELEASE);
		}
		lck_spin_unlock_irqrestore(&once, st);
	}
	lck_mtx_lock(&dp_swap.ds_lock);
}

static void
dp_unlock(void)
{
	lck_mtx_unlock(&dp_swap.ds_lock);
}

/*
 * Finding the swap device.
 */

static bool
dp_text_eq_nocase(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char x = (*a >= 'a' && *a <= 'z') ? (char)(*a - 32) : *a;
		char y = (*b >= 'a' && *b <= 'z') ? (char)(*b - 32) : *b;

		if (x != y)
			return false;
	}
	return *a == *b;
}

struct dp_find {
	const char *df_name; /* swap= without /dev/, or NULL: by partition type */
	struct io_service *df_found;
};

static void
dp_find_one(struct io_service *s, unsigned depth, void *arg)
{
	struct dp_find *f = arg;
	struct io_media *m = io_media_from_service(s);
	const char *content;

	(void)depth;
	if (m == NULL || f->df_found != NULL)
		return;
	if (f->df_name != NULL) {
		if (strcmp(m->im_bsd_name, f->df_name) != 0)
			return;
	} else {
		content = os_dict_get_string(io_service_props(s), kIOMediaContentKey);
		if (content == NULL ||
		    (!dp_text_eq_nocase(content, "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F") &&
		     !dp_text_eq_nocase(content, "0x82")))
			return;
	}
	io_service_retain(s);
	f->df_found = s;
}

/* Attach m as the swap device. ds_lock held. */
static bool
dp_swap_attach(struct io_media *m)
{
	uint64_t nslots;
	uint64_t *map;

	if (!m->im_writable || m->im_size < 2 * PAGE_SIZE || PAGE_SIZE % m->im_blksize != 0) {
		klog(LOG_ERR, "default_pager: %s cannot hold swap (%s, %llu bytes, block %u)\n",
		     m->im_bsd_name, m->im_writable ? "writable" : "read-only",
		     (unsigned long long)m->im_size, m->im_blksize);
		return false;
	}
	nslots = m->im_size / PAGE_SIZE - 1;
	if (swap_slots_map_bytes(nslots) > KALLOC_MAX_SIZE)
		nslots = (KALLOC_MAX_SIZE / sizeof(uint64_t)) * 64;
	if ((map = kalloc(swap_slots_map_bytes(nslots))) == NULL) {
		klog(LOG_ERR, "default_pager: no memory for the slot map of %s\n", m->im_bsd_name);
		return false;
	}
	swap_slots_init(&dp_swap.ds_slots, map, nslots);
	__atomic_store_n(&dp_swap.ds_media, m, __ATOMIC_RELEASE);
	printf("default_pager: swap on %s, %llu pages\n", m->im_bsd_name,
	       (unsigned long long)nslots);
	return true;
}

/* Look for the swap device when it is time to. ds_lock held. */
static void
dp_swap_look(void)
{
	const char *name = cmdline_get(&boot_cmdline, "swap");
	struct dp_find f = { NULL, NULL };
	uint64_t now = clock_uptime_ns();

	if (dp_swap.ds_media != NULL || now < dp_swap.ds_next_look)
		return;
	dp_swap.ds_next_look = now + DP_SWAP_RETRY_NS;
	if (name != NULL) {
		if (strncmp(name, "/dev/", 5) == 0)
			name += 5;
		if (strcmp(name, "none") == 0)
			return;
		f.df_name = name;
	}
	io_registry_walk(io_registry_root(), dp_find_one, &f);
	if (f.df_found == NULL)
		return;
	if (!dp_swap_attach(io_media_from_service(f.df_found))) {
		io_service_release(f.df_found);
		dp_swap.ds_next_look = UINT64_MAX; /* it will not get better */
	}
}

bool
default_pager_has_swap(void)
{
	if (__atomic_load_n(&dp_swap.ds_media, __ATOMIC_ACQUIRE) != NULL)
		return true;
	if (clock_uptime_ns() < __atomic_load_n(&dp_swap.ds_next_look, __ATOMIC_RELAXED))
		return false;
	dp_lock();
	dp_swap_look();
	dp_unlock();
	return dp_swap.ds_media != NULL;
}

static uint64_t
dp_slot_offset(uint64_t slot)
{
	return (slot + 1) * PAGE_SIZE;
}

/* Forget entry e (its memory or its slot). ds_lock held. */
static void
dp_entry_drop(uintptr_t e)
{
	if (DP_IS_MEM(e)) {
		kfree((void *)e, PAGE_SIZE);
		default_pager_bytes -= PAGE_SIZE;
	} else if (DP_IS_CMEM(e)) {
		size_t sz = sizeof(struct dp_cpage) + DP_CPAGE(e)->dc_len;

		kfree(DP_CPAGE(e), sz);
		default_pager_bytes -= sz;
		default_pager_compressed--;
	} else if (DP_IS_SWAP(e) && !swap_slots_free(&dp_swap.ds_slots, DP_SLOT(e))) {
		klog(LOG_ERR, "default_pager: slot %llu freed twice\n",
		     (unsigned long long)DP_SLOT(e));
	}
}

/*
 * The entry of page i: its address, or NULL when it was never written and create is false (or
 * memory is short). ds_lock held; i < dp_npages.
 */
static uintptr_t *
dp_entry(struct default_pager *dp, uint64_t i, bool create)
{
	uint64_t c = i / DP_CHUNK;

	if (dp->dp_dir == NULL) {
		if (!create)
			return NULL;
		dp->dp_nchunks = (dp->dp_npages + DP_CHUNK - 1) / DP_CHUNK;
		if (dp->dp_nchunks * sizeof(uintptr_t *) > KALLOC_MAX_SIZE) {
			klog(LOG_WARNING, "default_pager: object of %llu pages is too large\n",
			     (unsigned long long)dp->dp_npages);
			return NULL;
		}
		if ((dp->dp_dir = kalloc_zero(dp->dp_nchunks * sizeof(uintptr_t *))) == NULL)
			return NULL;
		dp->dp_next = dp_swap.ds_pagers;
		if (dp->dp_next != NULL)
			dp->dp_next->dp_prevp = &dp->dp_next;
		dp->dp_prevp = &dp_swap.ds_pagers;
		dp_swap.ds_pagers = dp;
	}
	if (dp->dp_dir[c] == NULL) {
		if (!create || (dp->dp_dir[c] = kalloc_zero(PAGE_SIZE)) == NULL)
			return NULL;
	}
	return &dp->dp_dir[c][i % DP_CHUNK];
}

/*
 * The pager's operations.
 */

static kern_return_t
dp_data_request(memory_object_t mo, vm_object_offset_t offset, vm_size_t length,
		vm_prot_t access, void *dst)
{
	struct default_pager *dp = dp_from(mo);
	uint64_t first = atop(offset), n = atop(length);
	uintptr_t e[DP_CLUSTER_PAGES];
	kern_return_t kr = KERN_SUCCESS;
	bool swapio = false;

	(void)access;
	if ((length & PAGE_MASK) != 0 || (offset & PAGE_MASK) != 0 || n == 0 ||
	    n > DP_CLUSTER_PAGES)
		return KERN_INVALID_ARGUMENT;
	/* Entries cannot change under us: the pages are busy (not resident to be returned). */
	dp_lock();
	for (uint64_t i = 0; i < n; i++) {
		uintptr_t *ep = first + i < dp->dp_npages ? dp_entry(dp, first + i, false) : NULL;

		if (ep == NULL || (e[i] = *ep) == DP_EMPTY) {
			dp_unlock();
			return MEMORY_OBJECT_ABSENT;
		}
		swapio |= DP_IS_SWAP(e[i]);
	}
	if (swapio)
		dp_swap.ds_inflight++; /* swapoff waits for the read */
	dp_unlock();
	for (uint64_t i = 0; i < n && kr == KERN_SUCCESS; i++) {
		char *to = (char *)dst + ptoa(i);

		if (e[i] == DP_ZERO) {
			memset(to, 0, PAGE_SIZE);
		} else if (DP_IS_MEM(e[i])) {
			memcpy(to, (void *)e[i], PAGE_SIZE);
		} else if (DP_IS_CMEM(e[i])) {
			const struct dp_cpage *cp = DP_CPAGE(e[i]);

			if (vmc_decompress(cp->dc_data, cp->dc_len, (uint8_t *)to, PAGE_SIZE) != 0) {
				klog(LOG_ERR, "default_pager: a compressed page (%u bytes) does not "
					      "decompress; its data is lost\n", cp->dc_len);
				return KERN_MEMORY_ERROR;
			}
		} else {
			/* One read for a run of consecutive slots. */
			uint64_t run = 1;

			while (i + run < n && DP_IS_SWAP(e[i + run]) &&
			       DP_SLOT(e[i + run]) == DP_SLOT(e[i]) + run)
				run++;
			kr = io_media_read(dp_swap.ds_media, dp_slot_offset(DP_SLOT(e[i])), to,
					   ptoa(run));
			if (kr != KERN_SUCCESS) {
				klog(LOG_ERR, "default_pager: read of slot %llu failed (%d)\n",
				     (unsigned long long)DP_SLOT(e[i]), kr);
				__atomic_fetch_add(&dp_swap.ds_errors, 1, __ATOMIC_RELAXED);
				kr = KERN_MEMORY_ERROR;
				break;
			}
			__atomic_fetch_add(&dp_swap.ds_pageins, run, __ATOMIC_RELAXED);
			i += run - 1;
		}
	}
	if (swapio) {
		dp_lock();
		dp_swap.ds_inflight--;
		dp_unlock();
	}
	return kr;
}

static bool
dp_page_is_zero(const void *src)
{
	const uint64_t *w = src;

	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		if (w[i] != 0)
			return false;
	return true;
}

/*
 * Where the page's data goes: a zero entry, the page's own slot (reused), a new slot, or (no
 * swap device) a kalloc'd copy, compressed when that saves a quarter. ds_lock held. Returns the
 * new entry, or DP_EMPTY when there is no room (logged).
 */
static uintptr_t
dp_place(uintptr_t old, const void *src)
{
	struct dp_cpage *cp;
	uint64_t slot;
	size_t clen;
	void *buf;

	if (dp_page_is_zero(src))
		return DP_ZERO;
	dp_swap_look();
	if (dp_swap.ds_media != NULL && !dp_swap.ds_draining) {
		if (DP_IS_SWAP(old))
			return old;
		if ((slot = swap_slots_alloc(&dp_swap.ds_slots)) == SWAP_SLOT_NONE) {
			if (dp_swap.ds_full++ == 0)
				klog(LOG_WARNING, "default_pager: swap device %s is full\n",
				     dp_swap.ds_media->im_bsd_name);
			return DP_EMPTY;
		}
		return ((uintptr_t)slot << 2) | DP_SWAP;
	}
	clen = vmc_compress(src, PAGE_SIZE, dp_cbuf, sizeof(dp_cbuf));
	if (clen != 0 && (cp = kalloc(sizeof(*cp) + clen)) != NULL) {
		cp->dc_len = (uint16_t)clen;
		memcpy(cp->dc_data, dp_cbuf, clen);
		default_pager_bytes += sizeof(*cp) + clen;
		default_pager_compressed++;
		return (uintptr_t)cp | DP_CMEM;
	}
	if ((buf = kalloc(PAGE_SIZE)) == NULL)
		return DP_EMPTY;
	memcpy(buf, src, PAGE_SIZE);
	default_pager_bytes += PAGE_SIZE;
	return (uintptr_t)buf;
}

/*
 * Undo entry *ep after its write failed: the slot now holds neither the old data nor the new,
 * so forget both. ds_lock held.
 */
static void
dp_return_failed(struct default_pager *dp, uintptr_t *ep, uintptr_t old, uintptr_t e)
{
	(void)dp;
	dp_entry_drop(e);
	if (old != e)
		dp_entry_drop(old);
	if (old != DP_EMPTY)
		default_pager_pages--;
	*ep = DP_EMPTY;
}

/*
 * Keep the n pages at src (a cluster the pageout path gathered: consecutive offsets of one
 * object): place each (zero, its old slot, a new slot, or memory), then write each run of
 * consecutive slots with one I/O. New slots come from the rotor one after the other, so a
 * cluster paged out for the first time is usually one write.
 */
static kern_return_t
dp_data_return(memory_object_t mo, vm_object_offset_t offset, const void *src, vm_size_t length)
{
	struct default_pager *dp = dp_from(mo);
	uint64_t first = atop(offset), n = atop(length);
	uintptr_t old[DP_RETURN_PAGES], e[DP_RETURN_PAGES], *ep[DP_RETURN_PAGES];
	kern_return_t kr = KERN_SUCCESS;
	uint64_t placed = 0;
	bool writes = false;

	if ((length & PAGE_MASK) != 0 || (offset & PAGE_MASK) != 0 || n == 0 ||
	    n > DP_RETURN_PAGES || first >= dp->dp_npages || n > dp->dp_npages - first)
		return KERN_INVALID_ARGUMENT;
	dp_lock();
	for (; placed < n; placed++) {
		if ((ep[placed] = dp_entry(dp, first + placed, true)) == NULL)
			break;
		old[placed] = *ep[placed];
		if ((e[placed] = dp_place(old[placed], (const char *)src + ptoa(placed))) ==
		    DP_EMPTY)
			break;
	}
	if (placed < n) {
		/* No room for all: give back the new slots taken, keep what was there. */
		for (uint64_t i = 0; i < placed; i++)
			if (e[i] != old[i])
				dp_entry_drop(e[i]);
		dp_unlock();
		return KERN_RESOURCE_SHORTAGE;
	}
	for (uint64_t i = 0; i < n; i++)
		writes |= DP_IS_SWAP(e[i]);
	if (writes)
		dp_swap.ds_inflight++; /* swapoff waits for the writes */
	dp_unlock();
	/* The pages are busy: nobody reads or returns these entries meanwhile. */
	for (uint64_t i = 0; i < n; i++) {
		uint64_t run = 1;
		kern_return_t wr;

		if (!DP_IS_SWAP(e[i]))
			continue;
		while (i + run < n && DP_IS_SWAP(e[i + run]) &&
		       DP_SLOT(e[i + run]) == DP_SLOT(e[i]) + run)
			run++;
		wr = io_media_write(dp_swap.ds_media, dp_slot_offset(DP_SLOT(e[i])),
				    (const char *)src + ptoa(i), ptoa(run));
		if (wr == KERN_SUCCESS) {
			__atomic_fetch_add(&dp_swap.ds_pageouts, run, __ATOMIC_RELAXED);
			__atomic_fetch_add(&dp_swap.ds_writes, 1, __ATOMIC_RELAXED);
		} else {
			klog(LOG_ERR, "default_pager: write of slots %llu-%llu failed (%d)\n",
			     (unsigned long long)DP_SLOT(e[i]),
			     (unsigned long long)DP_SLOT(e[i]) + run - 1, wr);
			__atomic_fetch_add(&dp_swap.ds_errors, 1, __ATOMIC_RELAXED);
			dp_lock();
			for (uint64_t k = i; k < i + run; k++) {
				dp_return_failed(dp, ep[k], old[k], e[k]);
				e[k] = DP_EMPTY; /* done with: not installed below */
			}
			dp_unlock();
			kr = KERN_FAILURE;
		}
		i += run - 1;
	}
	dp_lock();
	if (writes)
		dp_swap.ds_inflight--;
	for (uint64_t i = 0; i < n; i++) {
		uintptr_t cur;

		if (e[i] == DP_EMPTY)
			continue;
		/* The entry is still old, unless a swapoff brought old's slot into memory
		 * meanwhile (it cannot have touched it while a write of ours was in flight). */
		cur = *ep[i];
		if (cur != e[i])
			dp_entry_drop(cur);
		if (cur == DP_EMPTY)
			default_pager_pages++;
		*ep[i] = e[i];
	}
	dp_unlock();
	return kr;
}

static void
dp_terminate(memory_object_t mo)
{
	struct default_pager *dp = dp_from(mo);

	dp_lock();
	if (dp->dp_prevp != NULL) {
		*dp->dp_prevp = dp->dp_next;
		if (dp->dp_next != NULL)
			dp->dp_next->dp_prevp = dp->dp_prevp;
	}
	for (uint64_t c = 0; dp->dp_dir != NULL && c < dp->dp_nchunks; c++) {
		if (dp->dp_dir[c] == NULL)
			continue;
		for (uint64_t k = 0; k < DP_CHUNK; k++) {
			if (dp->dp_dir[c][k] == DP_EMPTY)
				continue;
			dp_entry_drop(dp->dp_dir[c][k]);
			default_pager_pages--;
		}
		kfree(dp->dp_dir[c], PAGE_SIZE);
	}
	dp_unlock();
	if (dp->dp_dir != NULL)
		kfree(dp->dp_dir, dp->dp_nchunks * sizeof(uintptr_t *));
	kfree(dp, sizeof(*dp));
}

static const struct memory_object_pager_ops default_pager_ops = {
	.mop_name = "default",
	.mop_cluster_pages = DP_CLUSTER_PAGES,
	.mop_return_cluster_pages = DP_RETURN_PAGES,
	.mop_data_request = dp_data_request,
	.mop_data_return = dp_data_return,
	.mop_terminate = dp_terminate,
};

memory_object_t
default_pager_create(struct vm_object *object)
{
	struct default_pager *dp = kalloc_zero(sizeof(*dp));

	if (dp == NULL)
		return NULL;
	dp->dp_mo.mo_ops = &default_pager_ops;
	dp->dp_npages = atop(object->vo_size);
	memory_object_init(&dp->dp_mo, object, PAGE_SIZE);
	return &dp->dp_mo;
}

/*
 * A Linux swap signature (mkswap, version 1): "SWAPSPACE2" in the last 10 bytes of the first
 * 4 KiB. The rest of the header (version, last page, bad pages) is not used: the slots cover
 * the whole device after its first page.
 */
static bool
dp_swap_signature(struct io_media *m)
{
	char *page = kalloc(PAGE_SIZE);
	bool ok;

	if (page == NULL)
		return false;
	ok = m->im_size >= PAGE_SIZE && io_media_read(m, 0, page, PAGE_SIZE) == KERN_SUCCESS &&
	     memcmp(page + PAGE_SIZE - 10, "SWAPSPACE2", 10) == 0;
	kfree(page, PAGE_SIZE);
	return ok;
}

kern_return_t
default_pager_swapon(struct io_media *m)
{
	kern_return_t kr = KERN_SUCCESS;

	if (!dp_swap_signature(m)) {
		klog(LOG_WARNING, "default_pager: %s has no swap signature (mkswap)\n",
		     m->im_bsd_name);
		return KERN_INVALID_ARGUMENT;
	}
	dp_lock();
	if (dp_swap.ds_media != NULL) {
		kr = KERN_NO_SPACE; /* one swap device */
	} else {
		io_service_retain(m->im_service);
		if (!dp_swap_attach(m)) {
			io_service_release(m->im_service);
			kr = KERN_INVALID_ARGUMENT;
		}
	}
	dp_unlock();
	return kr;
}

/*
 * Bring every page on the swap device into memory (swapoff). ds_lock held, ds_draining set and
 * no swap I/O in flight, so no entry can change and no slot be taken meanwhile: the reads are
 * made with ds_lock held, which stalls the pager for the time (swapoff is rare).
 * Returns KERN_SUCCESS, or KERN_RESOURCE_SHORTAGE / the read error (the rest stays on swap);
 * *moved counts the pages brought in.
 */
static kern_return_t
dp_swap_drain(uint64_t *moved)
{
	for (struct default_pager *dp = dp_swap.ds_pagers; dp != NULL; dp = dp->dp_next) {
		for (uint64_t c = 0; dp->dp_dir != NULL && c < dp->dp_nchunks; c++) {
			for (uint64_t k = 0; dp->dp_dir[c] != NULL && k < DP_CHUNK; k++) {
				uintptr_t e = dp->dp_dir[c][k];
				kern_return_t kr;
				void *buf;

				if (!DP_IS_SWAP(e))
					continue;
				if ((buf = kalloc(PAGE_SIZE)) == NULL)
					return KERN_RESOURCE_SHORTAGE;
				kr = io_media_read(dp_swap.ds_media, dp_slot_offset(DP_SLOT(e)), buf,
						   PAGE_SIZE);
				if (kr != KERN_SUCCESS) {
					kfree(buf, PAGE_SIZE);
					return kr;
				}
				dp_entry_drop(e);
				default_pager_bytes += PAGE_SIZE;
				dp->dp_dir[c][k] = (uintptr_t)buf;
				(*moved)++;
			}
		}
	}
	return KERN_SUCCESS;
}

kern_return_t
default_pager_swapoff(struct io_media *m)
{
	kern_return_t kr = KERN_SUCCESS;
	uint64_t used, moved = 0;
	int waits = 0;

	dp_lock();
	if (dp_swap.ds_media != m || dp_swap.ds_draining) {
		dp_unlock();
		return KERN_INVALID_ARGUMENT;
	}
	dp_swap.ds_draining = true; /* page-outs go to memory from now on */
	while (dp_swap.ds_inflight != 0 && waits++ < 1000) {
		dp_unlock();
		delay(1000);
		dp_lock();
	}
	if (dp_swap.ds_inflight != 0)
		kr = KERN_FAILURE; /* page-ins keep it busy: try again later */
	else
		kr = dp_swap_drain(&moved);
	used = dp_swap.ds_slots.ss_nslots - dp_swap.ds_slots.ss_free;
	if (kr == KERN_SUCCESS && used != 0) {
		klog(LOG_ERR, "default_pager: %llu slots of %s in use but no page on them\n",
		     (unsigned long long)used, m->im_bsd_name);
		kr = KERN_FAILURE;
	}
	if (kr == KERN_SUCCESS) {
		kfree(dp_swap.ds_slots.ss_map, swap_slots_map_bytes(dp_swap.ds_slots.ss_nslots));
		memset(&dp_swap.ds_slots, 0, sizeof(dp_swap.ds_slots));
		__atomic_store_n(&dp_swap.ds_media, NULL, __ATOMIC_RELEASE);
		dp_swap.ds_next_look = UINT64_MAX; /* not looked for again: swapon brings one */
		printf("default_pager: swap off %s, %llu pages brought back\n", m->im_bsd_name,
		       (unsigned long long)moved);
	} else {
		klog(LOG_WARNING, "default_pager: swapoff %s failed (%d): %llu pages stay on it\n",
		     m->im_bsd_name, kr, (unsigned long long)used);
	}
	dp_swap.ds_draining = false;
	dp_unlock();
	if (kr == KERN_SUCCESS)
		io_service_release(m->im_service);
	return kr;
}

void
default_pager_swap_stats(struct default_pager_swap_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (__atomic_load_n(&dp_swap.ds_media, __ATOMIC_ACQUIRE) == NULL)
		return;
	s->dss_slots = dp_swap.ds_slots.ss_nslots;
	s->dss_used = dp_swap.ds_slots.ss_nslots - dp_swap.ds_slots.ss_free;
	s->dss_pageouts = __atomic_load_n(&dp_swap.ds_pageouts, __ATOMIC_RELAXED);
	s->dss_pageins = __atomic_load_n(&dp_swap.ds_pageins, __ATOMIC_RELAXED);
	s->dss_errors = __atomic_load_n(&dp_swap.ds_errors, __ATOMIC_RELAXED);
	s->dss_full = __atomic_load_n(&dp_swap.ds_full, __ATOMIC_RELAXED);
	s->dss_writes = __atomic_load_n(&dp_swap.ds_writes, __ATOMIC_RELAXED);
}

void
default_pager_print_stats(void)
{
	struct default_pager_swap_stats s;

	(void)default_pager_has_swap(); /* look for the device, if it is time to */
	default_pager_swap_stats(&s);
	printf("default pager: %llu pages held, %llu KiB in memory (%llu pages compressed)\n",
	       (unsigned long long)default_pager_pages,
	       (unsigned long long)(default_pager_bytes >> 10),
	       (unsigned long long)default_pager_compressed);
	if (dp_swap.ds_media == NULL) {
		printf("swap: none\n");
		return;
	}
	printf("swap: %s, %llu of %llu slots used, %llu page-outs in %llu writes, %llu page-ins, "
	       "%llu errors, %llu times full\n", dp_swap.ds_media->im_bsd_name,
	       (unsigned long long)s.dss_used, (unsigned long long)s.dss_slots,
	       (unsigned long long)s.dss_pageouts, (unsigned long long)s.dss_writes,
	       (unsigned long long)s.dss_pageins, (unsigned long long)s.dss_errors,
	       (unsigned long long)s.dss_full);
}
