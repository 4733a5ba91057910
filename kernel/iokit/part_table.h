/*
 * part_table.h — the partition table parser behind IOPartitionScheme: GPT (UEFI 2.10 §5.3) and
 * MBR (UEFI 2.10 §5.2.1, including the protective MBR of §5.2.3), portable and hosted-tested.
 *
 * The one idea: the parser reads through a callback and trusts nothing it reads. A GPT header
 * counts only when its signature, size, CRC32, own LBA, usable range and entry array (bounds and
 * CRC32) all check out; when the primary fails, the backup at the last LBA is tried. Entries
 * outside the usable range, reversed, or overlapping an earlier one are dropped with a log line.
 */
#ifndef _IOKIT_PART_TABLE_H_
#define _IOKIT_PART_TABLE_H_

#include <libkern/libkern.h>
#include <mach/kern/kern_return.h>

#define PT_MAX_PARTS	  128
#define PT_MAX_ARRAY	  (1u << 20) /* largest GPT entry array read (bytes) */
#define PT_LABEL_MAX	  (36 * 3 + 1) /* 36 UTF-16 units as UTF-8, NUL */

enum pt_scheme { PT_NONE, PT_MBR, PT_GPT };

struct pt_part {
	unsigned pp_index;	 /* 1-based: GPT entry number, MBR slot */
	uint64_t pp_start;	 /* bytes from the start of the disk */
	uint64_t pp_size;	 /* bytes */
	uint8_t pp_type[16];	 /* GPT type GUID (on-disk byte order) */
	uint8_t pp_uuid[16];	 /* GPT unique partition GUID */
	uint64_t pp_attrs;	 /* GPT attributes */
	uint8_t pp_mbr_type;	 /* MBR system id */
	char pp_label[PT_LABEL_MAX];
};

struct pt_table {
	enum pt_scheme pt_scheme;
	bool pt_used_backup;	 /* GPT: the primary header or array was bad */
	uint8_t pt_disk_guid[16];
	unsigned pt_count;
	struct pt_part pt_parts[PT_MAX_PARTS];
};

/* Read len bytes at byte offset off; KERN_SUCCESS or an error that ends the parse. */
typedef kern_return_t (*pt_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);

/*
 * pt_table_read: find and parse the partition table of a disk of disk_size bytes with logical
 * blocks of blksize (512..65536, a power of two). name is for log lines.
 *   Returns: KERN_SUCCESS (pt filled; pt_scheme PT_NONE when the disk has no table);
 *            KERN_INVALID_VALUE (a protective MBR but neither GPT header is valid: logged);
 *            KERN_INVALID_ARGUMENT (bad geometry); KERN_RESOURCE_SHORTAGE; or the read error.
 */
kern_return_t pt_table_read(struct pt_table *pt, const char *name, uint64_t disk_size,
			    uint32_t blksize, pt_read_fn rd, void *ctx);

/* The CRC32 of UEFI (ISO-HDLC / IEEE 802.3, reflected, poly 0xedb88320) of len bytes. */
uint32_t pt_crc32(const void *buf, size_t len);

/* Format a GUID (on-disk mixed-endian order) as text: 37 bytes with the NUL. */
void pt_guid_text(const uint8_t guid[16], char out[37]);

#endif /* _IOKIT_PART_TABLE_H_ */
