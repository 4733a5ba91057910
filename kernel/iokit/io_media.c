/*
 * io_media.c — IOMedia nubs and their checked read/write path (see io_media.h; after XNU's
 * IOMedia in IOStorageFamily).
 *
 * The one idea: the checks live here, not in drivers: a request must be block aligned and
 * inside the media's window, and a write needs a writable media. The window is then shifted
 * by the media's base and handed to the whole disk's strategy routine.
 */
#include <console.h>
#include <iokit/io_media.h>
#include <mach/kern/kalloc.h>

static bool
media_range_ok(const struct io_media *m, uint64_t off, size_t len)
{
	uint64_t mask = m->im_blksize - 1;

	return len != 0 && (off & mask) == 0 && (len & mask) == 0 && off <= m->im_size &&
	       len <= m->im_size - off;
}

struct io_media *
io_media_publish(struct io_service *provider, const char *name, struct io_media *parent,
		 const struct io_media_ops *ops, void *ctx, uint64_t base, uint64_t size,
		 uint32_t blksize, bool writable, const char *bsd_name)
{
	struct io_media *m;
	struct io_service *s;
	struct os_dict *d;

	if (blksize < 512 || blksize > 65536 || (blksize & (blksize - 1)) != 0 ||
	    size < blksize || (size & (blksize - 1)) != 0 || (base & (blksize - 1)) != 0) {
		klog(LOG_ERR, "iomedia %s: bad geometry (size %llu, block %u)\n", name,
		     (unsigned long long)size, blksize);
		return NULL;
	}
	m = kalloc_zero(sizeof(*m));
	if (m == NULL)
		return NULL;
	m->im_ops = ops;
	m->im_ctx = ctx;
	m->im_base = base;
	m->im_size = size;
	m->im_blksize = blksize;
	m->im_writable = writable;
	m->im_whole = parent == NULL;
	if (bsd_name != NULL)
		ksnprintf(m->im_bsd_name, sizeof(m->im_bsd_name), "%s", bsd_name);
	else if (parent != NULL)
		ksnprintf(m->im_bsd_name, sizeof(m->im_bsd_name), "%s%u", parent->im_bsd_name,
			  ++parent->im_nparts);
	s = io_service_create(kIOMediaClass, name, "", m);
	if (s == NULL) {
		kfree(m, sizeof(*m));
		return NULL;
	}
	m->im_service = s;
	d = io_service_props(s);
	if (os_dict_set_number(d, kIOMediaSizeKey, size, 64) != KERN_SUCCESS ||
	    os_dict_set_number(d, kIOMediaBlockSizeKey, blksize, 32) != KERN_SUCCESS ||
	    os_dict_set_number(d, kIOMediaBaseKey, base, 64) != KERN_SUCCESS ||
	    os_dict_set_bool(d, kIOMediaWritableKey, writable) != KERN_SUCCESS ||
	    os_dict_set_bool(d, kIOMediaWholeKey, m->im_whole) != KERN_SUCCESS ||
	    os_dict_set_string(d, kIOMediaBSDNameKey, m->im_bsd_name) != KERN_SUCCESS ||
	    io_service_attach(s, provider) != KERN_SUCCESS) {
		klog(LOG_ERR, "iomedia %s: cannot publish\n", name);
		io_service_release(s);
		kfree(m, sizeof(*m));
		return NULL;
	}
	return m;
}

void
io_media_register(struct io_media *m)
{
	(void)io_service_register(m->im_service);
	/* The registry holds the nub now (attach took a reference). */
	io_service_release(m->im_service);
}

struct io_media *
io_media_from_service(struct io_service *s)
{
	if (s == NULL || !io_service_is_class(s, kIOMediaClass))
		return NULL;
	return io_service_bus_priv(s);
}

kern_return_t
io_media_read(struct io_media *m, uint64_t off, void *buf, size_t len)
{
	if (!media_range_ok(m, off, len))
		return KERN_INVALID_ARGUMENT;
	return m->im_ops->mo_strategy(m->im_ctx, false, m->im_base + off, buf, len);
}

kern_return_t
io_media_write(struct io_media *m, uint64_t off, const void *buf, size_t len)
{
	if (!media_range_ok(m, off, len))
		return KERN_INVALID_ARGUMENT;
	if (!m->im_writable)
		return KERN_PROTECTION_FAILURE;
	return m->im_ops->mo_strategy(m->im_ctx, true, m->im_base + off, (void *)buf, len);
}

kern_return_t
io_media_flush(struct io_media *m)
{
	if (m->im_ops->mo_flush == NULL)
		return KERN_SUCCESS;
	return m->im_ops->mo_flush(m->im_ctx);
}
