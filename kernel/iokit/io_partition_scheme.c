/*
 * io_partition_scheme.c — IOPartitionScheme, the driver that matches a whole-disk IOMedia, reads
 * its partition table (part_table.c: GPT, else MBR) and publishes one child IOMedia per
 * partition, as XNU's IOGUIDPartitionScheme and IOFDiskPartitionScheme do.
 *
 * The one idea: a partition is only a narrower window onto the same disk, so the child media
 * share the parent's strategy routine (io_media.c adds the offset); the scheme driver sits
 * between them in the registry: IOMedia (vda) → IOPartitionScheme → IOMedia (vda1, vda2, ...).
 * A disk with no table gets no scheme driver (start fails), so it stays a plain whole-disk
 * media. Children carry Content (type GUID, or "0xNN" for MBR), UUID, Label and Partition ID.
 */
#include <console.h>
#include <iokit/io_media.h>
#include <iokit/part_table.h>
#include <mach/kern/kalloc.h>

static kern_return_t
ps_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	return io_media_read(ctx, off, buf, len);
}

static kern_return_t
ps_probe(struct io_service *self, struct io_service *provider, int32_t *score)
{
	struct io_media *m = io_media_from_service(provider);

	return m != NULL && m->im_whole ? KERN_SUCCESS : KERN_FAILURE;
}

static void
ps_publish(struct io_service *self, struct io_media *parent, const struct pt_table *pt,
	   const struct pt_part *p)
{
	struct io_media *c;
	struct os_dict *d;
	char text[37];

	c = io_media_publish(self, "IOMedia", parent, parent->im_ops, parent->im_ctx,
			     parent->im_base + p->pp_start, p->pp_size, parent->im_blksize,
			     parent->im_writable, NULL);
	if (c == NULL)
		return;
	d = io_service_props(c->im_service);
	(void)os_dict_set_number(d, "Partition ID", p->pp_index, 32);
	if (pt->pt_scheme == PT_GPT) {
		pt_guid_text(p->pp_type, text);
		(void)os_dict_set_string(d, kIOMediaContentKey, text);
		pt_guid_text(p->pp_uuid, text);
		(void)os_dict_set_string(d, kIOMediaUUIDKey, text);
		(void)os_dict_set_string(d, kIOMediaLabelKey, p->pp_label);
	} else {
		ksnprintf(text, sizeof(text), "0x%02x", p->pp_mbr_type);
		(void)os_dict_set_string(d, kIOMediaContentKey, text);
	}
	printf("iomedia %s: partition %u, %llu KiB at %llu%s%s\n", c->im_bsd_name, p->pp_index,
	       (unsigned long long)(p->pp_size >> 10), (unsigned long long)p->pp_start,
	       p->pp_label[0] ? ", label " : "", p->pp_label);
	io_media_register(c);
}

static kern_return_t
ps_start(struct io_service *self, struct io_service *provider)
{
	struct io_media *m = io_media_from_service(provider);
	struct pt_table *pt;
	kern_return_t kr;

	if (m == NULL)
		return KERN_INVALID_ARGUMENT;
	pt = kalloc(sizeof(*pt));
	if (pt == NULL)
		return KERN_RESOURCE_SHORTAGE;
	kr = pt_table_read(pt, m->im_bsd_name, m->im_size, m->im_blksize, ps_read, m);
	if (kr != KERN_SUCCESS || pt->pt_scheme == PT_NONE) {
		if (kr != KERN_SUCCESS)
			klog(LOG_ERR, "iomedia %s: partition table unreadable (%d)\n",
			     m->im_bsd_name, kr);
		kfree(pt, sizeof(*pt));
		return KERN_FAILURE;
	}
	(void)os_dict_set_string(io_service_props(self), kIOMediaContentKey,
				 pt->pt_scheme == PT_GPT ? "GUID_partition_scheme"
							 : "FDisk_partition_scheme");
	printf("iomedia %s: %s, %u partitions%s\n", m->im_bsd_name,
	       pt->pt_scheme == PT_GPT ? "GPT" : "MBR", pt->pt_count,
	       pt->pt_used_backup ? " (from the backup header)" : "");
	for (unsigned i = 0; i < pt->pt_count; i++)
		ps_publish(self, m, pt, &pt->pt_parts[i]);
	kfree(pt, sizeof(*pt));
	return KERN_SUCCESS;
}

static const struct io_match ps_match[] = {
	{ .im_provider_class = kIOMediaClass, .im_score = 100 },
};

static const struct io_driver ps_driver = {
	.drv_class = "IOPartitionScheme",
	.drv_match = ps_match,
	.drv_nmatch = ARRAY_SIZE(ps_match),
	.drv_probe = ps_probe,
	.drv_start = ps_start,
	/* No stop: the child media are terminated before their provider (io_service_terminate). */
};
IOKIT_DRIVER(ps_driver);
