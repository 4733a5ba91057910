/*
 * tmpfs.c — a file system in memory (after NetBSD's tmpfs and Linux's shmem): directories,
 * regular files, symbolic links; create, mkdir, rename, link, unlink, rmdir, truncate. It is
 * the root when the kernel is given an initramfs and no root= (bsd/kern/bootfs.c unpacks the
 * archive into it), and can be mounted anywhere (`mount -t tmpfs`).
 *
 * The one idea: a regular file's data live in an anonymous VM object (tn_object) whose pager
 * is the default pager, so they are kept in memory or on swap like any anonymous memory. The
 * file's vnode goes through the UBC as an ext2 file does: the UBC pages are the cache, and the
 * vnode pager's page-out and page-in (VOP_PAGEOUT / VOP_PAGEIN) hand pages to and from that
 * object's pager instead of a disk. Names and nodes are plain kernel memory; a node lives while
 * it has a link or a vnode (a file unlinked while open goes at its vnode's reclaim).
 *
 * Locks: tm_lock (one mutex per mount) covers every node's directory list, link count and
 * symlink target; it is never held across vnode_create or a pager call. A file's data and size
 * are under its vnode's v_lock, as the UBC wants.
 * XXX: no timestamps (0), no owners other than the creator's 0, no device nodes or FIFOs, no
 * size limit for the mount (memory and swap bound it); a file is at most TMPFS_MAXFILE.
 */
#include <bsd/sys/dirent.h>
#include <bsd/sys/mount.h>
#include <bsd/sys/stat.h>
#include <bsd/vfs/vfs_ubc.h>
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/vm_object.h>
#include <mach/vm/vm_param.h>

#define TMPFS_ROOT_INO 2
#define TMPFS_NAME_MAX 255
/* The largest file: its default pager keeps a directory of 1 page per 2 MiB of it. */
#define TMPFS_MAXFILE  (1ull << 32)
#define TMPFS_LINK_MAX 4095

struct tmpfs_dirent {
	struct tmpfs_dirent *td_next;	/* in cookie order */
	struct tmpfs_node *td_node;
	uint64_t td_cookie;		/* readdir position: increasing within a directory */
	size_t td_namelen;
	char td_name[];
};

struct tmpfs_node {
	uint64_t tn_ino;
	enum vtype tn_type;
	uint32_t tn_mode;		/* S_IF* | permission bits */
	uint32_t tn_nlink;		/* tm_lock */
	uint32_t tn_vgets;		/* vnode creations in progress (tm_lock) */
	uint64_t tn_size;		/* VREG: size while no vnode has it; VLNK: target length */
	uint64_t tn_stored;		/* VREG: end of what the pager may hold (v_lock) */
	/* VDIR */
	struct tmpfs_node *tn_parent;
	struct tmpfs_dirent *tn_entries;
	uint64_t tn_next_cookie;
	/* VLNK */
	char *tn_link;
	/* VREG: the data (an anonymous object, default pager) */
	vm_object_t tn_object;
};

struct tmpfs_mount {
	lck_mtx_t tm_lock;
	uint64_t tm_next_ino;
	struct tmpfs_node *tm_root;
	uint64_t tm_nodes;
};

static const struct vnodeops tmpfs_vnops;

static struct tmpfs_mount *
tmp(struct mount *mp)
{
	return mp->mnt_data;
}

static struct tmpfs_node *
tnode(vnode_t vp)
{
	return vp->v_data;
}

/* ---- nodes ---- */

static void
tmpfs_node_free(struct tmpfs_mount *tm, struct tmpfs_node *tn)
{
	if (tn->tn_link != NULL)
		kfree(tn->tn_link, tn->tn_size + 1);
	if (tn->tn_object != NULL)
		vm_object_deallocate(tn->tn_object);
	kfree(tn, sizeof(*tn));
	tm->tm_nodes--;
}

/* A new node of the mode's type (no links yet). tm_lock held (counts only: does not sleep
 * long). Returns NULL when memory is short. */
