/*
 * vfs_cache.c — the name cache: (directory vnode, name) → vnode, or "does not exist"
 * (4.4BSD kern/vfs_cache.c). Portable (vnodes are opaque pointers here): unit-tested on the
 * host.
 *
 * The one idea: a fixed pool of entries, hashed by (directory, name) and kept on one LRU list;
 * a new entry takes the least recently used one. Entries hold no references (namei.h says why
 * that is safe); the cache forgets a name when it is removed or renamed and forgets a vnode
 * when it is recycled.
 */
#include <bsd/sys/namei.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/locks.h>

struct nc_entry {
	struct nc_entry *nce_hnext;		/* hash chain */
	struct nc_entry *nce_lnext, *nce_lprev; /* LRU list: head is the oldest */
	void *nce_dvp;				/* NULL: a free entry */
	void *nce_vp;				/* NULL: a negative entry */
	uint8_t nce_len;
	char nce_name[NC_NAMELEN];
};

static lck_spin_t nc_lock;
static struct nc_entry *nc_pool;
static struct nc_entry **nc_hash;
static unsigned nc_nentries, nc_hmask;
static struct nc_entry *nc_lru_head, *nc_lru_tail;
struct nc_stats nc_stats;

static unsigned
nc_hashfn(const void *dvp, const char *name, size_t len)
{
	uint64_t h = (uint64_t)(uintptr_t)dvp * 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 0x100000001b3ull; /* FNV-1a over the name */
	return (unsigned)(h ^ (h >> 29)) & nc_hmask;
}

static void
nc_lru_unlink(struct nc_entry *e)
{
	if (e->nce_lprev != NULL)
		e->nce_lprev->nce_lnext = e->nce_lnext;
	else
		nc_lru_head = e->nce_lnext;
	if (e->nce_lnext != NULL)
		e->nce_lnext->nce_lprev = e->nce_lprev;
	else
		nc_lru_tail = e->nce_lprev;
	e->nce_lnext = e->nce_lprev = NULL;
}

static void
nc_lru_append(struct nc_entry *e)
{
	e->nce_lprev = nc_lru_tail;
	e->nce_lnext = NULL;
	if (nc_lru_tail != NULL)
		nc_lru_tail->nce_lnext = e;
	else
		nc_lru_head = e;
	nc_lru_tail = e;
}

static void
nc_lru_prepend(struct nc_entry *e)
{
	e->nce_lnext = nc_lru_head;
	e->nce_lprev = NULL;
	if (nc_lru_head != NULL)
		nc_lru_head->nce_lprev = e;
	else
		nc_lru_tail = e;
	nc_lru_head = e;
}

/* Take e off its hash chain and make it free (it stays on the LRU list, at the head). */
static void
nc_unhash(struct nc_entry *e)
{
	struct nc_entry **pp = &nc_hash[nc_hashfn(e->nce_dvp, e->nce_name, e->nce_len)];

	for (; *pp != NULL; pp = &(*pp)->nce_hnext) {
		if (*pp == e) {
			*pp = e->nce_hnext;
			break;
		}
	}
	e->nce_hnext = NULL;
	e->nce_dvp = e->nce_vp = NULL;
	nc_lru_unlink(e);
	nc_lru_prepend(e); /* free entries go to the head: they are reused first */
	nc_stats.ncs_purges++;
}

static struct nc_entry *
nc_find(void *dvp, const char *name, size_t len)
{
	for (struct nc_entry *e = nc_hash[nc_hashfn(dvp, name, len)]; e != NULL;
	     e = e->nce_hnext)
		if (e->nce_dvp == dvp && e->nce_len == len && memcmp(e->nce_name, name, len) == 0)
			return e;
	return NULL;
}

