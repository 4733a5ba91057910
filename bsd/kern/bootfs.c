/*
 * bootfs.c — the boot module as a read-only file system (see bootfs.h). The module stays where
 * the loader put it (startup keeps module ranges out of the page allocator) and is read through
 * the direct map; cpio.c checks every field. A gzip'd module (how initramfs images usually come)
 * is inflated first into wired kernel memory, sized by its trailer and checked by its CRC. bootfs_unpack copies it into the mounted root (an
 * initramfs, as Linux's init/initramfs.c unpacks one into its rootfs).
 */
#include <mach/vm/vm_param.h>
#include <boot/bootinfo.h>
#include <bsd/kern/bootfs.h>
#include <bsd/kern/cpio.h>
#include <bsd/kern/inflate.h>
#include <bsd/sys/errno.h>
#include <bsd/sys/vfs_file.h>
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/vm_kern.h>

extern struct boot_info boot_info;

#define PATH_MAX_BOOTFS 4096

static const uint8_t *bootfs_base;
static size_t bootfs_size;
static bool bootfs_found;	/* an archive was found (it may be unpacked and gone since) */
static vaddr_t bootfs_inflated;	/* the inflated copy (kmem), or 0 */
static size_t bootfs_inflated_size;

/*
 * Inflate the gzip'd module at base (size bytes) into new wired memory. Returns the archive's
 * bytes and *len, or NULL (logged). XXX: one gzip member only (no concatenated archives), and
 * the memory is kept for the kernel's life, as the module itself is.
 */
static const uint8_t *
bootfs_gunzip(uint32_t i, const uint8_t *base, size_t size, size_t *len)
{
	uint32_t hint = gzip_size_hint(base, size);
	size_t used;
	vaddr_t out;
	int err;

	if (hint == 0 || kmem_alloc(hint, &out) != KERN_SUCCESS) {
		klog(LOG_ERR, "bootfs: module %u: no room for its %u bytes inflated\n", i, hint);
		return NULL;
	}
	if ((err = gzip_inflate(base, size, (void *)out, hint, len, &used)) != 0) {
		klog(LOG_ERR, "bootfs: module %u: gzip data damaged (error %d)\n", i, err);
		kmem_free(out, hint);
		return NULL;
	}
	printf("bootfs: module %u inflated, %zu bytes from %zu\n", i, *len, used);
	return (const uint8_t *)out;
}

bool
bootfs_init(void)
{
	if (bootfs_found)
		return true; /* found already (vfs_init looks first, for an initramfs root) */
	for (uint32_t i = 0; i < boot_info.nmod; i++) {
		const struct boot_module *m = &boot_info.mod[i];
		const uint8_t *base = phystokv(m->base);
		size_t size = m->size, off = 0, files = 0;
		struct cpio_entry e;
		int r;

		bool inflated = gzip_is(base, size);

		if (inflated && (base = bootfs_gunzip(i, base, size, &size)) == NULL)
			continue;
		if (size < 6 || memcmp(base, "070701", 6) != 0) {
			if (inflated)
				kmem_free((vaddr_t)base, gzip_size_hint(phystokv(m->base), m->size));
			continue;
		}
		while ((r = cpio_next(base, size, &off, &e)) == 1)
			files++;
		if (r < 0)
			klog(LOG_WARNING, "bootfs: module %u: malformed cpio after %zu entries; "
					  "using what precedes\n", i, files);
		bootfs_base = base;
		bootfs_size = size;
		bootfs_found = true;
		if (inflated) {
			bootfs_inflated = (vaddr_t)base;
			bootfs_inflated_size = gzip_size_hint(phystokv(m->base), m->size);
		}
		printf("bootfs: module %u, %llu bytes, %zu entries\n", i, (unsigned long long)size,
		       files);
		return true;
	}
	return false;
}

/* The reader's context is the file's bytes inside the module, which never goes away; a read
 * that would leave the module is refused (the parsers should never ask for one). */
