/*
 * vfs_vnode.c — the vnode cache: creation, use and hold counts, the LRU list of unused vnodes,
 * and recycling (4.4BSD kern/vfs_subr.c getnewvnode/vrele/vgone; XNU vnode_reclaim).
 *
 * The one idea: an unused vnode is not freed but kept, hashed by (mount, file id) with its
 * cached pages, on an LRU list; only when the cache is over vnode_limit is the least recently
 * used one recycled. Recycling marks it VRECLAIM first, under the list lock, so nobody can take
 * a new use of it; a lookup that finds it waits until the reclaim is done and then creates the
 * vnode afresh (from disk state the reclaim has just written back).
 */
#include <bsd/sys/mount.h>
#include <bsd/sys/namei.h>
#include <bsd/sys/stat.h>
#include <bsd/sys/dirent.h>
#include <bsd/vfs/vfs_ubc.h>
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/thread.h>
#include <mach/kern/zalloc.h>
#include <panic.h>

#define VNODE_HASH 1024

uint32_t vnode_count, vnode_limit = 2048;

static lck_spin_t vnode_list_lock;
static struct vnode *vnode_hash[VNODE_HASH];
static struct vnode *vnode_lru_head, *vnode_lru_tail;
static zone_t vnode_zone;

static unsigned
vnode_hashfn(struct mount *mp, uint64_t fileid)
{
	uint64_t h = ((uint64_t)(uintptr_t)mp >> 4) ^ (fileid * 0x9e3779b97f4a7c15ull);

	return (unsigned)(h ^ (h >> 32)) & (VNODE_HASH - 1);
}

void
vnode_init(void)
{
	lck_spin_init(&vnode_list_lock);
	vnode_zone = zinit(sizeof(struct vnode), 0, 0, "vnodes");
	if (vnode_zone == NULL)
		panic("vnode_init: no vnode zone");
}

static void
lru_remove(vnode_t vp)
{
	if (!(vp->v_flag & VONLRU))
		return;
	if (vp->v_lruprev != NULL)
		vp->v_lruprev->v_lrunext = vp->v_lrunext;
	else
		vnode_lru_head = vp->v_lrunext;
	if (vp->v_lrunext != NULL)
		vp->v_lrunext->v_lruprev = vp->v_lruprev;
	else
		vnode_lru_tail = vp->v_lruprev;
	vp->v_lrunext = vp->v_lruprev = NULL;
	vp->v_flag &= ~VONLRU;
}

static void
lru_append(vnode_t vp)
{
	if (vp->v_flag & VONLRU)
		return;
	vp->v_lruprev = vnode_lru_tail;
	vp->v_lrunext = NULL;
	if (vnode_lru_tail != NULL)
		vnode_lru_tail->v_lrunext = vp;
	else
		vnode_lru_head = vp;
	vnode_lru_tail = vp;
	vp->v_flag |= VONLRU;
}

static void
hash_remove(vnode_t vp)
{
	for (vnode_t *pp = &vnode_hash[vnode_hashfn(vp->v_mount, vp->v_fileid)]; *pp != NULL;
	     pp = &(*pp)->v_hnext) {
		if (*pp == vp) {
			*pp = vp->v_hnext;
			vp->v_hnext = NULL;
			return;
		}
	}
}

/* Find (mp, fileid); on a vnode being reclaimed, sleep until it is gone and look again. */
static vnode_t
hash_find_ref(struct mount *mp, uint64_t fileid, bool *st)
{
	vnode_t vp;

again:
	for (vp = vnode_hash[vnode_hashfn(mp, fileid)]; vp != NULL; vp = vp->v_hnext) {
		if (vp->v_mount != mp || vp->v_fileid != fileid)
			continue;
		if (vp->v_flag & (VRECLAIM | VDEAD)) {
			assert_wait(vp, THREAD_UNINT);
			lck_spin_unlock_irqrestore(&vnode_list_lock, *st);
			thread_block(NULL);
			*st = lck_spin_lock_irqsave(&vnode_list_lock);
			goto again;
		}
		if (vp->v_usecount++ == 0)
			lru_remove(vp);
		return vp;
	}
	return NULL;
}

vnode_t
vnode_get_cached(struct mount *mp, uint64_t fileid)
{
	bool st = lck_spin_lock_irqsave(&vnode_list_lock);
	vnode_t vp = hash_find_ref(mp, fileid, &st);

	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
	return vp;
}

