/*
 * vfs_mount.c — the mount table (4.4BSD kern/vfs_syscalls.c mount/unmount, vfs_subr.c
 * vfs_mountroot): mounting a file system on a directory, the root file system chosen by
 * `root=` at boot, devfs on /dev, sync, and unmounting everything at poweroff.
 *
 * The one idea: a mount holds a use on its root vnode and on the directory it covers; unmount
 * first writes every file back, then recycles the mount's unused vnodes, and refuses (EBUSY)
 * while any other vnode of it is still in use, so a file system never goes away under an open
 * file.
 */
#include <bsd/fs/cd9660/cd9660.h>
#include <bsd/fs/devfs/devfs.h>
#include <bsd/kern/bootfs.h>
#include <bsd/sys/vfs_file.h>
#include <bsd/sys/mount.h>
#include <bsd/sys/namei.h>
#include <cmdline.h>
#include <console.h>
#include <debugshell.h>
#include <iokit/io_matching.h>
#include <iokit/io_media.h>
#include <linux/magic.h>
#include <mach/kern/kalloc.h>

struct mount *mountlist;
vnode_t rootvnode;
lck_mtx_t vfs_mount_lock = LCK_MTX_INITIALIZER("vfs mount");
static uint64_t vfs_next_dev = 1;

/* The types mount(2) knows (devfs also answers to Linux's "devtmpfs"). */
static const struct {
	const struct vfsops *vt_ops;
	bool vt_nodev;
	uint32_t vt_magic;
} vfs_types[] = {
	{ &ext2_vfsops, false, EXT2_SUPER_MAGIC },
	{ &tmpfs_vfsops, true, TMPFS_MAGIC },
	{ &devfs_vfsops, true, TMPFS_MAGIC }, /* devtmpfs is a tmpfs */
	{ &procfs_vfsops, true, PROC_SUPER_MAGIC },
	{ &cd9660_vfsops, false, ISOFS_SUPER_MAGIC },
};

const struct vfsops *
vfs_type_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(vfs_types); i++)
		if (strcmp(vfs_types[i].vt_ops->vfs_name, name) == 0)
			return vfs_types[i].vt_ops;
	return strcmp(name, "devtmpfs") == 0 ? &devfs_vfsops : NULL;
}

const struct vfsops *
vfs_type_at(unsigned i, bool *nodev, uint32_t *magic)
{
	if (i >= ARRAY_SIZE(vfs_types))
		return NULL;
	if (nodev != NULL)
		*nodev = vfs_types[i].vt_nodev;
	if (magic != NULL)
		*magic = vfs_types[i].vt_magic;
	return vfs_types[i].vt_ops;
}

struct find_media {
	const char *fm_label;	/* LABEL=... */
	const char *fm_name;	/* vda1 */
	struct io_media *fm_media;
};

static void
find_media_fn(struct io_service *s, unsigned depth, void *arg)
{
	struct find_media *fm = arg;
	struct io_media *m = io_media_from_service(s);
	const char *label;

	if (m == NULL || fm->fm_media != NULL)
		return;
	if (fm->fm_name != NULL && strcmp(m->im_bsd_name, fm->fm_name) == 0)
		fm->fm_media = m;
	label = os_dict_get_string(io_service_props(s), kIOMediaLabelKey);
	if (fm->fm_label != NULL && label != NULL && strcmp(label, fm->fm_label) == 0)
		fm->fm_media = m;
}

#define VFS_PROBE_MAX 16

/* The media without a partition label, retained, for the ISO 9660 label probe. */
struct probe_list {
	struct io_service *pl_s[VFS_PROBE_MAX];
	unsigned pl_n;
};

static void
probe_collect_fn(struct io_service *s, unsigned depth, void *arg)
{
	struct probe_list *pl = arg;

	if (io_media_from_service(s) != NULL && pl->pl_n < VFS_PROBE_MAX &&
	    os_dict_get_string(io_service_props(s), kIOMediaLabelKey) == NULL) {
		io_service_retain(s);
		pl->pl_s[pl->pl_n++] = s;
	}
}