int
nc_init(unsigned nentries)
{
	if (nentries == 0 || (nentries & (nentries - 1)) != 0)
		return EINVAL;
	nc_pool = kalloc_zero(nentries * sizeof(*nc_pool));
	nc_hash = kalloc_zero(nentries * sizeof(*nc_hash));
	if (nc_pool == NULL || nc_hash == NULL) {
		if (nc_pool != NULL)
			kfree(nc_pool, nentries * sizeof(*nc_pool));
		if (nc_hash != NULL)
			kfree(nc_hash, nentries * sizeof(*nc_hash));
		nc_pool = NULL;
		nc_hash = NULL;
		return ENOMEM;
	}
	lck_spin_init(&nc_lock);
	nc_nentries = nentries;
	nc_hmask = nentries - 1;
	nc_lru_head = nc_lru_tail = NULL;
	for (unsigned i = 0; i < nentries; i++)
		nc_lru_append(&nc_pool[i]);
	memset(&nc_stats, 0, sizeof(nc_stats));
	return 0;
}

enum nc_result
nc_lookup(void *dvp, const char *name, size_t len, bool (*tryref)(void *vp), void **vpp)
{
	enum nc_result r = NC_MISS;
	struct nc_entry *e;
	bool st;

	*vpp = NULL;
	if (nc_pool == NULL || len > NC_NAMELEN)
		return NC_MISS;
	st = lck_spin_lock_irqsave(&nc_lock);
	e = nc_find(dvp, name, len);
	if (e != NULL && e->nce_vp == NULL) {
		r = NC_NEGATIVE;
	} else if (e != NULL && tryref(e->nce_vp)) {
		*vpp = e->nce_vp;
		r = NC_HIT;
	}
	if (r != NC_MISS) {
		nc_lru_unlink(e);
		nc_lru_append(e);
	}
	if (r == NC_HIT)
		nc_stats.ncs_hits++;
	else if (r == NC_NEGATIVE)
		nc_stats.ncs_neghits++;
	else
		nc_stats.ncs_misses++;
	lck_spin_unlock_irqrestore(&nc_lock, st);
	return r;
}

void
nc_enter(void *dvp, const char *name, size_t len, void *vp)
{
	struct nc_entry *e;
	bool st;

	if (nc_pool == NULL || len > NC_NAMELEN || len == 0)
		return;
	st = lck_spin_lock_irqsave(&nc_lock);
	if ((e = nc_find(dvp, name, len)) == NULL) {
		e = nc_lru_head; /* a free entry, or the least recently used */
		if (e->nce_dvp != NULL)
			nc_unhash(e);
		e->nce_dvp = dvp;
		e->nce_len = (uint8_t)len;
		memcpy(e->nce_name, name, len);
		unsigned h = nc_hashfn(dvp, name, len);
		e->nce_hnext = nc_hash[h];
		nc_hash[h] = e;
	}
	e->nce_vp = vp;
	nc_lru_unlink(e);
	nc_lru_append(e);
	nc_stats.ncs_enters++;
	lck_spin_unlock_irqrestore(&nc_lock, st);
}

void
nc_remove(void *dvp, const char *name, size_t len)
{
	struct nc_entry *e;
	bool st;

	if (nc_pool == NULL || len > NC_NAMELEN)
		return;
	st = lck_spin_lock_irqsave(&nc_lock);
	if ((e = nc_find(dvp, name, len)) != NULL)
		nc_unhash(e);
	lck_spin_unlock_irqrestore(&nc_lock, st);
}

void
nc_purge(void *vp)
{
	bool st;

	if (nc_pool == NULL || vp == NULL)
		return;
	st = lck_spin_lock_irqsave(&nc_lock);
	for (unsigned i = 0; i < nc_nentries; i++) {
		struct nc_entry *e = &nc_pool[i];

		if (e->nce_dvp != NULL && (e->nce_dvp == vp || e->nce_vp == vp))
			nc_unhash(e);
	}
	lck_spin_unlock_irqrestore(&nc_lock, st);
}

void
nc_purge_all(void)
{
	bool st;

	if (nc_pool == NULL)
		return;
	st = lck_spin_lock_irqsave(&nc_lock);
	for (unsigned i = 0; i < nc_nentries; i++)
		if (nc_pool[i].nce_dvp != NULL)
			nc_unhash(&nc_pool[i]);
	lck_spin_unlock_irqrestore(&nc_lock, st);
}