static struct tmpfs_node *
tmpfs_node_alloc(struct tmpfs_mount *tm, uint32_t mode, const char *target)
{
	struct tmpfs_node *tn = kalloc_zero(sizeof(*tn));

	if (tn == NULL)
		return NULL;
	tn->tn_type = vnode_mode_to_vtype(mode);
	tn->tn_mode = mode;
	if (tn->tn_type == VREG) {
		tn->tn_object = vm_object_allocate(TMPFS_MAXFILE);
		if (tn->tn_object == NULL ||
		    (tn->tn_object->vo_pager = default_pager_create(tn->tn_object)) == NULL) {
			if (tn->tn_object != NULL)
				vm_object_deallocate(tn->tn_object);
			kfree(tn, sizeof(*tn));
			return NULL;
		}
	} else if (tn->tn_type == VLNK) {
		tn->tn_size = strlen(target);
		if ((tn->tn_link = kalloc(tn->tn_size + 1)) == NULL) {
			kfree(tn, sizeof(*tn));
			return NULL;
		}
		memcpy(tn->tn_link, target, tn->tn_size + 1);
	} else if (tn->tn_type == VDIR) {
		tn->tn_next_cookie = 2; /* 0 is ".", 1 ".." */
	} else {
		kfree(tn, sizeof(*tn));
		return NULL;
	}
	tn->tn_ino = tm->tm_next_ino++;
	tm->tm_nodes++;
	return tn;
}

/*
 * The vnode of node tn, with a use reference. Called without tm_lock; the caller made sure tn
 * stays (tn_vgets, taken under tm_lock, which this drops).
 */
static int
tmpfs_vget(struct mount *mp, struct tmpfs_node *tn, vnode_t *vpp)
{
	struct tmpfs_mount *tm = tmp(mp);
	bool existed;
	int err = 0;

	if ((*vpp = vnode_get_cached(mp, tn->tn_ino)) == NULL) {
		err = vnode_create(mp, tn->tn_ino, &tmpfs_vnops, tn, tn->tn_type,
				   tn->tn_type == VREG ? tn->tn_size : 0, vpp, &existed);
		if (err == 0 && !existed && tn == tm->tm_root)
			(*vpp)->v_flag |= VROOT;
	}
	lck_mtx_lock(&tm->tm_lock);
	tn->tn_vgets--;
	lck_mtx_unlock(&tm->tm_lock);
	/* XXX: an unlinked node whose vnode could not be made (ENOMEM) is not freed. */
	return err;
}

/* ---- directories (tm_lock held) ---- */

static struct tmpfs_dirent *
tmpfs_dir_find(struct tmpfs_node *dir, const char *name, size_t len, struct tmpfs_dirent ***prevp)
{
	struct tmpfs_dirent **pp, *de;

	for (pp = &dir->tn_entries; (de = *pp) != NULL; pp = &de->td_next) {
		if (de->td_namelen == len && memcmp(de->td_name, name, len) == 0) {
			if (prevp != NULL)
				*prevp = pp;
			return de;
		}
	}
	return NULL;
}

/* Add name → tn at the end of dir (its link count is the caller's). */
static int
tmpfs_dir_add(struct tmpfs_node *dir, const char *name, size_t len, struct tmpfs_node *tn)
{
	struct tmpfs_dirent *de, **pp;

	if (len == 0 || len > TMPFS_NAME_MAX)
		return len == 0 ? ENOENT : ENAMETOOLONG;
	if ((de = kalloc(sizeof(*de) + len + 1)) == NULL)
		return ENOMEM;
	memcpy(de->td_name, name, len);
	de->td_name[len] = '\0';
	de->td_namelen = len;
	de->td_node = tn;
	de->td_next = NULL;
	de->td_cookie = dir->tn_next_cookie++;
	for (pp = &dir->tn_entries; *pp != NULL; pp = &(*pp)->td_next)
		;
	*pp = de;
	return 0;
}

static void
tmpfs_dirent_free(struct tmpfs_dirent *de)
{
	kfree(de, sizeof(*de) + de->td_namelen + 1);
}

