/*
 * part_table_test.c — unit tests for kernel/iokit/part_table.c over disk images assembled in
 * memory by the test (GPT with protective MBR, primary and backup; a plain MBR), correct and
 * corrupted: a bad primary header or array falls back to the backup, both bad is an error,
 * hostile entries are dropped, and 4 KiB-block disks work.
 */
// unit-deps: tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <criterion/criterion.h>
#include <iokit/part_table.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *disk;
static size_t disk_len;

static kern_return_t
mem_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	(void)ctx;
	if (off > disk_len || len > disk_len - off)
		return KERN_FAILURE;
	memcpy(buf, disk + off, len);
	return KERN_SUCCESS;
}

static void
put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* The Linux filesystem data type GUID, 0fc63daf-8483-4772-8e79-3d69d8477de4, on disk. */
static const uint8_t linux_fs[16] = { 0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
				      0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4 };

#define NENT 128
#define ESZ  128

static uint32_t bs;
static uint64_t nlba;

static void
set_entry(unsigned i, uint64_t first, uint64_t last, const char *label)
{
	uint8_t *e = disk + 2 * bs + (size_t)i * ESZ;

	memcpy(e, linux_fs, 16);
	memset(e + 16, 0x11 * (i + 1), 16);
	put64(e + 32, first);
	put64(e + 40, last);
	for (size_t k = 0; label[k] && k < 36; k++)
		e[56 + 2 * k] = (uint8_t)label[k];
}

/* Write headers (and the backup array copy) for the entries now at LBA 2. */
static void
seal(void)
{
	uint64_t array_blocks = (NENT * ESZ + bs - 1) / bs;
	uint64_t first = 2 + array_blocks, last = nlba - 2 - array_blocks;
	uint64_t alt_array = nlba - 1 - array_blocks;
	uint32_t acrc = pt_crc32(disk + 2 * bs, NENT * ESZ);

	memcpy(disk + alt_array * bs, disk + 2 * bs, NENT * ESZ);
	for (int copy = 0; copy < 2; copy++) {
		uint64_t my = copy == 0 ? 1 : nlba - 1;
		uint8_t *h = disk + my * bs;

		memset(h, 0, bs);
		memcpy(h, "EFI PART", 8);
		put32(h + 8, 0x00010000);
		put32(h + 12, 92);
		put64(h + 24, my);
		put64(h + 32, copy == 0 ? nlba - 1 : 1);
		put64(h + 40, first);
		put64(h + 48, last);
		memset(h + 56, 0xab, 16);
		put64(h + 72, copy == 0 ? 2 : alt_array);
		put32(h + 80, NENT);
		put32(h + 84, ESZ);
		put32(h + 88, acrc);
		put32(h + 16, pt_crc32(h, 92));
	}
}

/* A disk of n blocks of size b with a protective MBR and a GPT of two partitions. */
static void
make_gpt(uint32_t b, uint64_t n)
{
	free(disk);
	bs = b;
	nlba = n;
	disk_len = b * n;
	disk = calloc(1, disk_len);
	disk[446 + 4] = 0xee;
	put32(disk + 446 + 8, 1);
	put32(disk + 446 + 12, (uint32_t)(n - 1));
	disk[510] = 0x55;
	disk[511] = 0xaa;
	set_entry(0, 64, 127, "root");
	set_entry(2, 200, 299, "data");
	seal();
}

static void
teardown(void)
{
	free(disk);
	disk = NULL;
}

TestSuite(part_table, .fini = teardown);

static struct pt_table pt;

Test(part_table, crc32_check_value)
{
	cr_assert_eq(pt_crc32("123456789", 9), 0xcbf43926u);
}

Test(part_table, gpt_two_partitions)
{
	char g[37];

	make_gpt(512, 4096);
	cr_assert_eq(pt_table_read(&pt, "t", disk_len, 512, mem_read, NULL), KERN_SUCCESS);
	cr_assert_eq(pt.pt_scheme, PT_GPT);
	cr_assert(!pt.pt_used_backup);
	cr_assert_eq(pt.pt_count, 2);
	cr_assert_eq(pt.pt_parts[0].pp_index, 1);
	cr_assert_eq(pt.pt_parts[0].pp_start, 64 * 512);
	cr_assert_eq(pt.pt_parts[0].pp_size, 64 * 512);
	cr_assert_str_eq(pt.pt_parts[0].pp_label, "root");
	cr_assert_eq(pt.pt_parts[1].pp_index, 3);
	cr_assert_eq(pt.pt_parts[1].pp_start, 200 * 512);
	cr_assert_str_eq(pt.pt_parts[1].pp_label, "data");
	pt_guid_text(pt.pt_parts[0].pp_type, g);
	cr_assert_str_eq(g, "0fc63daf-8483-4772-8e79-3d69d8477de4");
}

Test(part_table, gpt_4k_blocks)
{
	make_gpt(4096, 1024);
	cr_assert_eq(pt_table_read(&pt, "t", disk_len, 4096, mem_read, NULL), KERN_SUCCESS);
	cr_assert_eq(pt.pt_scheme, PT_GPT);
	cr_assert_eq(pt.pt_count, 2);
	cr_assert_eq(pt.pt_parts[0].pp_start, 64 * 4096);
}

Test(part_table, bad_primary_header_crc_uses_backup)
{
	make_gpt(512, 4096);
	disk[512 + 40] ^= 1; /* first usable LBA, under the CRC */
	cr_assert_eq(pt_table_read(&pt, "t", disk_len, 512, mem_read, NULL), KERN_SUCCESS);
	cr_assert_eq(pt.pt_scheme, PT_GPT);
	cr_assert(pt.pt_used_backup);
	cr_assert_eq(pt.pt_count, 2);
}

