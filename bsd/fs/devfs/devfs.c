/*
 * devfs.c — the device file system on /dev (after FreeBSD's devfs and XNU's bsd/miscfs/devfs):
 * one flat directory of device nodes made by the kernel, not by a disk: console, null, zero,
 * random and urandom, and one block device per IOMedia (vda, vda1, ...), created and removed as
 * I/O Kit publishes and terminates media (registry notifications).
 *
 * The one idea: a node is a name, a type and a pair of transfer routines; the vnode of a node
 * is found by the node's number through the ordinary vnode cache. A node whose media went away
 * leaves the directory at once, but its struct stays (marked gone, answering ENXIO) because an
 * open vnode may still point at it.
 * XXX: gone nodes are never freed (a few dozen bytes per disk removal).
 */
#include <bsd/fs/devfs/devfs.h>
#include <bsd/sys/dirent.h>
#include <bsd/sys/mount.h>
#include <bsd/sys/stat.h>
#include <console.h>
#include <iokit/io_media.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/vm_param.h>
#include <random.h>

#define DEVFS_ROOT_INO 1
#define DEVFS_NAMELEN  16

struct devfs_node {
	struct devfs_node *dn_next;	/* the directory, in creation order */
	char dn_name[DEVFS_NAMELEN];
	uint64_t dn_ino;
	enum vtype dn_type;
	uint32_t dn_mode;		/* permission bits */
	uint64_t dn_rdev;		/* major << 8 | minor (Linux numbering where one exists) */
	int (*dn_read)(struct devfs_node *dn, struct uio *uio);
	int (*dn_write)(struct devfs_node *dn, struct uio *uio);
	struct io_media *dn_media;	/* block devices */
	struct io_service *dn_service;	/* its nub, to match the terminate notification */
	bool dn_gone;
};

static lck_mtx_t devfs_lock = LCK_MTX_INITIALIZER("devfs");
static struct devfs_node *devfs_nodes;
static uint64_t devfs_next_ino = DEVFS_ROOT_INO + 1;
static const struct vnodeops devfs_vnops;

/* Transfers. */

static int
dev_null_read(struct devfs_node *dn, struct uio *uio)
{
	return 0;
}

/* Writes that go nowhere consume the uio through uiomove from a scratch buffer. */
static int
dev_null_write(struct devfs_node *dn, struct uio *uio)
{
	char buf[256];
	int err = 0;

	while (err == 0 && uio->uio_resid > 0)
		err = uiomove(buf, uio->uio_resid < sizeof(buf) ? uio->uio_resid : sizeof(buf),
			      uio);
	return err;
}

static int
dev_fill_read(struct uio *uio, bool random)
{
	char buf[256];
	int err = 0;

	if (!random)
		memset(buf, 0, sizeof(buf));
	while (err == 0 && uio->uio_resid > 0) {
		size_t n = uio->uio_resid < sizeof(buf) ? uio->uio_resid : sizeof(buf);

		if (random)
			random_read(buf, n);
		err = uiomove(buf, n, uio);
	}
	return err;
}

static int
dev_zero_read(struct devfs_node *dn, struct uio *uio)
{
	return dev_fill_read(uio, false);
}

static int
dev_random_read(struct devfs_node *dn, struct uio *uio)
{
	return dev_fill_read(uio, true);
}

static int
dev_console_write(struct devfs_node *dn, struct uio *uio)
{
	char buf[128];
	int err = 0;

	while (err == 0 && uio->uio_resid > 0) {
		size_t n = uio->uio_resid < sizeof(buf) ? uio->uio_resid : sizeof(buf);

		if ((err = uiomove(buf, n, uio)) == 0)
			printf("%.*s", (int)n, buf);
	}
	return err;
}

/*
 * Block devices: any offset and length, through whole blocks of the media (one bounce block;
 * a write of part of a block reads the block first).
 */
static int
dev_disk_rw(struct devfs_node *dn, struct uio *uio)
{
	struct io_media *m = dn->dn_media;
	uint32_t bs;
	char *blk;
	int err = 0;

	if (dn->dn_gone || m == NULL)
		return ENXIO;
	bs = m->im_blksize;
	if (uio->uio_offset < 0)
		return EINVAL;
	if (uio->uio_rw == UIO_WRITE && !m->im_writable)
		return EROFS;
	if ((blk = kalloc(bs)) == NULL)
		return ENOMEM;
	while (err == 0 && uio->uio_resid > 0 && (uint64_t)uio->uio_offset < m->im_size) {
		uint64_t off = (uint64_t)uio->uio_offset, boff = off & ~(uint64_t)(bs - 1);
		size_t in = (size_t)(off - boff), n = bs - in;

		if (n > uio->uio_resid)
			n = uio->uio_resid;
		if (io_media_read(m, boff, blk, bs) != KERN_SUCCESS) {
			err = EIO;
			break;
		}
		err = uiomove(blk + in, n, uio);
		if (err == 0 && uio->uio_rw == UIO_WRITE &&
		    io_media_write(m, boff, blk, bs) != KERN_SUCCESS)
			err = EIO;
	}
	kfree(blk, bs);
	return err;
}