/* ---- vnode operations ---- */

static int
tmpfs_vop_lookup(vnode_t dvp, const char *name, size_t len, vnode_t *vpp)
{
	struct tmpfs_mount *tm = tmp(dvp->v_mount);
	struct tmpfs_node *dir = tnode(dvp), *tn;
	struct tmpfs_dirent *de;

	if (dvp->v_type != VDIR)
		return ENOTDIR;
	if (len == 1 && name[0] == '.') {
		vnode_ref(dvp);
		*vpp = dvp;
		return 0;
	}
	lck_mtx_lock(&tm->tm_lock);
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		tn = dir->tn_parent; /* the root's parent is itself (namei crosses mounts) */
	} else {
		de = tmpfs_dir_find(dir, name, len, NULL);
		tn = de != NULL ? de->td_node : NULL;
	}
	if (tn == NULL) {
		lck_mtx_unlock(&tm->tm_lock);
		return ENOENT;
	}
	tn->tn_vgets++;
	lck_mtx_unlock(&tm->tm_lock);
	return tmpfs_vget(dvp->v_mount, tn, vpp);
}

/* Make a node named name in dvp (create, mkdir, symlink). */
static int
tmpfs_make(vnode_t dvp, const char *name, size_t len, uint32_t mode, const char *target,
	   vnode_t *vpp)
{
	struct tmpfs_mount *tm = tmp(dvp->v_mount);
	struct tmpfs_node *dir = tnode(dvp), *tn;
	int err;

	if (dvp->v_type != VDIR)
		return ENOTDIR;
	if (target != NULL && strlen(target) > TMPFS_LINK_MAX)
		return ENAMETOOLONG;
	lck_mtx_lock(&tm->tm_lock);
	if (dir->tn_nlink == 0) {
		err = ENOENT; /* removed meanwhile */
	} else if (tmpfs_dir_find(dir, name, len, NULL) != NULL) {
		err = EEXIST;
	} else if ((tn = tmpfs_node_alloc(tm, mode, target)) == NULL) {
		err = ENOMEM;
	} else if ((err = tmpfs_dir_add(dir, name, len, tn)) != 0) {
		tmpfs_node_free(tm, tn);
	} else {
		tn->tn_nlink = 1;
		if (tn->tn_type == VDIR) {
			tn->tn_parent = dir;
			tn->tn_nlink = 2;
			dir->tn_nlink++;
		}
		tn->tn_vgets++;
	}
	lck_mtx_unlock(&tm->tm_lock);
	if (err != 0)
		return err;
	return tmpfs_vget(dvp->v_mount, tn, vpp);
}

static int
tmpfs_vop_create(vnode_t dvp, const char *name, size_t len, struct vattr *va, vnode_t *vpp)
{
	if ((va->va_mode & S_IFMT) != S_IFREG)
		return EOPNOTSUPP; /* XXX: no device nodes, FIFOs or sockets */
	return tmpfs_make(dvp, name, len, va->va_mode, NULL, vpp);
}

static int
tmpfs_vop_mkdir(vnode_t dvp, const char *name, size_t len, struct vattr *va, vnode_t *vpp)
{
	return tmpfs_make(dvp, name, len, S_IFDIR | (va->va_mode & 07777), NULL, vpp);
}

static int
tmpfs_vop_symlink(vnode_t dvp, const char *name, size_t len, const char *target,
		  struct vattr *va, vnode_t *vpp)
{
	(void)va;
	return tmpfs_make(dvp, name, len, S_IFLNK | 0777, target, vpp);
}

/* Drop one link of tn (tm_lock held); a node with none left goes with its vnode. */
static void
tmpfs_unlinked(vnode_t vp)
{
	struct tmpfs_node *tn = tnode(vp);

	if (tn->tn_type == VDIR)
		tn->tn_nlink = 0; /* "." goes with the name */
	else
		tn->tn_nlink--;
	if (tn->tn_nlink == 0)
		vnode_set_gone(vp);
}

