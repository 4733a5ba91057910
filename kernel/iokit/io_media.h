/*
 * io_media.h — IOMedia, the I/O Kit nub for a range of blocks on a disk (after XNU's
 * IOStorageFamily: IOBlockStorageDriver publishes a whole-disk IOMedia; partition schemes match
 * it and publish one child IOMedia per partition).
 *
 * The one idea: a media is a window [im_base, im_base + im_size) onto its disk's strategy
 * routine. A whole disk has base 0; a partition copies its parent's strategy and adds its
 * offset. Every read and write is checked against the window and the block size here, once,
 * so drivers and partition schemes never see an out-of-range request, and BSD (bsd/dev) reaches
 * a disk only through io_media_read/write on a media it found in the registry.
 */
#ifndef _IOKIT_IO_MEDIA_H_
#define _IOKIT_IO_MEDIA_H_

#include <iokit/io_service.h>
#include <libkern/libkern.h>
#include <mach/kern/kern_return.h>

#define kIOMediaClass		"IOMedia"
#define kIOMediaSizeKey		"Size"
#define kIOMediaBlockSizeKey	"Preferred Block Size"
#define kIOMediaWritableKey	"Writable"
#define kIOMediaWholeKey	"Whole"
#define kIOMediaBaseKey		"Base"
#define kIOMediaContentKey	"Content"      /* partition type GUID (text), or scheme name */
#define kIOMediaUUIDKey		"UUID"	       /* partition GUID (text) */
#define kIOMediaLabelKey	"Label"
#define kIOMediaBSDNameKey	"BSD Name"     /* vda, vda1, ... */

/*
 * What a disk driver provides. strategy transfers len bytes at byte offset off of the whole
 * disk to or from buf (any kernel virtual address; it need not be physically contiguous).
 * The media layer has checked that off and len are multiples of the block size and inside
 * the disk. May sleep. Returns KERN_SUCCESS, KERN_FAILURE (I/O error reported by the device),
 * KERN_INVALID_VALUE (the device does not support the request),
 * KERN_PROTECTION_FAILURE (read-only), KERN_INVALID_ADDRESS (buf not mapped),
 * KERN_ABORTED (the device went away).
 */
struct io_media_ops {
	kern_return_t (*mo_strategy)(void *ctx, bool write, uint64_t off, void *buf, size_t len);
	kern_return_t (*mo_flush)(void *ctx); /* NULL: nothing to flush */
};

struct io_media {
	struct io_service *im_service;
	const struct io_media_ops *im_ops;
	void *im_ctx;
	uint64_t im_base;     /* byte offset on the whole disk */
	uint64_t im_size;     /* bytes */
	uint32_t im_blksize;  /* a power of two, 512..65536 */
	bool im_writable;
	bool im_whole;
	char im_bsd_name[16];
	unsigned im_nparts;   /* for naming children vdaN */
};

/*
 * io_media_publish: create an IOMedia nub named name below provider for the window
 * [base, base + size) of the disk reached through ops/ctx, set its properties, attach and
 * attach it; the caller may add properties, then calls io_media_register(), which starts
 * matching (a partition scheme may start on it). bsd_name is "vda" for a whole disk; NULL for a
 * partition of parent takes the parent's name plus the next number.
 *   Returns: the media (owned by its nub; valid until the nub is terminated), or NULL
 *            (bad geometry, memory short; logged).
 * XXX: the struct io_media is not freed when its nub terminates (no bus_priv destructor yet).
 */
struct io_media *io_media_publish(struct io_service *provider, const char *name,
				  struct io_media *parent, const struct io_media_ops *ops,
				  void *ctx, uint64_t base, uint64_t size, uint32_t blksize,
				  bool writable, const char *bsd_name);

/* io_media_register: publish m's nub (matching runs) and drop the publisher's reference. */
void io_media_register(struct io_media *m);

/* The media behind an IOMedia nub, or NULL. */
struct io_media *io_media_from_service(struct io_service *s);

/*
 * io_media_read / io_media_write: transfer len bytes at byte offset off of media m.
 *   Returns: KERN_SUCCESS; KERN_INVALID_ARGUMENT (off or len not a multiple of the block
 *            size, len 0, or past the end); KERN_PROTECTION_FAILURE (write to read-only
 *            media); or what the driver's strategy returned.
 */
kern_return_t io_media_read(struct io_media *m, uint64_t off, void *buf, size_t len);
kern_return_t io_media_write(struct io_media *m, uint64_t off, const void *buf, size_t len);
/* io_media_flush: ask the disk to make completed writes durable. */
kern_return_t io_media_flush(struct io_media *m);

#endif /* _IOKIT_IO_MEDIA_H_ */
