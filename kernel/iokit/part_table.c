/*
 * part_table.c — GPT and MBR parsing (see part_table.h). UEFI 2.10 §5.3.2 (GPT header and its
 * validity rules), §5.3.3 (entry array), §5.2.1 (legacy MBR) and §5.2.3 (protective MBR).
 *
 * The one idea: every number read from the disk is bounded before it is used in arithmetic or
 * as a size: LBAs against the disk, entry counts and sizes against PT_MAX_ARRAY, and
 * multiplications are done only after those bounds make them safe from overflow.
 */
#include <console.h>
#include <iokit/part_table.h>
#include <mach/kern/kalloc.h>

#define GPT_SIG		 "EFI PART"
#define GPT_HDR_MIN	 92
#define GPT_ENTRY_MIN	 128
#define MBR_SIG_OFF	 510
#define MBR_PART_OFF	 446
#define MBR_TYPE_GPT	 0xee
#define MBR_TYPE_EXT	 0x05
#define MBR_TYPE_EXT_LBA 0x0f

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

uint32_t
pt_crc32(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c = 0xffffffffu;

	while (len--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

void
pt_guid_text(const uint8_t g[16], char out[37])
{
	ksnprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", le32(g),
		  (unsigned)(g[4] | g[5] << 8), (unsigned)(g[6] | g[7] << 8), g[8], g[9], g[10],
		  g[11], g[12], g[13], g[14], g[15]);
}

static bool
guid_zero(const uint8_t *g)
{
	for (int i = 0; i < 16; i++)
		if (g[i] != 0)
			return false;
	return true;
}

/* UTF-16LE (up to n units, NUL-terminated or not) to UTF-8; unpaired surrogates become '?'. */
static void
label_utf8(const uint8_t *u16, unsigned n, char *out, size_t outlen)
{
	size_t o = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t c = u16[2 * i] | (uint32_t)u16[2 * i + 1] << 8;

		if (c == 0)
			break;
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
			uint32_t d = u16[2 * i + 2] | (uint32_t)u16[2 * i + 3] << 8;

			if (d >= 0xdc00 && d < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
				i++;
			} else {
				c = '?';
			}
		} else if (c >= 0xd800 && c < 0xe000) {
			c = '?';
		}
		if (c < 0x80 && o + 1 < outlen) {
			out[o++] = (char)c;
		} else if (c < 0x800 && o + 2 < outlen) {
			out[o++] = (char)(0xc0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000 && o + 3 < outlen) {
			out[o++] = (char)(0xe0 | c >> 12);
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else if (c >= 0x10000 && o + 4 < outlen) {
			out[o++] = (char)(0xf0 | c >> 18);
			out[o++] = (char)(0x80 | ((c >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			break;
		}
	}
	out[o] = '\0';
}

/* Does [start, start + size) overlap a partition already accepted? */
static bool
overlaps(const struct pt_table *pt, uint64_t start, uint64_t size)
{
	for (unsigned i = 0; i < pt->pt_count; i++) {
		const struct pt_part *q = &pt->pt_parts[i];

		if (start < q->pp_start + q->pp_size && q->pp_start < start + size)
			return true;
	}
	return false;
}

struct gpt_hdr {
	uint64_t my_lba, alt_lba, first_lba, last_lba, array_lba;
	uint32_t nentries, entry_size;
	uint32_t array_crc;
	uint8_t disk_guid[16];
};

/*
 * Read and check the GPT header at lba (§5.3.2's rules) and its entry array. On success,
 * *arrayp holds the array (kalloc, *arraylen bytes).
 */
static kern_return_t
gpt_load(const char *name, uint64_t lba, uint64_t nlba, uint32_t bs, pt_read_fn rd, void *ctx,
	 uint8_t *blk, struct gpt_hdr *h, uint8_t **arrayp, size_t *arraylen)
{
	uint32_t hsize, crc;
	uint64_t array_blocks, array_end;
	size_t alen;
	uint8_t *array;
	kern_return_t kr;
	const char *why = NULL;

	kr = rd(ctx, lba * bs, blk, bs);
	if (kr != KERN_SUCCESS)
		return kr;
	if (memcmp(blk, GPT_SIG, 8) != 0)
		return KERN_INVALID_VALUE; /* no header here: not worth a log line */
	hsize = le32(blk + 12);
	if (hsize < GPT_HDR_MIN || hsize > bs) {
		why = "header size out of range";
		goto bad;
	}
	crc = le32(blk + 16);
	memset(blk + 16, 0, 4);
	if (pt_crc32(blk, hsize) != crc) {
		why = "header CRC32 mismatch";
		goto bad;
	}
	h->my_lba = le64(blk + 24);
	h->alt_lba = le64(blk + 32);
	h->first_lba = le64(blk + 40);
	h->last_lba = le64(blk + 48);
	memcpy(h->disk_guid, blk + 56, 16);
	h->array_lba = le64(blk + 72);
	h->nentries = le32(blk + 80);
	h->entry_size = le32(blk + 84);
	h->array_crc = le32(blk + 88);
	if (h->my_lba != lba) {
		why = "header's own LBA is wrong";
		goto bad;
	}
	if (h->first_lba > h->last_lba || h->last_lba >= nlba - 1 || h->first_lba < 2) {
		why = "usable LBA range outside the disk";
		goto bad;
	}
	if (h->entry_size < GPT_ENTRY_MIN || (h->entry_size & (h->entry_size - 1)) != 0 ||
	    h->nentries == 0 || h->nentries > PT_MAX_ARRAY / GPT_ENTRY_MIN ||
	    (uint64_t)h->nentries * h->entry_size > PT_MAX_ARRAY) {
		why = "entry count or size out of range";
		goto bad;
	}
	alen = (size_t)h->nentries * h->entry_size;
	array_blocks = (alen + bs - 1) / bs;
	if (h->array_lba < 2 || h->array_lba >= nlba || array_blocks > nlba - h->array_lba) {
		why = "entry array outside the disk";
		goto bad;
	}
	array_end = h->array_lba + array_blocks; /* exclusive */
	if ((h->array_lba <= h->last_lba && array_end > h->first_lba) ||
	    (lba >= h->array_lba && lba < array_end)) {
		why = "entry array overlaps the usable space or the header";
		goto bad;
	}
	array = kalloc(array_blocks * bs);
	if (array == NULL)
		return KERN_RESOURCE_SHORTAGE;
	kr = rd(ctx, h->array_lba * bs, array, array_blocks * bs);
	if (kr != KERN_SUCCESS) {
		kfree(array, array_blocks * bs);
		return kr;
	}
	if (pt_crc32(array, alen) != h->array_crc) {
		kfree(array, array_blocks * bs);
		why = "entry array CRC32 mismatch";
		goto bad;
	}
	*arrayp = array;
	*arraylen = array_blocks * bs;
	return KERN_SUCCESS;
bad:
	klog(LOG_WARNING, "gpt %s: header at LBA %llu: %s\n", name, (unsigned long long)lba, why);
	return KERN_INVALID_VALUE;
}

static void
gpt_entries(struct pt_table *pt, const char *name, const struct gpt_hdr *h,
	    const uint8_t *array, uint32_t bs)
{
	for (uint32_t i = 0; i < h->nentries; i++) {
		const uint8_t *e = array + (size_t)i * h->entry_size;
		uint64_t first = le64(e + 32), last = le64(e + 40);
		struct pt_part *p;

		if (guid_zero(e))
			continue;
		if (first > last || first < h->first_lba || last > h->last_lba) {
			klog(LOG_WARNING, "gpt %s: entry %u: LBAs %llu..%llu outside %llu..%llu\n",
			     name, i + 1, (unsigned long long)first, (unsigned long long)last,
			     (unsigned long long)h->first_lba, (unsigned long long)h->last_lba);
			continue;
		}
		if (overlaps(pt, first * bs, (last - first + 1) * bs)) {
			klog(LOG_WARNING, "gpt %s: entry %u overlaps an earlier one\n", name, i + 1);
			continue;
		}
		if (pt->pt_count == PT_MAX_PARTS) {
			klog(LOG_WARNING, "gpt %s: more than %u partitions; the rest ignored\n",
			     name, PT_MAX_PARTS);
			return;
		}
		p = &pt->pt_parts[pt->pt_count++];
		memset(p, 0, sizeof(*p));
		p->pp_index = i + 1;
		p->pp_start = first * bs;
		p->pp_size = (last - first + 1) * bs;
		memcpy(p->pp_type, e, 16);
		memcpy(p->pp_uuid, e + 16, 16);
		p->pp_attrs = le64(e + 48);
		label_utf8(e + 56, 36, p->pp_label, sizeof(p->pp_label));
	}
}

/* Try the GPT at lba; fill pt on success. */
static kern_return_t
gpt_try(struct pt_table *pt, const char *name, uint64_t lba, uint64_t nlba, uint32_t bs,
	pt_read_fn rd, void *ctx, uint8_t *blk)
{
	struct gpt_hdr h;
	uint8_t *array;
	size_t alen;
	kern_return_t kr;

	kr = gpt_load(name, lba, nlba, bs, rd, ctx, blk, &h, &array, &alen);
	if (kr != KERN_SUCCESS)
		return kr;
	pt->pt_scheme = PT_GPT;
	pt->pt_count = 0;
	memcpy(pt->pt_disk_guid, h.disk_guid, 16);
	gpt_entries(pt, name, &h, array, bs);
	kfree(array, alen);
	return KERN_SUCCESS;
}

/* The MBR in blk (one block, signature checked): its primary partitions. */
static kern_return_t
mbr_parse(struct pt_table *pt, const char *name, const uint8_t *blk, uint64_t nlba, uint32_t bs)
{
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = blk + MBR_PART_OFF + 16 * i;

		if (e[0] != 0 && e[0] != 0x80)
			return KERN_INVALID_VALUE; /* not a partition table (a boot record) */
	}
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = blk + MBR_PART_OFF + 16 * i;
		uint64_t start = le32(e + 8), count = le32(e + 12);
		struct pt_part *p;

		if (e[4] == 0 || count == 0)
			continue;
		if (e[4] == MBR_TYPE_EXT || e[4] == MBR_TYPE_EXT_LBA) {
			/* XXX: logical partitions in extended ones are not followed yet. */
			klog(LOG_NOTICE, "mbr %s: slot %u is extended; logical partitions ignored\n",
			     name, i + 1);
			continue;
		}
		if (start == 0 || start >= nlba || count > nlba - start) {
			klog(LOG_WARNING, "mbr %s: slot %u (%llu+%llu) outside the disk\n", name,
			     i + 1, (unsigned long long)start, (unsigned long long)count);
			continue;
		}
		if (overlaps(pt, start * bs, count * bs)) {
			klog(LOG_WARNING, "mbr %s: slot %u overlaps an earlier one\n", name, i + 1);
			continue;
		}
		p = &pt->pt_parts[pt->pt_count++];
		memset(p, 0, sizeof(*p));
		p->pp_index = i + 1;
		p->pp_start = start * bs;
		p->pp_size = count * bs;
		p->pp_mbr_type = e[4];
	}
	pt->pt_scheme = PT_MBR;
	return KERN_SUCCESS;
}

kern_return_t
pt_table_read(struct pt_table *pt, const char *name, uint64_t disk_size, uint32_t blksize,
	      pt_read_fn rd, void *ctx)
{
	uint64_t nlba;
	bool protective = false, mbr = false;
	uint8_t *blk;
	kern_return_t kr;

	memset(pt, 0, sizeof(*pt));
	if (blksize < 512 || blksize > 65536 || (blksize & (blksize - 1)) != 0)
		return KERN_INVALID_ARGUMENT;
	nlba = disk_size / blksize;
	if (nlba < 1)
		return KERN_INVALID_ARGUMENT;
	blk = kalloc(blksize);
	if (blk == NULL)
		return KERN_RESOURCE_SHORTAGE;
	kr = rd(ctx, 0, blk, blksize);
	if (kr != KERN_SUCCESS)
		goto out;
	if (blk[MBR_SIG_OFF] == 0x55 && blk[MBR_SIG_OFF + 1] == 0xaa) {
		mbr = true;
		for (unsigned i = 0; i < 4; i++)
			if (blk[MBR_PART_OFF + 16 * i + 4] == MBR_TYPE_GPT)
				protective = true;
	}
	if (nlba >= 4) {
		/* The GPT wins over the MBR: a hybrid MBR only mirrors it for old firmware. */
		kr = gpt_try(pt, name, 1, nlba, blksize, rd, ctx, blk);
		if (kr == KERN_INVALID_VALUE) {
			kr = gpt_try(pt, name, nlba - 1, nlba, blksize, rd, ctx, blk);
			if (kr == KERN_SUCCESS) {
				pt->pt_used_backup = true;
				klog(LOG_WARNING, "gpt %s: primary header bad; using the backup\n",
				     name);
			}
		}
		if (kr != KERN_INVALID_VALUE)
			goto out; /* a GPT, or a read error */
	}
	kr = KERN_SUCCESS;
	if (protective) {
		klog(LOG_ERR, "gpt %s: protective MBR but no valid GPT header\n", name);
		kr = KERN_INVALID_VALUE;
		goto out;
	}
	if (mbr) {
		kr = rd(ctx, 0, blk, blksize);
		if (kr == KERN_SUCCESS && mbr_parse(pt, name, blk, nlba, blksize) != KERN_SUCCESS)
			pt->pt_scheme = PT_NONE;
	}
out:
	kfree(blk, blksize);
	return kr;
}