static int
tmpfs_vop_remove(vnode_t dvp, const char *name, size_t len, vnode_t vp)
{
	struct tmpfs_mount *tm = tmp(dvp->v_mount);
	struct tmpfs_dirent *de, **pp;
	int err = 0;

	lck_mtx_lock(&tm->tm_lock);
	de = tmpfs_dir_find(tnode(dvp), name, len, &pp);
	if (de == NULL || de->td_node != tnode(vp)) {
		err = ENOENT;
	} else if (vp->v_type == VDIR) {
		err = EISDIR;
	} else {
		*pp = de->td_next;
		tmpfs_dirent_free(de);
		tmpfs_unlinked(vp);
	}
	lck_mtx_unlock(&tm->tm_lock);
	return err;
}

static int
tmpfs_vop_rmdir(vnode_t dvp, const char *name, size_t len, vnode_t vp)
{
	struct tmpfs_mount *tm = tmp(dvp->v_mount);
	struct tmpfs_node *dir = tnode(dvp);
	struct tmpfs_dirent *de, **pp;
	int err = 0;

	lck_mtx_lock(&tm->tm_lock);
	de = tmpfs_dir_find(dir, name, len, &pp);
	if (de == NULL || de->td_node != tnode(vp)) {
		err = ENOENT;
	} else if (vp->v_type != VDIR) {
		err = ENOTDIR;
	} else if (tnode(vp)->tn_entries != NULL) {
		err = ENOTEMPTY;
	} else {
		*pp = de->td_next;
		tmpfs_dirent_free(de);
		dir->tn_nlink--;
		tmpfs_unlinked(vp);
	}
	lck_mtx_unlock(&tm->tm_lock);
	return err;
}

/* Whether dir is node or lies below it (tm_lock held): a directory cannot move under itself. */
static bool
tmpfs_is_below(struct tmpfs_node *dir, struct tmpfs_node *node)
{
	for (;;) {
		if (dir == node)
			return true;
		if (dir->tn_parent == dir || dir->tn_parent == NULL)
			return false;
		dir = dir->tn_parent;
	}
}

static int
tmpfs_vop_rename(vnode_t fdvp, const char *fname, size_t flen, vnode_t fvp, vnode_t tdvp,
		 const char *tname, size_t tlen, vnode_t tvp)
{
	struct tmpfs_mount *tm = tmp(fdvp->v_mount);
	struct tmpfs_node *fdir = tnode(fdvp), *tdir = tnode(tdvp), *fn = tnode(fvp);
	struct tmpfs_dirent *fde, **fpp = NULL, *tde, **tpp = NULL, *nde;
	int err = 0;

	if (tlen == 0 || tlen > TMPFS_NAME_MAX)
		return tlen == 0 ? ENOENT : ENAMETOOLONG;
	/* The new entry first: the one allocation that can fail, before anything changes. */
	if ((nde = kalloc(sizeof(*nde) + tlen + 1)) == NULL)
		return ENOMEM;
	memcpy(nde->td_name, tname, tlen);
	nde->td_name[tlen] = '\0';
	nde->td_namelen = tlen;
	nde->td_node = fn;
	nde->td_next = NULL;
	lck_mtx_lock(&tm->tm_lock);
	fde = tmpfs_dir_find(fdir, fname, flen, &fpp);
	tde = tmpfs_dir_find(tdir, tname, tlen, &tpp);
	if (fde == NULL || fde->td_node != fn || tdir->tn_nlink == 0) {
		err = ENOENT;
	} else if ((tde != NULL) != (tvp != NULL) || (tde != NULL && tde->td_node != tnode(tvp))) {
		err = ENOENT; /* the target changed since namei */
	} else if (fn->tn_type == VDIR && tmpfs_is_below(tdir, fn)) {
		err = EINVAL;
	} else if (tvp != NULL && tvp->v_type == VDIR && fn->tn_type != VDIR) {
		err = EISDIR;
	} else if (tvp != NULL && tvp->v_type != VDIR && fn->tn_type == VDIR) {
		err = ENOTDIR;
	} else if (tvp != NULL && tvp->v_type == VDIR && tnode(tvp)->tn_entries != NULL) {
		err = ENOTEMPTY;
	}
	if (err != 0) {
		lck_mtx_unlock(&tm->tm_lock);
		tmpfs_dirent_free(nde);
		return err;
	}
	if (tde != NULL) {
		/* Replace the target: its entry goes, and a link of its node. */
		*tpp = tde->td_next;
		tmpfs_dirent_free(tde);
		if (tvp->v_type == VDIR)
			tdir->tn_nlink--;
		tmpfs_unlinked(tvp);
		/* fpp may have pointed into the entry just freed: find the source again. */
		fde = tmpfs_dir_find(fdir, fname, flen, &fpp);
	}
	*fpp = fde->td_next;
	tmpfs_dirent_free(fde);
	nde->td_cookie = tdir->tn_next_cookie++;
	for (tpp = &tdir->tn_entries; *tpp != NULL; tpp = &(*tpp)->td_next)
		;
	*tpp = nde;
	if (fn->tn_type == VDIR && fdir != tdir) {
		fdir->tn_nlink--;
		tdir->tn_nlink++;
		fn->tn_parent = tdir;
	}
	lck_mtx_unlock(&tm->tm_lock);
	return 0;
}