static int
probe_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	return io_media_read(ctx, off, buf, len) == KERN_SUCCESS ? 0 : EIO;
}

/*
 * The media whose ISO 9660 volume identifier is label (NoCloud's seed is found so). The
 * registry walk cannot sleep, so the candidates are collected first and read after.
 */
static struct io_media *
vfs_find_iso_label(const char *label)
{
	struct probe_list pl = { .pl_n = 0 };
	char vol[CD9660_LABEL_MAX + 1];
	struct io_media *found = NULL;

	io_registry_walk(io_registry_root(), probe_collect_fn, &pl);
	for (unsigned i = 0; i < pl.pl_n; i++) {
		struct io_media *m = io_media_from_service(pl.pl_s[i]);

		if (found == NULL && cd9660_probe_label(m->im_size, probe_read, m, vol) == 0 &&
		    strcmp(vol, label) == 0)
			found = m;
		io_service_release(pl.pl_s[i]);
	}
	return found;
}

struct io_media *
vfs_find_media(const char *spec)
{
	struct find_media fm = { NULL, NULL, NULL };

	if (strncmp(spec, "LABEL=", 6) == 0)
		fm.fm_label = spec + 6;
	else if (strncmp(spec, "/dev/", 5) == 0)
		fm.fm_name = spec + 5;
	else
		fm.fm_name = spec;
	if ((fm.fm_label != NULL && fm.fm_label[0] == '\0') ||
	    (fm.fm_name != NULL && fm.fm_name[0] == '\0'))
		return NULL;
	io_registry_walk(io_registry_root(), find_media_fn, &fm);
	if (fm.fm_media == NULL && fm.fm_label != NULL)
		return vfs_find_iso_label(fm.fm_label);
	return fm.fm_media;
}

int
vfs_mount_at(const struct vfsops *ops, struct io_media *media, const char *from,
	     const char *path, int flags)
{
	struct nameidata nd = { .ni_path = path, .ni_op = LOOKUP, .ni_flags = FOLLOW };
	vnode_t covered = NULL, root = NULL;
	struct mount *mp, **pp;
	int err;

	lck_mtx_lock(&vfs_mount_lock);
	if (rootvnode == NULL && strcmp(path, "/") != 0) {
		err = ENOENT;
		goto fail;
	}
	for (mp = mountlist; media != NULL && mp != NULL; mp = mp->mnt_next) {
		if (mp->mnt_media == media) {
			err = EBUSY;
			goto fail;
		}
	}
	if (rootvnode != NULL) {
		if ((err = namei(&nd)) != 0)
			goto fail;
		covered = nd.ni_vp;
		nd.ni_vp = NULL;
		if (covered->v_type != VDIR) {
			err = ENOTDIR;
			goto fail;
		}
		if (covered->v_mountedhere != NULL) {
			err = EBUSY;
			goto fail;
		}
	}
	if ((mp = kalloc_zero(sizeof(*mp))) == NULL) {
		err = ENOMEM;
		goto fail;
	}
	mp->mnt_op = ops;
	mp->mnt_media = media;
	mp->mnt_flag = flags;
	mp->mnt_dev = vfs_next_dev++;
	ksnprintf(mp->mnt_from, sizeof(mp->mnt_from), "%s", from);
	ksnprintf(mp->mnt_on, sizeof(mp->mnt_on), "%s", path);
	if ((err = ops->vfs_mount(mp, media, flags)) != 0) {
		kfree(mp, sizeof(*mp));
		goto fail;
	}
	if ((err = ops->vfs_root(mp, &root)) != 0) {
		(void)vnode_flush_mount(mp, NULL);
		(void)ops->vfs_unmount(mp);
		kfree(mp, sizeof(*mp));
		goto fail;
	}
	mp->mnt_root = root;
	if (covered != NULL) {
		mp->mnt_vnodecovered = covered;
		covered->v_mountedhere = mp;
	} else {
		vnode_ref(root);
		rootvnode = root;
	}
	for (pp = &mountlist; *pp != NULL; pp = &(*pp)->mnt_next)
		;
	*pp = mp;
	lck_mtx_unlock(&vfs_mount_lock);
	klog(LOG_INFO, "vfs: mounted %s on %s (%s%s)\n", from, path, ops->vfs_name,
	     (mp->mnt_flag & MNT_RDONLY) ? ", read-only" : "");
	return 0;
fail:
	lck_mtx_unlock(&vfs_mount_lock);
	if (covered != NULL)
		vnode_rele(covered);
	return err;
}