/*
 * Reclaim vp, which is marked VRECLAIM, unhashed from nothing yet and used by nobody: write its
 * pages back and drop them, let the file system free its node, then unhash it and wake those
 * who waited for it. The struct is left for the caller (reuse or free).
 */
static void
vnode_reclaim(vnode_t vp)
{
	bool st;

	nc_purge(vp);
	/* An unlinked file whose last use went while it was held is released now. */
	if (vp->v_op != NULL && vp->v_op->vop_inactive != NULL && !(vp->v_flag & VGONE))
		(void)vp->v_op->vop_inactive(vp);
	ubc_destroy(vp);
	if (vp->v_op != NULL && vp->v_op->vop_reclaim != NULL)
		(void)vp->v_op->vop_reclaim(vp);
	st = lck_spin_lock_irqsave(&vnode_list_lock);
	hash_remove(vp);
	vp->v_flag = VDEAD;
	vp->v_data = NULL;
	vp->v_id++;
	thread_wakeup(vp);
	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
}

/* Take the oldest unused, unheld vnode off the LRU list for recycling. List lock held. */
static vnode_t
lru_take_locked(struct mount *mp)
{
	for (vnode_t vp = vnode_lru_head; vp != NULL; vp = vp->v_lrunext) {
		if (vp->v_usecount != 0 || vp->v_holdcount != 0 || (vp->v_flag & VRECLAIM))
			continue;
		if (mp != NULL && vp->v_mount != mp)
			continue;
		lru_remove(vp);
		vp->v_flag |= VRECLAIM;
		return vp;
	}
	return NULL;
}

/* Reclaim and free one unused vnode (of mp, or of any mount when mp is NULL); false if none. */
static bool
vnode_recycle_one(struct mount *mp)
{
	bool st = lck_spin_lock_irqsave(&vnode_list_lock);
	vnode_t vp = lru_take_locked(mp);

	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
	if (vp == NULL)
		return false;
	vnode_reclaim(vp);
	st = lck_spin_lock_irqsave(&vnode_list_lock);
	vnode_count--;
	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
	zfree(vnode_zone, vp);
	return true;
}

unsigned
vnode_recycle_unused(unsigned n)
{
	unsigned done = 0;

	while (done < n && vnode_recycle_one(NULL))
		done++;
	return done;
}

int
vnode_create(struct mount *mp, uint64_t fileid, const struct vnodeops *ops, void *data,
	     enum vtype type, uint64_t size, vnode_t *vpp, bool *existed)
{
	vnode_t vp = NULL, other;
	uint32_t id = 0;
	bool st;

	*existed = false;
	st = lck_spin_lock_irqsave(&vnode_list_lock);
	if (vnode_count >= vnode_limit)
		vp = lru_take_locked(NULL);
	if (vp == NULL)
		vnode_count++;
	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
	if (vp != NULL) {
		vnode_reclaim(vp);
		id = vp->v_id;
	} else if ((vp = zalloc(vnode_zone)) == NULL) {
		st = lck_spin_lock_irqsave(&vnode_list_lock);
		vnode_count--;
		lck_spin_unlock_irqrestore(&vnode_list_lock, st);
		return ENOMEM;
	}
	memset(vp, 0, sizeof(*vp));
	lck_mtx_init(&vp->v_lock, "vnode");
	vp->v_id = id + 1;
	vp->v_usecount = 1;
	vp->v_mount = mp;
	vp->v_fileid = fileid;
	vp->v_op = ops;
	vp->v_data = data;
	vp->v_type = type;
	if (type == VREG && ubc_info_init(vp, size) != 0) {
		st = lck_spin_lock_irqsave(&vnode_list_lock);
		vnode_count--;
		lck_spin_unlock_irqrestore(&vnode_list_lock, st);
		zfree(vnode_zone, vp);
		return ENOMEM;
	}

	st = lck_spin_lock_irqsave(&vnode_list_lock);
	other = hash_find_ref(mp, fileid, &st);
	if (other == NULL) {
		unsigned h = vnode_hashfn(mp, fileid);

		vp->v_hnext = vnode_hash[h];
		vnode_hash[h] = vp;
	} else {
		vnode_count--;
	}
	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
	if (other != NULL) {
		ubc_destroy(vp);
		zfree(vnode_zone, vp);
		*existed = true;
		*vpp = other;
		return 0;
	}
	*vpp = vp;
	return 0;
}