static int
tmpfs_vop_link(vnode_t dvp, const char *name, size_t len, vnode_t vp)
{
	struct tmpfs_mount *tm = tmp(dvp->v_mount);
	struct tmpfs_node *dir = tnode(dvp), *tn = tnode(vp);
	int err;

	if (vp->v_type == VDIR)
		return EPERM;
	if (vp->v_mount != dvp->v_mount)
		return EXDEV;
	lck_mtx_lock(&tm->tm_lock);
	if (dir->tn_nlink == 0 || tn->tn_nlink == 0)
		err = ENOENT;
	else if (tmpfs_dir_find(dir, name, len, NULL) != NULL)
		err = EEXIST;
	else if ((err = tmpfs_dir_add(dir, name, len, tn)) == 0)
		tn->tn_nlink++;
	lck_mtx_unlock(&tm->tm_lock);
	return err;
}

static int
tmpfs_vop_readlink(vnode_t vp, struct uio *uio)
{
	struct tmpfs_node *tn = tnode(vp);

	if (vp->v_type != VLNK)
		return EINVAL;
	/* The target never changes once made. */
	return uiomove(tn->tn_link, tn->tn_size, uio);
}

/* Cookie: 0 is ".", 1 "..", then entries from the first with td_cookie >= *cookie. */
static int
tmpfs_vop_readdir(vnode_t vp, uint64_t *cookie, vnode_dirent_fn fn, void *arg)
{
	struct tmpfs_mount *tm = tmp(vp->v_mount);
	struct tmpfs_node *dir = tnode(vp);
	char name[TMPFS_NAME_MAX + 1];

	if (vp->v_type != VDIR)
		return ENOTDIR;
	for (;;) {
		struct tmpfs_dirent *de;
		uint64_t ino, next;
		size_t len;
		unsigned dt = DT_DIR;

		lck_mtx_lock(&tm->tm_lock);
		if (*cookie < 2) {
			struct tmpfs_node *p = dir->tn_parent != NULL ? dir->tn_parent : dir;

			len = *cookie + 1;
			memcpy(name, "..", len);
			ino = *cookie == 0 ? dir->tn_ino : p->tn_ino;
			next = *cookie + 1;
		} else {
			for (de = dir->tn_entries; de != NULL && de->td_cookie < *cookie;
			     de = de->td_next)
				;
			if (de == NULL) {
				lck_mtx_unlock(&tm->tm_lock);
				return 0;
			}
			len = de->td_namelen;
			memcpy(name, de->td_name, len);
			ino = de->td_node->tn_ino;
			dt = vnode_vtype_to_dt(de->td_node->tn_type);
			next = de->td_cookie + 1;
		}
		lck_mtx_unlock(&tm->tm_lock);
		if (fn(arg, name, len, ino, dt, next) != 0)
			return 0;
		*cookie = next;
	}
}