Test(part_table, bad_primary_array_crc_uses_backup)
{
	make_gpt(512, 4096);
	disk[2 * 512 + 56] ^= 0x20; /* a label byte of entry 1, primary array only */
	cr_assert_eq(pt_table_read(&pt, "t", disk_len, 512, mem_read, NULL), KERN_SUCCESS);
	cr_assert(pt.pt_used_backup);
	cr_assert_str_eq(pt.pt_parts[0].pp_label, "root");
}

Test(part_table, both_headers_bad_is_an_error)
{
	make_gpt(512, 4096);
	disk[512 + 16] ^= 1;
	disk[(nlba - 1) * 512 + 16] ^= 1;
	cr_assert_eq(pt_table_read(&pt, "t", disk_len, 512, mem_read, NULL), KERN_INVALID_VALUE);
}

/* Re-seal a header after editing it, so that only the edited field is wrong. */
static void
reseal_primary(void)
{
	uint8_t *h = disk + bs;

	put32(h + 16, 0);
	put32(h + 16, pt_crc32(h, 92));
}

Test(part_table, hostile_header_fields_are_refused)
{
	static const struct {
		unsigned off, width;
		uint64_t val;
	} cases[] = {
		{ 12, 4, 4096 },	       /* header size > block */
		{ 12, 4, 10 },		       /* header size < 92 */
		{ 24, 8, 7 },		       /* MyLBA wrong */
		{ 48, 8, 1ull << 40 },	       /* last usable past the disk */
		{ 40, 8, 5000 },	       /* first > last */
		{ 72, 8, 1ull << 62 },	       /* array LBA huge */
		{ 72, 8, 40 },		       /* array inside the usable space */
		{ 80, 4, 0xffffffffu },	       /* entry count huge */
		{ 84, 4, 0x80000000u },	       /* entry size huge */
		{ 84, 4, 100 },		       /* entry size not 128 * 2^n */
		{ 80, 4, 0 },		       /* no entries */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_gpt(512, 4096);
		if (cases[i].width == 4)
			put32(disk + 512 + cases[i].off, (uint32_t)cases[i].val);
		else
			put64(disk + 512 + cases[i].off, cases[i].val);
		reseal_primary();
		cr_assert_eq(pt_table_read(&pt, "t", disk_len, 512, mem_read, NULL), KERN_SUCCESS,
			     "case %zu", i);
		cr_assert(pt.pt_used_backup, "case %zu: primary not refused", i);
	}
}

Test(part_table, hostile_entries_are_dropped)
{
	make_gpt(512, 4096);
	set_entry(4, 100, 90, "reversed");
	set_entry(5, 10, 20, "in-the-array");
	set_entry(6, 4090, 5000, "past-the-end");
	set_entry(7, 100, 210, "overlaps");
	set_entry(8, 400, 400, "ok");
	seal();
	cr_assert_eq(pt_table_read(&pt, "t", disk_len, 512, mem_read, NULL), KERN_SUCCESS);
	cr_assert_eq(pt.pt_count, 3);
	cr_assert_str_eq(pt.pt_parts[2].pp_label, "ok");
	cr_assert_eq(pt.pt_parts[2].pp_size, 512);
}

Test(part_table, mbr_partitions)
{
	free(disk);
	disk_len = 4096 * 512;
	disk = calloc(1, disk_len);
	disk[446 + 0] = 0x80;
	disk[446 + 4] = 0x83;
	put32(disk + 446 + 8, 2048);
	put32(disk + 446 + 12, 1024);
	disk[462 + 4] = 0x82;
	put32(disk + 462 + 8, 3072);
	put32(disk + 462 + 12, 5000); /* past the end: dropped */
	disk[478 + 4] = 0x0c;
	put32(disk + 478 + 8, 100);
	put32(disk + 478 + 12, 100);
	disk[510] = 0x55;
	disk[511] = 0xaa;
	cr_assert_eq(pt_table_read(&pt, "t", disk_len, 512, mem_read, NULL), KERN_SUCCESS);
	cr_assert_eq(pt.pt_scheme, PT_MBR);
	cr_assert_eq(pt.pt_count, 2);
	cr_assert_eq(pt.pt_parts[0].pp_start, 2048 * 512);
	cr_assert_eq(pt.pt_parts[0].pp_mbr_type, 0x83);
	cr_assert_eq(pt.pt_parts[1].pp_index, 3);
}

Test(part_table, no_table)
{
	free(disk);
	disk_len = 64 * 512;
	disk = calloc(1, disk_len);
	cr_assert_eq(pt_table_read(&pt, "t", disk_len, 512, mem_read, NULL), KERN_SUCCESS);
	cr_assert_eq(pt.pt_scheme, PT_NONE);
	/* A boot record signature without a table (bad status bytes) is not an MBR. */
	disk[446] = 0x12;
	disk[510] = 0x55;
	disk[511] = 0xaa;
	cr_assert_eq(pt_table_read(&pt, "t", disk_len, 512, mem_read, NULL), KERN_SUCCESS);
	cr_assert_eq(pt.pt_scheme, PT_NONE);
}

Test(part_table, read_error_is_returned)
{
	make_gpt(512, 4096);
	disk[512 + 16] ^= 1; /* the backup is then read, past what the callback can read */
	cr_assert_eq(pt_table_read(&pt, "t", disk_len * 2, 512, mem_read, NULL), KERN_FAILURE);
}