static int
bootfs_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	const uint8_t *p = ctx;
	size_t start = (size_t)(p - bootfs_base);

	if (off > bootfs_size - start || len > bootfs_size - start - off) {
		klog(LOG_ERR, "bootfs: read of %zu bytes at %llu outside the module\n", len,
		     (unsigned long long)off);
		return EIO;
	}
	memcpy(buf, p + off, len);
	return 0;
}

int
bootfs_open(const char *path, struct exec_reader *r)
{
	struct cpio_entry e;
	int err;

	if (bootfs_base == NULL)
		return ENOENT;
	if ((err = cpio_lookup(bootfs_base, bootfs_size, path, &e)) != 0)
		return err;
	if ((e.ce_mode & CPIO_S_IFMT) != CPIO_S_IFREG)
		return EACCES;
	r->er_read = bootfs_read;
	r->er_ctx = (void *)(uintptr_t)e.ce_data;
	r->er_size = e.ce_size;
	return 0;
}

/* Make one archive entry at path (absolute). Returns 0 or an errno (the entry is skipped). */
static int
bootfs_unpack_one(const struct cpio_entry *e, const char *path)
{
	uint32_t perm = e->ce_mode & 07777;
	char *target;
	size_t resid;
	vnode_t vp;
	int err;

	switch (e->ce_mode & CPIO_S_IFMT) {
	case CPIO_S_IFDIR:
		err = vn_mkdir(path, perm);
		return err == EEXIST ? 0 : err;
	case CPIO_S_IFLNK:
		if (e->ce_size == 0 || e->ce_size >= 4096)
			return EINVAL;
		if ((target = kalloc(e->ce_size + 1)) == NULL)
			return ENOMEM;
		memcpy(target, e->ce_data, e->ce_size);
		target[e->ce_size] = '\0';
		(void)vn_remove(path); /* a later entry of the same name wins, as on Linux */
		err = vn_symlink(target, path);
		kfree(target, e->ce_size + 1);
		return err;
	case CPIO_S_IFREG:
		(void)vn_remove(path);
		if ((err = vn_open(path, O_WRONLY | O_CREAT | O_TRUNC, perm, &vp)) != 0)
			return err;
		err = vn_rdwr(UIO_WRITE, vp, (void *)(uintptr_t)e->ce_data, e->ce_size, 0,
			      UIO_SYSSPACE, 0, &resid);
		if (err == 0 && resid != 0)
			err = EIO;
		/* Into the file system's own store: the cache may then drop the pages. */
		if (err == 0)
			err = vn_fsync(vp);
		(void)vn_close(vp, O_WRONLY);
		return err;
	default:
		/* XXX: device nodes, FIFOs and sockets of an archive are not made (tmpfs has none). */
		return EOPNOTSUPP;
	}
}

int
bootfs_unpack(void)
{
	struct cpio_entry e;
	size_t off = 0, files = 0, skipped = 0;
	char *path;
	int r, err;

	if (bootfs_base == NULL)
		return ENOENT;
	if ((path = kalloc(PATH_MAX_BOOTFS)) == NULL)
		return ENOMEM;
	while ((r = cpio_next(bootfs_base, bootfs_size, &off, &e)) == 1) {
		if (e.ce_namelen == 0)
			continue; /* "." : the root itself */
		if (e.ce_namelen + 2 > PATH_MAX_BOOTFS) {
			skipped++;
			continue;
		}
		path[0] = '/';
		memcpy(path + 1, e.ce_name, e.ce_namelen + 1);
		if ((err = bootfs_unpack_one(&e, path)) != 0) {
			klog(LOG_WARNING, "bootfs: %s not unpacked (error %d)\n", path, err);
			skipped++;
			continue;
		}
		files++;
	}
	kfree(path, PATH_MAX_BOOTFS);
	printf("bootfs: unpacked %zu entries into / (%zu skipped)\n", files, skipped);
	/* Its files live in / now: the inflated copy goes (as Linux frees its initramfs).
	 * XXX: the module itself stays reserved: startup never hands it to the page allocator. */
	if (bootfs_inflated != 0) {
		kmem_free(bootfs_inflated, bootfs_inflated_size);
		bootfs_inflated = 0;
		bootfs_base = NULL;
		bootfs_size = 0;
	}
	return r < 0 ? EINVAL : 0;
}