static int
tmpfs_vop_getattr(vnode_t vp, struct vattr *va)
{
	struct tmpfs_mount *tm = tmp(vp->v_mount);
	struct tmpfs_node *tn = tnode(vp);

	memset(va, 0, sizeof(*va));
	lck_mtx_lock(&tm->tm_lock);
	va->va_type = vp->v_type;
	va->va_mode = tn->tn_mode;
	va->va_nlink = tn->tn_nlink;
	va->va_fileid = tn->tn_ino;
	if (vp->v_type == VREG)
		va->va_size = vp->v_size;
	else if (vp->v_type == VLNK)
		va->va_size = tn->tn_size;
	else
		va->va_size = PAGE_SIZE;
	lck_mtx_unlock(&tm->tm_lock);
	va->va_blocks512 = round_page(va->va_size) / 512;
	va->va_blksize = PAGE_SIZE;
	return 0;
}

/*
 * Forget what the pager holds past size (a truncation): whole pages are returned as zeros
 * (the default pager keeps a zero page for nothing), the page size cuts is zeroed past it.
 * v_lock held.
 */
static int
tmpfs_forget_past(vnode_t vp, uint64_t size)
{
	struct tmpfs_node *tn = tnode(vp);
	memory_object_t mo = tn->tn_object->vo_pager;
	uint64_t off = trunc_page(size);
	kern_return_t kr;
	char *page;
	int err = 0;

	if (size >= tn->tn_stored)
		return 0;
	if ((page = kalloc(PAGE_SIZE)) == NULL)
		return ENOMEM;
	for (; off < tn->tn_stored && err == 0; off += PAGE_SIZE) {
		memset(page, 0, PAGE_SIZE);
		if (off < size) {
			kr = memory_object_data_request(mo, off, PAGE_SIZE, VM_PROT_READ, page);
			if (kr == MEMORY_OBJECT_ABSENT)
				continue;
			if (kr != KERN_SUCCESS) {
				err = EIO;
				break;
			}
			memset(page + (size - off), 0, PAGE_SIZE - (size - off));
		}
		if (memory_object_data_return(mo, off, page, PAGE_SIZE) != KERN_SUCCESS)
			err = ENOSPC;
	}
	kfree(page, PAGE_SIZE);
	if (err == 0)
		tn->tn_stored = size;
	return err;
}

static int
tmpfs_vop_setattr(vnode_t vp, struct vattr *va)
{
	struct tmpfs_mount *tm = tmp(vp->v_mount);
	struct tmpfs_node *tn = tnode(vp);
	int err = 0;

	if (va->va_mask & VA_SIZE) {
		if (vp->v_type != VREG)
			return vp->v_type == VDIR ? EISDIR : EINVAL;
		if (va->va_size > TMPFS_MAXFILE)
			return EFBIG;
		lck_mtx_lock(&vp->v_lock);
		ubc_setsize_locked(vp, va->va_size);
		err = tmpfs_forget_past(vp, va->va_size);
		lck_mtx_unlock(&vp->v_lock);
		if (err != 0)
			return err;
	}
	if (va->va_mask & VA_MODE) {
		lck_mtx_lock(&tm->tm_lock);
		tn->tn_mode = (tn->tn_mode & S_IFMT) | (va->va_mode & 07777);
		lck_mtx_unlock(&tm->tm_lock);
	}
	/* XXX: owners and times are not kept. */
	return 0;
}

static int
tmpfs_vop_write(vnode_t vp, struct uio *uio, int ioflag)
{
	if (vp->v_type == VREG && (uio->uio_offset < 0 || (uint64_t)uio->uio_offset > TMPFS_MAXFILE ||
	    uio->uio_resid > TMPFS_MAXFILE - (uint64_t)uio->uio_offset))
		return EFBIG;
	return ubc_vop_write(vp, uio, ioflag);
}

/* fsync: the dirty pages go to the default pager, after which the cache may drop them. */
static int
tmpfs_vop_fsync(vnode_t vp)
{
	return vp->v_object != NULL ? ubc_msync(vp) : 0;
}

