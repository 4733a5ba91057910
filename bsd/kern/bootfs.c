/*
 * bootfs.c — the boot module as a read-only file system (see bootfs.h). The module stays where
 * the loader put it (startup keeps module ranges out of the page allocator) and is read through
 * the direct map; cpio.c checks every field.
 */
#include <mach/vm/vm_param.h>
#include <boot/bootinfo.h>
#include <bsd/kern/bootfs.h>
#include <bsd/kern/cpio.h>
#include <bsd/sys/errno.h>
#include <console.h>

extern struct boot_info boot_info;

static const uint8_t *bootfs_base;
static size_t bootfs_size;

bool
bootfs_init(void)
{
	for (uint32_t i = 0; i < boot_info.nmod; i++) {
		const struct boot_module *m = &boot_info.mod[i];
		const uint8_t *base = phystokv(m->base);
		struct cpio_entry e;
		size_t off = 0, files = 0;
		int r;

		if (m->size < 6 || memcmp(base, "070701", 6) != 0)
			continue;
		while ((r = cpio_next(base, m->size, &off, &e)) == 1)
			files++;
		if (r < 0)
			klog(LOG_WARNING, "bootfs: module %u: malformed cpio after %zu entries; "
					  "using what precedes\n", i, files);
		bootfs_base = base;
		bootfs_size = m->size;
		printf("bootfs: module %u, %llu bytes, %zu entries\n", i,
		       (unsigned long long)m->size, files);
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