static void
sync_vnode(vnode_t vp, void *arg)
{
	int *errp = arg, err;

	if (vp->v_type == VREG && (err = VOP_FSYNC(vp)) != 0 && *errp == 0)
		*errp = err;
}

static int
vfs_sync_mount(struct mount *mp)
{
	int err = 0, e;

	vnode_iterate(mp, sync_vnode, &err);
	if (mp->mnt_op->vfs_sync != NULL && (e = mp->mnt_op->vfs_sync(mp)) != 0 && err == 0)
		err = e;
	return err;
}

int
vfs_sync_all(void)
{
	int err = 0, e;

	lck_mtx_lock(&vfs_mount_lock);
	for (struct mount *mp = mountlist; mp != NULL; mp = mp->mnt_next)
		if ((e = vfs_sync_mount(mp)) != 0 && err == 0)
			err = e;
	lck_mtx_unlock(&vfs_mount_lock);
	return err;
}

/* Unmount mp. vfs_mount_lock held. */
static int
vfs_unmount_locked(struct mount *mp)
{
	struct mount **pp;
	vnode_t root = mp->mnt_root, covered = mp->mnt_vnodecovered;
	unsigned busy;
	int err;

	for (struct mount *o = mountlist; o != NULL; o = o->mnt_next)
		if (o->mnt_vnodecovered != NULL && o->mnt_vnodecovered->v_mount == mp)
			return EBUSY;
	if ((err = vfs_sync_mount(mp)) != 0)
		klog(LOG_ERR, "vfs: %s: write-back failed (error %d)\n", mp->mnt_on, err);
	if ((busy = vnode_flush_mount(mp, root)) != 0) {
		klog(LOG_WARNING, "vfs: %s: %u files in use\n", mp->mnt_on, busy);
		return EBUSY;
	}
	if (root->v_usecount != (root == rootvnode ? 2u : 1u)) {
		/* someone's current directory, or an open directory */
		klog(LOG_WARNING, "vfs: %s: its root is in use\n", mp->mnt_on);
		return EBUSY;
	}
	if (root == rootvnode) {
		vnode_rele(root);
		rootvnode = NULL;
	}
	nc_purge_all();
	vnode_rele(root);
	vnode_reclaim_root(root);
	if ((err = mp->mnt_op->vfs_unmount(mp)) != 0)
		klog(LOG_ERR, "vfs: %s: unmount failed (error %d)\n", mp->mnt_on, err);
	if (covered != NULL) {
		covered->v_mountedhere = NULL;
		vnode_rele(covered);
	}
	for (pp = &mountlist; *pp != NULL; pp = &(*pp)->mnt_next) {
		if (*pp == mp) {
			*pp = mp->mnt_next;
			break;
		}
	}
	klog(LOG_INFO, "vfs: unmounted %s from %s\n", mp->mnt_from, mp->mnt_on);
	kfree(mp, sizeof(*mp));
	return 0;
}