/* Nodes. */

static struct devfs_node *
devfs_add(const char *name, enum vtype type, uint32_t mode, uint64_t rdev,
	  int (*rd)(struct devfs_node *, struct uio *),
	  int (*wr)(struct devfs_node *, struct uio *))
{
	struct devfs_node *dn = kalloc_zero(sizeof(*dn)), **pp;

	if (dn == NULL) {
		klog(LOG_ERR, "devfs: no memory for /dev/%s\n", name);
		return NULL;
	}
	ksnprintf(dn->dn_name, sizeof(dn->dn_name), "%s", name);
	dn->dn_type = type;
	dn->dn_mode = mode;
	dn->dn_rdev = rdev;
	dn->dn_read = rd;
	dn->dn_write = wr;
	lck_mtx_lock(&devfs_lock);
	dn->dn_ino = devfs_next_ino++;
	for (pp = &devfs_nodes; *pp != NULL; pp = &(*pp)->dn_next)
		;
	*pp = dn;
	lck_mtx_unlock(&devfs_lock);
	return dn;
}

static void
devfs_media_published(struct io_service *s, void *arg)
{
	struct io_media *m = io_media_from_service(s);
	struct devfs_node *dn;

	if (m == NULL || m->im_bsd_name[0] == '\0')
		return;
	/* virtio-blk: major 254 as Linux numbers it; the minor is the nub's registry id. */
	dn = devfs_add(m->im_bsd_name, VBLK, 0660, (254ull << 8) | (io_service_id(s) & 0xff),
		       dev_disk_rw, dev_disk_rw);
	if (dn != NULL) {
		dn->dn_media = m;
		dn->dn_service = s;
		klog(LOG_INFO, "devfs: /dev/%s\n", m->im_bsd_name);
	}
}

static void
devfs_media_terminated(struct io_service *s, void *arg)
{
	struct devfs_node **pp, *dn;

	lck_mtx_lock(&devfs_lock);
	for (pp = &devfs_nodes; (dn = *pp) != NULL; pp = &dn->dn_next) {
		if (dn->dn_service == s) {
			*pp = dn->dn_next;
			dn->dn_gone = true;
			dn->dn_media = NULL;
			klog(LOG_INFO, "devfs: /dev/%s removed\n", dn->dn_name);
			break;
		}
	}
	lck_mtx_unlock(&devfs_lock);
}

void
devfs_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	/* XXX: console reads answer end-of-file until the tty layer (user-space issue). */
	(void)devfs_add("console", VCHR, 0600, (5 << 8) | 1, dev_null_read, dev_console_write);
	(void)devfs_add("null", VCHR, 0666, (1 << 8) | 3, dev_null_read, dev_null_write);
	(void)devfs_add("zero", VCHR, 0666, (1 << 8) | 5, dev_zero_read, dev_null_write);
	(void)devfs_add("random", VCHR, 0666, (1 << 8) | 8, dev_random_read, dev_null_write);
	(void)devfs_add("urandom", VCHR, 0666, (1 << 8) | 9, dev_random_read, dev_null_write);
	if (io_notify_add(IO_NOTIFY_PUBLISH, kIOMediaClass, devfs_media_published, NULL) == NULL ||
	    io_notify_add(IO_NOTIFY_TERMINATE, kIOMediaClass, devfs_media_terminated, NULL) ==
		NULL)
		klog(LOG_ERR, "devfs: cannot follow IOMedia: no disk nodes\n");
}

/* Vnodes. */

static int
devfs_vget(struct mount *mp, struct devfs_node *dn, vnode_t *vpp)
{
	uint64_t ino = dn != NULL ? dn->dn_ino : DEVFS_ROOT_INO;
	bool existed;
	int err;

	if ((*vpp = vnode_get_cached(mp, ino)) != NULL)
		return 0;
	err = vnode_create(mp, ino, &devfs_vnops, dn, dn != NULL ? dn->dn_type : VDIR, 0, vpp,
			   &existed);
	if (err == 0 && !existed && dn == NULL)
		(*vpp)->v_flag |= VROOT;
	return err;
}