/*
 * pagein: file data from the default pager, page by page; a page it never got reads as zeros
 * (a hole, or data not yet written back: the UBC only asks for pages it does not have).
 */
static int
tmpfs_vop_pagein(vnode_t vp, uint64_t off, void *buf, size_t len)
{
	memory_object_t mo = tnode(vp)->tn_object->vo_pager;
	kern_return_t kr;

	for (size_t done = 0; done < len; done += PAGE_SIZE) {
		char *to = (char *)buf + done;

		if (off + done >= TMPFS_MAXFILE) {
			memset(to, 0, len - done);
			break;
		}
		kr = memory_object_data_request(mo, off + done, PAGE_SIZE, VM_PROT_READ, to);
		if (kr == MEMORY_OBJECT_ABSENT)
			memset(to, 0, PAGE_SIZE);
		else if (kr != KERN_SUCCESS)
			return EIO;
	}
	return 0;
}

/* pageout: the UBC's dirty pages (cut to the file size) into the default pager, page by page. */
static int
tmpfs_vop_pageout(vnode_t vp, uint64_t off, const void *buf, size_t len)
{
	struct tmpfs_node *tn = tnode(vp);
	memory_object_t mo = tn->tn_object->vo_pager;
	char *tail = NULL;
	int err = 0;

	for (size_t done = 0; done < len && err == 0; done += PAGE_SIZE) {
		const char *from = (const char *)buf + done;

		if (off + done >= TMPFS_MAXFILE)
			return EFBIG;
		if (len - done < PAGE_SIZE) {
			/* The file's last page: what lies past the end is zeros. */
			if ((tail = kalloc_zero(PAGE_SIZE)) == NULL)
				return ENOMEM;
			memcpy(tail, from, len - done);
			from = tail;
		}
		if (memory_object_data_return(mo, off + done, from, PAGE_SIZE) != KERN_SUCCESS)
			err = ENOSPC;
	}
	if (tail != NULL)
		kfree(tail, PAGE_SIZE);
	if (err == 0 && off + len > tn->tn_stored)
		tn->tn_stored = round_page(off + len);
	return err;
}

static int
tmpfs_vop_inactive(vnode_t vp)
{
	struct tmpfs_mount *tm = tmp(vp->v_mount);
	struct tmpfs_node *tn = tnode(vp);

	lck_mtx_lock(&tm->tm_lock);
	if (tn != NULL && tn->tn_nlink == 0)
		vnode_set_gone(vp);
	lck_mtx_unlock(&tm->tm_lock);
	if (tn != NULL && tn->tn_nlink == 0 && vp->v_type == VREG) {
		/* Nobody can reach the data again: do not write them back. */
		lck_mtx_lock(&vp->v_lock);
		ubc_setsize_locked(vp, 0);
		lck_mtx_unlock(&vp->v_lock);
	}
	return 0;
}

/* reclaim: the node keeps the size the vnode had; a node without links goes now. */
static int
tmpfs_vop_reclaim(vnode_t vp)
{
	struct tmpfs_mount *tm = tmp(vp->v_mount);
	struct tmpfs_node *tn = tnode(vp);

	if (tn == NULL)
		return 0;
	lck_mtx_lock(&tm->tm_lock);
	if (vp->v_type == VREG)
		tn->tn_size = vp->v_size;
	vp->v_data = NULL;
	if (tn->tn_nlink == 0 && tn->tn_vgets == 0 && tn != tm->tm_root)
		tmpfs_node_free(tm, tn);
	lck_mtx_unlock(&tm->tm_lock);
	return 0;
}