int
vfs_unmount_path(const char *path)
{
	struct nameidata nd = { .ni_path = path, .ni_op = LOOKUP, .ni_flags = FOLLOW };
	struct mount *mp;
	int err;

	if ((err = namei(&nd)) != 0)
		return err;
	mp = nd.ni_vp->v_mount;
	if (!(nd.ni_vp->v_flag & VROOT))
		err = EINVAL;
	namei_done(&nd);
	if (err != 0)
		return err;
	lck_mtx_lock(&vfs_mount_lock);
	err = vfs_unmount_locked(mp);
	lck_mtx_unlock(&vfs_mount_lock);
	return err;
}

void
vfs_shutdown(void)
{
	int err = vfs_sync_all();

	if (err != 0)
		klog(LOG_ERR, "vfs: sync before poweroff failed (error %d)\n", err);
	lck_mtx_lock(&vfs_mount_lock);
	/* Last mounted first: a mount never covers a directory of a later one. */
	while (mountlist != NULL) {
		struct mount *last = mountlist;

		while (last->mnt_next != NULL)
			last = last->mnt_next;
		if ((err = vfs_unmount_locked(last)) != 0) {
			klog(LOG_ERR, "vfs: cannot unmount %s (error %d): left as it is\n",
			     last->mnt_on, err);
			break;
		}
	}
	lck_mtx_unlock(&vfs_mount_lock);
}

/* Mount the root named by spec (root=); false (logged) when it cannot be. */
static bool
vfs_mountroot(const char *spec)
{
	struct io_media *m;
	char from[MNAMELEN];
	int err;

	(void)io_service_wait_quiet(); /* the disks and their partitions are published */
	if ((m = vfs_find_media(spec)) == NULL) {
		klog(LOG_ERR, "vfs: root device %s not found\n", spec);
		return false;
	}
	ksnprintf(from, sizeof(from), "/dev/%s", m->im_bsd_name);
	if ((err = vfs_mount_at(&ext2_vfsops, m, from, "/", 0)) != 0) {
		klog(LOG_ERR, "vfs: cannot mount root %s (%s): error %d\n", spec, from, err);
		return false;
	}
	return true;
}

/*
 * The initramfs as root, as Linux does when it is given one and no root=: a tmpfs on / that
 * the boot archive is unpacked into, with devfs on its /dev. False (logged) when it cannot be.
 */
static bool
vfs_mountroot_initramfs(void)
{
	int err;

	if ((err = vfs_mount_at(&tmpfs_vfsops, NULL, "rootfs", "/", 0)) != 0) {
		klog(LOG_ERR, "vfs: cannot mount a tmpfs root (error %d)\n", err);
		return false;
	}
	if ((err = bootfs_unpack()) != 0)
		klog(LOG_ERR, "vfs: the initramfs is damaged (error %d): unpacked what precedes\n",
		     err);
	if ((err = vn_mkdir("/dev", 0755)) != 0 && err != EEXIST)
		klog(LOG_WARNING, "vfs: no /dev in the initramfs root (error %d)\n", err);
	return true;
}

void
vfs_init(void)
{
	const char *root = cmdline_get(&boot_cmdline, "root");
	int err;

	vnode_init();
	debugshell_poweroff_hook = vfs_shutdown;
	if (nc_init(2048) != 0)
		klog(LOG_WARNING, "vfs: no memory for the name cache: lookups go to disk\n");
	devfs_init();
	if ((root != NULL && vfs_mountroot(root)) ||
	    (root == NULL && bootfs_init() && vfs_mountroot_initramfs())) {
		if ((err = vfs_mount_at(&devfs_vfsops, NULL, "devfs", "/dev", 0)) != 0)
			klog(LOG_WARNING, "vfs: devfs not mounted on /dev (error %d)\n", err);
		return;
	}
	if (vfs_mount_at(&devfs_vfsops, NULL, "devfs", "/", 0) == 0)
		klog(LOG_INFO, "vfs: no root file system: / is devfs\n");
}