void
vnode_ref(vnode_t vp)
{
	bool st = lck_spin_lock_irqsave(&vnode_list_lock);

	assert(vp->v_usecount > 0 || (vp->v_flag & VONLRU));
	if (vp->v_usecount++ == 0)
		lru_remove(vp);
	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
}

void
vnode_rele(vnode_t vp)
{
	bool st = lck_spin_lock_irqsave(&vnode_list_lock), gone, held;

	assert(vp->v_usecount > 0);
	if (vp->v_usecount > 1) {
		vp->v_usecount--;
		lck_spin_unlock_irqrestore(&vnode_list_lock, st);
		return;
	}
	held = vp->v_holdcount != 0;
	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
	/*
	 * The last use: the file system may release an unlinked file (it sets VGONE). Not while
	 * it is held (mapped: its pages are still in use); vnode_reclaim asks again then.
	 */
	if (vp->v_op->vop_inactive != NULL && !held)
		(void)vp->v_op->vop_inactive(vp);
	st = lck_spin_lock_irqsave(&vnode_list_lock);
	if (--vp->v_usecount > 0) { /* taken again meanwhile */
		lck_spin_unlock_irqrestore(&vnode_list_lock, st);
		return;
	}
	gone = (vp->v_flag & VGONE) && vp->v_holdcount == 0;
	if (gone)
		vp->v_flag |= VRECLAIM;
	else
		lru_append(vp);
	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
	if (gone) {
		vnode_reclaim(vp);
		st = lck_spin_lock_irqsave(&vnode_list_lock);
		vnode_count--;
		lck_spin_unlock_irqrestore(&vnode_list_lock, st);
		zfree(vnode_zone, vp);
	}
}

void
vnode_set_gone(vnode_t vp)
{
	bool st = lck_spin_lock_irqsave(&vnode_list_lock);

	vp->v_flag |= VGONE;
	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
}

void
vnode_hold(vnode_t vp)
{
	bool st = lck_spin_lock_irqsave(&vnode_list_lock);

	vp->v_holdcount++;
	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
}

void
vnode_drop(vnode_t vp)
{
	bool st = lck_spin_lock_irqsave(&vnode_list_lock);

	assert(vp->v_holdcount > 0);
	vp->v_holdcount--;
	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
}

unsigned
vnode_flush_mount(struct mount *mp, vnode_t skip)
{
	unsigned busy = 0;

	while (vnode_recycle_one(mp))
		;
	bool st = lck_spin_lock_irqsave(&vnode_list_lock);
	for (unsigned h = 0; h < VNODE_HASH; h++)
		for (vnode_t vp = vnode_hash[h]; vp != NULL; vp = vp->v_hnext)
			if (vp->v_mount == mp && vp != skip)
				busy++;
	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
	return busy;
}

/*
 * Reclaim mp's root at unmount: its last use has just been dropped by the caller, who holds
 * the file system busy. Other vnodes are gone (vnode_flush_mount returned 0).
 */
void
vnode_reclaim_root(vnode_t vp)
{
	bool st = lck_spin_lock_irqsave(&vnode_list_lock);

	if (vp->v_usecount != 0 || vp->v_holdcount != 0) {
		lck_spin_unlock_irqrestore(&vnode_list_lock, st);
		return;
	}
	lru_remove(vp);
	vp->v_flag |= VRECLAIM;
	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
	vnode_reclaim(vp);
	st = lck_spin_lock_irqsave(&vnode_list_lock);
	vnode_count--;
	lck_spin_unlock_irqrestore(&vnode_list_lock, st);
	zfree(vnode_zone, vp);
}

/*
 * Take a use on up to cap live vnodes of mp into out. List lock held. Returns how many of mp's
 * vnodes there are (more than cap: the caller gets a bigger array and asks again).
 */
static unsigned
collect_mount_locked(struct mount *mp, vnode_t *out, unsigned cap)
{
	unsigned n = 0;

	for (unsigned h = 0; h < VNODE_HASH; h++) {
		for (vnode_t vp = vnode_hash[h]; vp != NULL; vp = vp->v_hnext) {
			if (vp->v_mount != mp || (vp->v_flag & (VRECLAIM | VDEAD)))
				continue;
			if (n < cap) {
				if (vp->v_usecount++ == 0)
					lru_remove(vp);
				out[n] = vp;
			}
			n++;
		}
	}
	return n;
}