static const struct vnodeops tmpfs_vnops = {
	.vop_lookup = tmpfs_vop_lookup,
	.vop_create = tmpfs_vop_create,
	.vop_mkdir = tmpfs_vop_mkdir,
	.vop_remove = tmpfs_vop_remove,
	.vop_rmdir = tmpfs_vop_rmdir,
	.vop_rename = tmpfs_vop_rename,
	.vop_link = tmpfs_vop_link,
	.vop_symlink = tmpfs_vop_symlink,
	.vop_readlink = tmpfs_vop_readlink,
	.vop_readdir = tmpfs_vop_readdir,
	.vop_getattr = tmpfs_vop_getattr,
	.vop_setattr = tmpfs_vop_setattr,
	.vop_read = ubc_vop_read,
	.vop_write = tmpfs_vop_write,
	.vop_fsync = tmpfs_vop_fsync,
	.vop_inactive = tmpfs_vop_inactive,
	.vop_reclaim = tmpfs_vop_reclaim,
	.vop_pagein = tmpfs_vop_pagein,
	.vop_pageout = tmpfs_vop_pageout,
};

/* ---- the file system ---- */

/* Free every node below dir (unmount: no vnode of the mount is left but the root's). */
static void
tmpfs_free_tree(struct tmpfs_mount *tm, struct tmpfs_node *dir)
{
	struct tmpfs_dirent *de;

	while ((de = dir->tn_entries) != NULL) {
		struct tmpfs_node *tn = de->td_node;

		dir->tn_entries = de->td_next;
		tmpfs_dirent_free(de);
		if (tn->tn_type == VDIR) {
			tmpfs_free_tree(tm, tn);
			tmpfs_node_free(tm, tn);
		} else if (--tn->tn_nlink == 0) {
			tmpfs_node_free(tm, tn);
		}
	}
}

static int
tmpfs_vfs_mount(struct mount *mp, struct io_media *media, int flags)
{
	struct tmpfs_mount *tm = kalloc_zero(sizeof(*tm));

	(void)media;
	(void)flags;
	if (tm == NULL)
		return ENOMEM;
	lck_mtx_init(&tm->tm_lock, "tmpfs");
	tm->tm_next_ino = TMPFS_ROOT_INO;
	if ((tm->tm_root = tmpfs_node_alloc(tm, S_IFDIR | 0755, NULL)) == NULL) {
		kfree(tm, sizeof(*tm));
		return ENOMEM;
	}
	tm->tm_root->tn_parent = tm->tm_root;
	tm->tm_root->tn_nlink = 2;
	mp->mnt_data = tm;
	return 0;
}

static int
tmpfs_vfs_unmount(struct mount *mp)
{
	struct tmpfs_mount *tm = tmp(mp);

	lck_mtx_lock(&tm->tm_lock);
	tmpfs_free_tree(tm, tm->tm_root);
	tmpfs_node_free(tm, tm->tm_root);
	lck_mtx_unlock(&tm->tm_lock);
	if (tm->tm_nodes != 0)
		klog(LOG_WARNING, "tmpfs: %s: %llu nodes left at unmount\n", mp->mnt_on,
		     (unsigned long long)tm->tm_nodes);
	kfree(tm, sizeof(*tm));
	mp->mnt_data = NULL;
	return 0;
}

static int
tmpfs_vfs_root(struct mount *mp, vnode_t *vpp)
{
	struct tmpfs_mount *tm = tmp(mp);

	lck_mtx_lock(&tm->tm_lock);
	tm->tm_root->tn_vgets++;
	lck_mtx_unlock(&tm->tm_lock);
	return tmpfs_vget(mp, tm->tm_root, vpp);
}

static int
tmpfs_vfs_statfs(struct mount *mp, struct statfs_info *sf)
{
	struct tmpfs_mount *tm = tmp(mp);

	memset(sf, 0, sizeof(*sf));
	sf->f_bsize = PAGE_SIZE;
	sf->f_files = tm->tm_nodes;
	sf->f_namemax = TMPFS_NAME_MAX;
	return 0;
}

const struct vfsops tmpfs_vfsops = {
	.vfs_name = "tmpfs",
	.vfs_mount = tmpfs_vfs_mount,
	.vfs_unmount = tmpfs_vfs_unmount,
	.vfs_root = tmpfs_vfs_root,
	.vfs_statfs = tmpfs_vfs_statfs,
};