static int
devfs_vop_lookup(vnode_t dvp, const char *name, size_t len, vnode_t *vpp)
{
	struct devfs_node *dn;

	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) {
		vnode_ref(dvp); /* flat: ".." of the root is the root (namei crosses mounts) */
		*vpp = dvp;
		return 0;
	}
	lck_mtx_lock(&devfs_lock);
	for (dn = devfs_nodes; dn != NULL; dn = dn->dn_next)
		if (strnlen(dn->dn_name, DEVFS_NAMELEN) == len &&
		    memcmp(dn->dn_name, name, len) == 0)
			break;
	lck_mtx_unlock(&devfs_lock);
	if (dn == NULL)
		return ENOENT;
	return devfs_vget(dvp->v_mount, dn, vpp);
}

/* Cookie: 0 is ".", 1 "..", then the nodes in directory order from 2 (names copied out). */
static int
devfs_vop_readdir(vnode_t vp, uint64_t *cookie, vnode_dirent_fn fn, void *arg)
{
	for (;;) {
		char name[DEVFS_NAMELEN] = "..";
		uint64_t ino = DEVFS_ROOT_INO, i;
		unsigned dt = DT_DIR;
		struct devfs_node *dn;

		if (*cookie == 0) {
			name[1] = '\0';
		} else if (*cookie > 1) {
			lck_mtx_lock(&devfs_lock);
			for (dn = devfs_nodes, i = 2; dn != NULL && i < *cookie; dn = dn->dn_next)
				i++;
			if (dn != NULL) {
				memcpy(name, dn->dn_name, sizeof(name));
				ino = dn->dn_ino;
				dt = vnode_vtype_to_dt(dn->dn_type);
			}
			lck_mtx_unlock(&devfs_lock);
			if (dn == NULL)
				return 0;
		}
		if (fn(arg, name, strnlen(name, sizeof(name)), ino, dt, *cookie + 1) != 0)
			return 0;
		(*cookie)++;
	}
}

static int
devfs_vop_getattr(vnode_t vp, struct vattr *va)
{
	struct devfs_node *dn = vp->v_data;

	va->va_type = vp->v_type;
	va->va_fileid = vp->v_fileid;
	va->va_nlink = 1;
	va->va_blksize = PAGE_SIZE;
	if (dn == NULL) {
		va->va_mode = S_IFDIR | 0755;
		va->va_nlink = 2;
		return 0;
	}
	va->va_mode = dn->dn_mode | (dn->dn_type == VBLK ? S_IFBLK : S_IFCHR);
	va->va_rdev = dn->dn_rdev;
	if (dn->dn_media != NULL)
		va->va_size = dn->dn_media->im_size;
	return 0;
}

static int
devfs_vop_read(vnode_t vp, struct uio *uio, int ioflag)
{
	struct devfs_node *dn = vp->v_data;

	if (dn == NULL)
		return EISDIR;
	return dn->dn_gone ? ENXIO : dn->dn_read(dn, uio);
}

static int
devfs_vop_write(vnode_t vp, struct uio *uio, int ioflag)
{
	struct devfs_node *dn = vp->v_data;

	if (dn == NULL)
		return EISDIR;
	return dn->dn_gone ? ENXIO : dn->dn_write(dn, uio);
}

static const struct vnodeops devfs_vnops = {
	.vop_lookup = devfs_vop_lookup,
	.vop_readdir = devfs_vop_readdir,
	.vop_getattr = devfs_vop_getattr,
	.vop_read = devfs_vop_read,
	.vop_write = devfs_vop_write,
};

static int
devfs_vfs_mount(struct mount *mp, struct io_media *media, int flags)
{
	/* Every mount shows the same nodes (its vnodes are its own): devtmpfs mounted by an
	 * initramfs's /init over the /dev the kernel mounted works as on Linux. */
	devfs_init();
	return 0;
}

static int
devfs_vfs_unmount(struct mount *mp)
{
	return 0;
}

static int
devfs_vfs_root(struct mount *mp, vnode_t *vpp)
{
	return devfs_vget(mp, NULL, vpp);
}

static int
devfs_vfs_statfs(struct mount *mp, struct statfs_info *sf)
{
	memset(sf, 0, sizeof(*sf));
	sf->f_bsize = PAGE_SIZE;
	sf->f_namemax = DEVFS_NAMELEN - 1;
	return 0;
}

const struct vfsops devfs_vfsops = {
	.vfs_name = "devfs",
	.vfs_mount = devfs_vfs_mount,
	.vfs_unmount = devfs_vfs_unmount,
	.vfs_root = devfs_vfs_root,
	.vfs_statfs = devfs_vfs_statfs,
};