void
vnode_iterate(struct mount *mp, void (*fn)(vnode_t vp, void *arg), void *arg)
{
	unsigned cap = 64, n;
	vnode_t *vps;

	/* fn may sleep: take a use on every vnode under the spin lock, then call it on each. */
	for (;;) {
		bool st;

		if ((vps = kalloc(cap * sizeof(*vps))) == NULL) {
			klog(LOG_ERR, "vnode_iterate: no memory for %u vnodes\n", cap);
			return;
		}
		st = lck_spin_lock_irqsave(&vnode_list_lock);
		n = collect_mount_locked(mp, vps, cap);
		lck_spin_unlock_irqrestore(&vnode_list_lock, st);
		if (n <= cap)
			break;
		for (unsigned i = 0; i < cap; i++)
			vnode_rele(vps[i]);
		kfree(vps, cap * sizeof(*vps));
		cap = n + 64;
	}
	for (unsigned i = 0; i < n; i++) {
		fn(vps[i], arg);
		vnode_rele(vps[i]);
	}
	kfree(vps, cap * sizeof(*vps));
}

enum vtype
vnode_mode_to_vtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return VREG;
	case S_IFDIR: return VDIR;
	case S_IFLNK: return VLNK;
	case S_IFCHR: return VCHR;
	case S_IFBLK: return VBLK;
	case S_IFIFO: return VFIFO;
	case S_IFSOCK: return VSOCK;
	default: return VBAD;
	}
}

unsigned
vnode_vtype_to_dt(enum vtype t)
{
	static const uint8_t dt[] = { [VNON] = DT_UNKNOWN, [VREG] = DT_REG, [VDIR] = DT_DIR,
				      [VBLK] = DT_BLK, [VCHR] = DT_CHR, [VLNK] = DT_LNK,
				      [VSOCK] = DT_SOCK, [VFIFO] = DT_FIFO, [VBAD] = DT_UNKNOWN };

	return (unsigned)t <= VBAD ? dt[t] : DT_UNKNOWN;
}

/* The operations: a missing one answers EOPNOTSUPP. */
int
vnode_op_lookup(vnode_t dvp, const char *name, size_t len, vnode_t *vpp)
{
	if (dvp->v_type != VDIR)
		return ENOTDIR;
	return dvp->v_op->vop_lookup ? dvp->v_op->vop_lookup(dvp, name, len, vpp) : ENOTDIR;
}

int
VOP_GETATTR(vnode_t vp, struct vattr *va)
{
	memset(va, 0, sizeof(*va));
	return vp->v_op->vop_getattr ? vp->v_op->vop_getattr(vp, va) : EOPNOTSUPP;
}

int
VOP_SETATTR(vnode_t vp, struct vattr *va)
{
	return vp->v_op->vop_setattr ? vp->v_op->vop_setattr(vp, va) : EOPNOTSUPP;
}

int
VOP_READ(vnode_t vp, struct uio *uio, int ioflag)
{
	return vp->v_op->vop_read ? vp->v_op->vop_read(vp, uio, ioflag) : EOPNOTSUPP;
}

int
VOP_WRITE(vnode_t vp, struct uio *uio, int ioflag)
{
	return vp->v_op->vop_write ? vp->v_op->vop_write(vp, uio, ioflag) : EOPNOTSUPP;
}

int
VOP_FSYNC(vnode_t vp)
{
	return vp->v_op->vop_fsync ? vp->v_op->vop_fsync(vp) : 0;
}

int
VOP_READDIR(vnode_t vp, uint64_t *cookie, vnode_dirent_fn fn, void *arg)
{
	if (vp->v_type != VDIR)
		return ENOTDIR;
	return vp->v_op->vop_readdir ? vp->v_op->vop_readdir(vp, cookie, fn, arg) : EOPNOTSUPP;
}

int
VOP_READLINK(vnode_t vp, struct uio *uio)
{
	if (vp->v_type != VLNK)
		return EINVAL;
	return vp->v_op->vop_readlink ? vp->v_op->vop_readlink(vp, uio) : EOPNOTSUPP;
}
