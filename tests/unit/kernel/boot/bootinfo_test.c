/*
 * bootinfo_test.c — kernel/boot/bootinfo.c on synthetic loader structures: the PVH
 * hvm_start_info (Xen arch-x86/hvm/start_info.h, versions 0 and 1, with its module list and
 * memory map) and the Multiboot2 information (Multiboot2 spec §3.6: tags 1 command line,
 * 2 loader name, 3 module, 6 memory map, 14/15 RSDP copies).
 *
 * The one idea: the structures are laid out in a fake physical memory whose mapper hands out
 * exact-length heap copies (tests/unit/support/hosted.h), so AddressSanitizer fails a test the
 * moment the parser reads one byte more than it asked to map. Well-formed input must come out
 * whole; malformed input (bad magic, truncated or oversized or zero-size tags, counts that run
 * off the end) must be rejected, or dropped and counted in bi->warnings.
 */
// unit-deps: kernel/libkern/format.c
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <boot/bootinfo.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "hosted.h"

#define MEM_BASE 0x100000ULL
#define MEM_SIZE (64 * 1024)

static uint8_t mem[MEM_SIZE] __attribute__((aligned(16)));
static struct hosted_phys phys;
static struct boot_info bi;

static void
setup(void)
{
	memset(mem, 0, sizeof(mem));
	memset(&bi, 0xa5, sizeof(bi)); /* the parser must initialise every field it reports */
	hosted_phys_init(&phys, mem, MEM_BASE, sizeof(mem));
}

static void
teardown(void)
{
	hosted_phys_release(&phys);
}

/* Put bytes at a physical address of the fake memory. */
static void
poke(uint64_t pa, const void *p, size_t n)
{
	cr_assert(pa >= MEM_BASE && pa - MEM_BASE + n <= MEM_SIZE, "poke outside fake memory");
	memcpy(mem + (pa - MEM_BASE), p, n);
}

static void
poke_str(uint64_t pa, const char *s)
{
	poke(pa, s, strlen(s) + 1);
}

static int
parse_pvh(uint64_t pa)
{
	return bootinfo_parse_pvh(&bi, pa, hosted_phys_map, &phys);
}

static int
parse_mb2(uint64_t pa)
{
	return bootinfo_parse_mb2(&bi, pa, hosted_phys_map, &phys);
}

/* ---- PVH ---------------------------------------------------------------------------------- */

#define SI_PA	   (MEM_BASE + 0x0)
#define MODS_PA	   (MEM_BASE + 0x100)
#define CMDLINE_PA (MEM_BASE + 0x400)
#define MMAP_PA	   (MEM_BASE + 0x800)
#define MODCMD_PA  (MEM_BASE + 0x1000)

static struct hvm_start_info
pvh_info(uint32_t version)
{
	return (struct hvm_start_info){
		.magic = XEN_HVM_START_MAGIC_VALUE,
		.version = version,
		.cmdline_paddr = CMDLINE_PA,
		.rsdp_paddr = 0xf5a40,
	};
}

static void
put_mmap(uint64_t pa, unsigned i, uint64_t addr, uint64_t size, uint32_t type)
{
	struct hvm_memmap_table_entry e = { .addr = addr, .size = size, .type = type };

	poke(pa + i * sizeof(e), &e, sizeof(e));
}

static void
put_module(uint64_t pa, unsigned i, uint64_t addr, uint64_t size, uint64_t cmdline)
{
	struct hvm_modlist_entry m = { .paddr = addr, .size = size, .cmdline_paddr = cmdline };

	poke(pa + i * sizeof(m), &m, sizeof(m));
}

TestSuite(pvh, .init = setup, .fini = teardown);

Test(pvh, version1_complete)
{
	struct hvm_start_info si = pvh_info(1);

	si.nr_modules = 2;
	si.modlist_paddr = MODS_PA;
	si.memmap_paddr = MMAP_PA;
	si.memmap_entries = 7;
	poke(SI_PA, &si, sizeof(si));
	poke_str(CMDLINE_PA, "console=ttyS0 ktest=all");
	put_module(MODS_PA, 0, 0x2000000, 0x1234, MODCMD_PA);
	put_module(MODS_PA, 1, 0x3000000, 0x10, 0);
	poke_str(MODCMD_PA, "initrd.img rw");
	put_mmap(MMAP_PA, 0, 0, 0x9fc00, XEN_HVM_MEMMAP_TYPE_RAM);
	put_mmap(MMAP_PA, 1, 0x9fc00, 0x400, XEN_HVM_MEMMAP_TYPE_RESERVED);
	put_mmap(MMAP_PA, 2, 0x100000, 0xfee0000, XEN_HVM_MEMMAP_TYPE_RAM);
	put_mmap(MMAP_PA, 3, 0xffe0000, 0x20000, XEN_HVM_MEMMAP_TYPE_ACPI);
	put_mmap(MMAP_PA, 4, 0xfed00000, 0x1000, XEN_HVM_MEMMAP_TYPE_NVS);
	put_mmap(MMAP_PA, 5, 0xfee00000, 0x1000, XEN_HVM_MEMMAP_TYPE_UNUSABLE);
	put_mmap(MMAP_PA, 6, 0x100000000ULL, 0x40000000, XEN_HVM_MEMMAP_TYPE_PMEM);

	cr_assert_eq(parse_pvh(SI_PA), 0);
	cr_assert_eq(bi.path, BOOT_PATH_PVH);
	cr_assert_str_eq(bi.loader, "PVH start_info v1");
	cr_assert_str_eq(bi.cmdline, "console=ttyS0 ktest=all");
	cr_assert_eq(bi.rsdp_phys, 0xf5a40);
	cr_assert_eq(bi.rsdp_len, 0, "PVH passes the RSDP's address, not a copy");
	cr_assert_eq(bi.warnings, 0);

	cr_assert_eq(bi.nmod, 2);
	cr_assert_eq(bi.mod[0].base, 0x2000000);
	cr_assert_eq(bi.mod[0].size, 0x1234);
	cr_assert_str_eq(bi.mod[0].cmdline, "initrd.img rw");
	cr_assert_eq(bi.mod[1].base, 0x3000000);
	cr_assert_str_eq(bi.mod[1].cmdline, "");

	cr_assert_eq(bi.nmem, 7);
	cr_assert_eq(bi.mem[2].base, 0x100000);
	cr_assert_eq(bi.mem[2].length, 0xfee0000);
	cr_assert_eq(bi.mem[0].type, BOOT_MEM_RAM);
	cr_assert_eq(bi.mem[1].type, BOOT_MEM_RESERVED);
	cr_assert_eq(bi.mem[2].type, BOOT_MEM_RAM);
	cr_assert_eq(bi.mem[3].type, BOOT_MEM_ACPI);
	cr_assert_eq(bi.mem[4].type, BOOT_MEM_NVS);
	cr_assert_eq(bi.mem[5].type, BOOT_MEM_UNUSABLE);
	cr_assert_eq(bi.mem[6].type, BOOT_MEM_RESERVED, "types the kernel does not use: reserved");
	cr_assert_eq(bootinfo_ram_bytes(&bi), 0x9fc00 + 0xfee0000);
	cr_assert_str_eq(bootinfo_path_name(bi.path), "PVH");
	cr_assert_str_eq(bootinfo_mem_type_name(bi.mem[3].type), "ACPI");
}

/* Version 0 ends before memmap_paddr: nothing past it may be read, and there is no map. */
Test(pvh, version0_reads_only_version0_fields)
{
	struct hvm_start_info si = pvh_info(0);
	uint64_t pa = MEM_BASE + MEM_SIZE - offsetof(struct hvm_start_info, memmap_paddr);

	si.memmap_entries = 5; /* garbage beyond a v0 structure; must not be looked at */
	poke(pa, &si, offsetof(struct hvm_start_info, memmap_paddr));
	poke_str(CMDLINE_PA, "root=/dev/vda");
	cr_assert_eq(parse_pvh(pa), 0);
	cr_assert_str_eq(bi.loader, "PVH start_info v0");
	cr_assert_str_eq(bi.cmdline, "root=/dev/vda");
	cr_assert_eq(bi.nmem, 0);
	cr_assert_eq(bi.nmod, 0);
	cr_assert_eq(bi.warnings, 0);
}

/* A v1 structure cut short by the end of readable memory is unusable. */
Test(pvh, version1_truncated_is_rejected)
{
	struct hvm_start_info si = pvh_info(1);
	uint64_t pa = MEM_BASE + MEM_SIZE - offsetof(struct hvm_start_info, memmap_paddr);

	poke(pa, &si, offsetof(struct hvm_start_info, memmap_paddr));
	cr_assert_eq(parse_pvh(pa), -1);
}

Test(pvh, bad_magic_and_unreadable)
{
	struct hvm_start_info si = pvh_info(1);

	si.magic = 0x336ec579;
	poke(SI_PA, &si, sizeof(si));
	cr_assert_eq(parse_pvh(SI_PA), -1);
	si.magic = 0;
	poke(SI_PA, &si, sizeof(si));
	cr_assert_eq(parse_pvh(SI_PA), -1);
	cr_assert_eq(parse_pvh(0x1000), -1, "below the fake memory");
	cr_assert_eq(parse_pvh(MEM_BASE + MEM_SIZE), -1, "past the fake memory");
	cr_assert_eq(parse_pvh(UINT64_MAX - 8), -1);
}

Test(pvh, cmdline_unreadable_is_counted)
{
	struct hvm_start_info si = pvh_info(1);

	si.cmdline_paddr = 0x2000; /* outside memory */
	poke(SI_PA, &si, sizeof(si));
	cr_assert_eq(parse_pvh(SI_PA), 0);
	cr_assert_str_eq(bi.cmdline, "");
	cr_assert_eq(bi.warnings, 1);
}

Test(pvh, no_cmdline_is_fine)
{
	struct hvm_start_info si = pvh_info(1);

	si.cmdline_paddr = 0;
	poke(SI_PA, &si, sizeof(si));
	cr_assert_eq(parse_pvh(SI_PA), 0);
	cr_assert_str_eq(bi.cmdline, "");
	cr_assert_eq(bi.warnings, 0);
}

/* A command line with no NUL before the end of memory: kept as far as readable, counted. */
Test(pvh, cmdline_running_off_memory)
{
	struct hvm_start_info si = pvh_info(1);

	si.cmdline_paddr = MEM_BASE + MEM_SIZE - 5;
	poke(SI_PA, &si, sizeof(si));
	poke(si.cmdline_paddr, "abcde", 5);
	cr_assert_eq(parse_pvh(SI_PA), 0);
	cr_assert_str_eq(bi.cmdline, "abcde");
	cr_assert_eq(bi.warnings, 1, "a command line cut short must be counted");
}

Test(pvh, cmdline_longer_than_the_record)
{
	struct hvm_start_info si = pvh_info(1);
	char longline[BOOT_CMDLINE_MAX + 100];

	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	poke(SI_PA, &si, sizeof(si));
	poke_str(CMDLINE_PA, longline);
	cr_assert_eq(parse_pvh(SI_PA), 0);
	cr_assert_eq(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	cr_assert_eq(bi.warnings, 1, "a truncated command line must be counted");

	/* Exactly as long as the record holds: not truncated. */
	longline[BOOT_CMDLINE_MAX - 1] = '\0';
	poke_str(CMDLINE_PA, longline);
	memset(&bi, 0xa5, sizeof(bi));
	cr_assert_eq(parse_pvh(SI_PA), 0);
	cr_assert_eq(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	cr_assert_eq(bi.warnings, 0);
}

Test(pvh, too_many_modules_and_map_entries)
{
	struct hvm_start_info si = pvh_info(1);

	si.nr_modules = 1000;
	si.modlist_paddr = MODS_PA;
	si.memmap_entries = 100000;
	si.memmap_paddr = MEM_BASE + 0x4000;
	poke(SI_PA, &si, sizeof(si));
	for (unsigned i = 0; i < BOOT_MOD_MAX + 4; i++)
		put_module(MODS_PA, i, 0x1000000 + i * 0x10000, 0x100, 0);
	for (unsigned i = 0; i < BOOT_MEM_MAX + 4; i++)
		put_mmap(si.memmap_paddr, i, (uint64_t)i << 32, 0x1000, XEN_HVM_MEMMAP_TYPE_RAM);
	cr_assert_eq(parse_pvh(SI_PA), 0);
	cr_assert_eq(bi.nmod, BOOT_MOD_MAX);
	cr_assert_eq(bi.nmem, BOOT_MEM_MAX);
	cr_assert_geq(bi.warnings, 2);
	for (unsigned i = 0; i < BOOT_MEM_MAX; i++)
		cr_assert_eq(bi.mem[i].base, (uint64_t)i << 32);
}

/* Lists that run off the end of readable memory stop there, with a warning. */
Test(pvh, lists_running_off_memory)
{
	struct hvm_start_info si = pvh_info(1);

	si.nr_modules = 3;
	si.modlist_paddr = MEM_BASE + MEM_SIZE - 2 * sizeof(struct hvm_modlist_entry) - 8;
	si.memmap_entries = 4;
	si.memmap_paddr = MEM_BASE + MEM_SIZE - sizeof(struct hvm_memmap_table_entry) - 3;
	poke(SI_PA, &si, sizeof(si));
	put_module(si.modlist_paddr, 0, 0x1000000, 0x100, 0);
	put_module(si.modlist_paddr, 1, 0x2000000, 0x100, 0);
	cr_assert_eq(parse_pvh(SI_PA), 0);
	cr_assert_eq(bi.nmod, 2);
	cr_assert_eq(bi.nmem, 0, "the only whole entry is all zero: dropped");
	cr_assert_geq(bi.warnings, 3);
}

Test(pvh, bad_map_entries_dropped)
{
	struct hvm_start_info si = pvh_info(1);

	si.memmap_paddr = MMAP_PA;
	si.memmap_entries = 4;
	poke(SI_PA, &si, sizeof(si));
	put_mmap(MMAP_PA, 0, 0x100000, 0, XEN_HVM_MEMMAP_TYPE_RAM);		  /* empty */
	put_mmap(MMAP_PA, 1, UINT64_MAX - 0xfff, 0x2000, XEN_HVM_MEMMAP_TYPE_RAM); /* wraps */
	put_mmap(MMAP_PA, 2, 0x100000, 0x100000, XEN_HVM_MEMMAP_TYPE_RAM);
	put_mmap(MMAP_PA, 3, 0x200000, 0x1000, 0xdead); /* unknown type */
	cr_assert_eq(parse_pvh(SI_PA), 0);
	cr_assert_eq(bi.nmem, 2);
	cr_assert_eq(bi.mem[0].base, 0x100000);
	cr_assert_eq(bi.mem[1].type, BOOT_MEM_RESERVED);
	cr_assert_eq(bi.warnings, 2);
}

/* Addresses a hypervisor writes need not be aligned; the parser must not assume they are. */
Test(pvh, misaligned_lists)
{
	struct hvm_start_info si = pvh_info(1);

	si.nr_modules = 1;
	si.modlist_paddr = MODS_PA + 3;
	si.memmap_paddr = MMAP_PA + 5;
	si.memmap_entries = 1;
	poke(SI_PA + 1, &si, sizeof(si));
	put_module(si.modlist_paddr, 0, 0x1000000, 0x100, 0);
	put_mmap(si.memmap_paddr, 0, 0x100000, 0x100000, XEN_HVM_MEMMAP_TYPE_RAM);
	cr_assert_eq(parse_pvh(SI_PA + 1), 0);
	cr_assert_eq(bi.nmod, 1);
	cr_assert_eq(bi.nmem, 1);
	cr_assert_eq(bi.mem[0].length, 0x100000);
}

/* ---- Multiboot2 --------------------------------------------------------------------------- */

#define MB2_PA (MEM_BASE + 0x2000)

/* A Multiboot2 information builder: 8-byte header, tags padded to 8 bytes. */
static size_t mb2_len;

static void
mb2_begin(void)
{
	mb2_len = 8;
}

static void
mb2_tag_raw(uint32_t type, uint32_t size, const void *body, size_t blen)
{
	uint32_t hdr[2] = { type, size };

	poke(MB2_PA + mb2_len, hdr, 8);
	if (blen > 0)
		poke(MB2_PA + mb2_len + 8, body, blen);
	mb2_len += (8 + blen + 7) & ~(size_t)7;
}

static void
mb2_tag(uint32_t type, const void *body, size_t blen)
{
	mb2_tag_raw(type, (uint32_t)(8 + blen), body, blen);
}

static void
mb2_string(uint32_t type, const char *s)
{
	mb2_tag(type, s, strlen(s) + 1);
}

static void
mb2_module(uint32_t start, uint32_t end, const char *name)
{
	uint8_t b[128];
	size_t n = strlen(name) + 1;

	memcpy(b, &start, 4);
	memcpy(b + 4, &end, 4);
	memcpy(b + 8, name, n);
	mb2_tag(3, b, 8 + n);
}

struct mb2_mmap_entry {
	uint64_t base, len;
	uint32_t type, zero;
};

static void
mb2_mmap(const struct mb2_mmap_entry *e, unsigned n, uint32_t esize)
{
	static uint8_t b[8 + 256 * 48];
	uint32_t ver = 0;

	cr_assert_leq(8 + (size_t)n * esize, sizeof(b));
	memset(b, 0, sizeof(b));
	memcpy(b, &esize, 4);
	memcpy(b + 4, &ver, 4);
	for (unsigned i = 0; i < n; i++)
		memcpy(b + 8 + (size_t)i * esize, &e[i], sizeof(e[i]));
	mb2_tag(6, b, 8 + (size_t)n * esize);
}

static void
mb2_end(void)
{
	uint32_t total;

	mb2_tag(0, NULL, 0);
	total = (uint32_t)mb2_len;
	poke(MB2_PA, &total, 4);
}

static void
rsdp(uint8_t *b, size_t n, uint8_t rev)
{
	memset(b, 0, n);
	memcpy(b, "RSD PTR ", 8);
	b[15] = rev;
	for (size_t i = 16; i < n; i++)
		b[i] = (uint8_t)i;
}

TestSuite(mb2, .init = setup, .fini = teardown);

Test(mb2, complete)
{
	static const struct mb2_mmap_entry map[] = {
		{ 0, 0x9fc00, 1, 0 },
		{ 0x9fc00, 0x400, 2, 0 },
		{ 0x100000, 0x7ee0000, 1, 0 },
		{ 0x7fe0000, 0x20000, 3, 0 },
		{ 0xfeffc000, 0x4000, 4, 0 },
	};
	uint8_t r1[20], r2[36];

	rsdp(r1, sizeof(r1), 0);
	rsdp(r2, sizeof(r2), 2);
	mb2_begin();
	mb2_string(1, "ktest=all console=ttyS0");
	mb2_string(2, "GRUB 2.06-13+deb12u2");
	mb2_module(0x2000000, 0x2001000, "initrd.img");
	mb2_tag(21, "\x01\x02\x03\x04", 4); /* load base address: not ours, skipped */
	mb2_mmap(map, ARRAY_SIZE(map), 24);
	mb2_tag(14, r1, sizeof(r1));
	mb2_tag(15, r2, sizeof(r2));
	mb2_end();

	cr_assert_eq(parse_mb2(MB2_PA), 0);
	cr_assert_eq(bi.path, BOOT_PATH_MB2);
	cr_assert_str_eq(bi.cmdline, "ktest=all console=ttyS0");
	cr_assert_str_eq(bi.loader, "GRUB 2.06-13+deb12u2");
	cr_assert_eq(bi.nmod, 1);
	cr_assert_eq(bi.mod[0].base, 0x2000000);
	cr_assert_eq(bi.mod[0].size, 0x1000);
	cr_assert_str_eq(bi.mod[0].cmdline, "initrd.img");
	cr_assert_eq(bi.nmem, ARRAY_SIZE(map));
	for (unsigned i = 0; i < ARRAY_SIZE(map); i++) {
		cr_assert_eq(bi.mem[i].base, map[i].base);
		cr_assert_eq(bi.mem[i].length, map[i].len);
	}
	cr_assert_eq(bi.mem[3].type, BOOT_MEM_ACPI);
	cr_assert_eq(bi.mem[4].type, BOOT_MEM_NVS);
	cr_assert_eq(bootinfo_ram_bytes(&bi), 0x9fc00 + 0x7ee0000);
	cr_assert_eq(bi.rsdp_len, 36);
	cr_assert(memcmp(bi.rsdp, r2, 36) == 0, "the ACPI 2.0 copy wins");
	cr_assert_eq(bi.rsdp_phys, 0);
	cr_assert_eq(bi.warnings, 0);
	cr_assert_str_eq(bootinfo_path_name(bi.path), "Multiboot2");
}

Test(mb2, minimal_and_loader_default)
{
	mb2_begin();
	mb2_end();
	cr_assert_eq(parse_mb2(MB2_PA), 0);
	cr_assert_str_eq(bi.loader, "Multiboot2");
	cr_assert_str_eq(bi.cmdline, "");
	cr_assert_eq(bi.nmem + bi.nmod + bi.rsdp_len + bi.warnings, 0);
}

Test(mb2, rsdp_copies)
{
	uint8_t r1[20], r2[36];

	rsdp(r1, sizeof(r1), 0);
	rsdp(r2, sizeof(r2), 2);
	r1[9] = 'x';

	/* The new copy before the old one: the old one must not replace it. */
	mb2_begin();
	mb2_tag(15, r2, sizeof(r2));
	mb2_tag(14, r1, sizeof(r1));
	mb2_end();
	cr_assert_eq(parse_mb2(MB2_PA), 0);
	cr_assert_eq(bi.rsdp_len, 36);
	cr_assert(memcmp(bi.rsdp, r2, 36) == 0);

	/* Only the old one. */
	mb2_begin();
	mb2_tag(14, r1, sizeof(r1));
	mb2_end();
	cr_assert_eq(parse_mb2(MB2_PA), 0);
	cr_assert_eq(bi.rsdp_len, 20);
	cr_assert(memcmp(bi.rsdp, r1, 20) == 0);

	/* Too short to be an RSDP at all. */
	mb2_begin();
	mb2_tag(14, r1, 12);
	mb2_tag(15, r2, 19);
	mb2_end();
	cr_assert_eq(parse_mb2(MB2_PA), 0);
	cr_assert_eq(bi.rsdp_len, 0);
	cr_assert_eq(bi.warnings, 2);
}

Test(mb2, bad_totals_rejected)
{
	uint32_t hdr[2];

	hdr[1] = 0;
	for (uint32_t total = 0; total < 8; total++) {
		hdr[0] = total;
		poke(MB2_PA, hdr, 8);
		cr_assert_eq(parse_mb2(MB2_PA), -1, "total %u", total);
	}
	hdr[0] = MEM_SIZE; /* runs past the fake memory */
	poke(MB2_PA, hdr, 8);
	cr_assert_eq(parse_mb2(MB2_PA), -1);
	hdr[0] = UINT32_MAX;
	poke(MB2_PA, hdr, 8);
	cr_assert_eq(parse_mb2(MB2_PA), -1);
	cr_assert_eq(parse_mb2(MEM_BASE + MEM_SIZE - 4), -1, "header cut by the end of memory");
	cr_assert_eq(parse_mb2(0x10), -1);
}

/* A tag larger than what is left of the information: stop there, keep what came before. */
Test(mb2, oversized_tag)
{
	mb2_begin();
	mb2_string(1, "kept");
	mb2_tag_raw(2, 4096, "ignored", 8);
	mb2_string(2, "never reached");
	mb2_end();
	cr_assert_eq(parse_mb2(MB2_PA), 0);
	cr_assert_str_eq(bi.cmdline, "kept");
	cr_assert_str_eq(bi.loader, "Multiboot2");
	cr_assert_eq(bi.warnings, 1);
}

Test(mb2, zero_and_tiny_size_tags)
{
	for (uint32_t size = 0; size < 8; size++) {
		mb2_begin();
		mb2_string(1, "before");
		mb2_tag_raw(6, size, NULL, 0);
		mb2_string(2, "after");
		mb2_end();
		memset(&bi, 0xa5, sizeof(bi));
		cr_assert_eq(parse_mb2(MB2_PA), 0);
		cr_assert_str_eq(bi.cmdline, "before");
		cr_assert_eq(bi.warnings, 1, "size %u", size);
		cr_assert_eq(bi.nmem, 0);
	}
}

/* The information ends in the middle of a tag header: no read past total. */
Test(mb2, truncated_total)
{
	mb2_begin();
	mb2_string(1, "ktest=all");
	mb2_string(2, "GRUB");
	mb2_end();
	for (uint32_t total = 8; total <= mb2_len; total++) {
		poke(MB2_PA, &total, 4);
		/* Copy the information to the very end of memory so over-reads leave it. */
		uint64_t pa = MEM_BASE + MEM_SIZE - total;
		memmove(mem + (pa - MEM_BASE), mem + (MB2_PA - MEM_BASE), total);
		memset(&bi, 0xa5, sizeof(bi));
		cr_assert_eq(parse_mb2(pa), 0, "total %u", total);
		memmove(mem + (MB2_PA - MEM_BASE), mem + (pa - MEM_BASE), total);
	}
}

Test(mb2, strings_without_nul_and_too_long)
{
	char longline[BOOT_CMDLINE_MAX + 40];

	mb2_begin();
	mb2_tag(1, "no-nul", 6);
	mb2_tag(2, "loader-no-nul", 13);
	mb2_end();
	cr_assert_eq(parse_mb2(MB2_PA), 0);
	cr_assert_str_eq(bi.cmdline, "no-nul");
	cr_assert_str_eq(bi.loader, "loader-no-nul");

	memset(longline, 'y', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	mb2_begin();
	mb2_string(1, longline);
	mb2_end();
	memset(&bi, 0xa5, sizeof(bi));
	cr_assert_eq(parse_mb2(MB2_PA), 0);
	cr_assert_eq(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	cr_assert_eq(bi.warnings, 1, "a truncated command line must be counted");
}

Test(mb2, modules)
{
	mb2_begin();
	mb2_module(0x3000, 0x2000, "backwards"); /* end < start: dropped */
	mb2_tag(3, "\x00\x10\x00\x00", 4);	 /* too short: dropped */
	mb2_module(0x5000, 0x5000, "empty");	 /* empty but well-formed */
	for (unsigned i = 0; i < BOOT_MOD_MAX + 2; i++)
		mb2_module(0x100000 * (i + 1), 0x100000 * (i + 1) + 0x100, "m");
	mb2_end();
	cr_assert_eq(parse_mb2(MB2_PA), 0);
	cr_assert_eq(bi.nmod, BOOT_MOD_MAX);
	cr_assert_str_eq(bi.mod[0].cmdline, "empty");
	cr_assert_eq(bi.mod[0].size, 0);
	cr_assert_eq(bi.warnings, 2 + 3, "2 malformed, 3 beyond BOOT_MOD_MAX");
}

Test(mb2, mmap_entry_sizes)
{
	static const struct mb2_mmap_entry map[] = {
		{ 0x100000, 0x100000, 1, 0 },
		{ 0x200000, 0, 1, 0 }, /* empty: dropped */
		{ 0x300000, 0x1000, 7, 0 },
	};

	/* Larger entries than this kernel knows: step by the declared size. */
	mb2_begin();
	mb2_mmap(map, ARRAY_SIZE(map), 40);
	mb2_end();
	cr_assert_eq(parse_mb2(MB2_PA), 0);
	cr_assert_eq(bi.nmem, 2);
	cr_assert_eq(bi.mem[1].base, 0x300000);
	cr_assert_eq(bi.mem[1].type, BOOT_MEM_RESERVED);
	cr_assert_eq(bi.warnings, 1);

	/* Entry sizes the specification does not allow. */
	static const uint32_t bad[] = { 0, 8, 16, 20, 25, 28, 33 };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint8_t b[8 + 48] = { 0 };
		memcpy(b, &bad[i], 4);
		mb2_begin();
		mb2_tag(6, b, sizeof(b));
		mb2_end();
		memset(&bi, 0xa5, sizeof(bi));
		cr_assert_eq(parse_mb2(MB2_PA), 0);
		cr_assert_eq(bi.nmem, 0, "entry size %u", bad[i]);
		cr_assert_eq(bi.warnings, 1, "entry size %u", bad[i]);
	}

	/* A tag too short to hold the entry-size header. */
	mb2_begin();
	mb2_tag(6, "\x18\x00\x00", 3);
	mb2_end();
	memset(&bi, 0xa5, sizeof(bi));
	cr_assert_eq(parse_mb2(MB2_PA), 0);
	cr_assert_eq(bi.warnings, 1);
}

/* An entry size so large that stepping by it wraps a 32-bit offset must end the walk. */
Test(mb2, mmap_huge_entry_size_does_not_wrap)
{
	static const uint32_t huge[] = { 0xfffffff8u, 0x80000000u, 0xffffffe0u, 0x10000000u };

	for (size_t i = 0; i < ARRAY_SIZE(huge); i++) {
		struct mb2_mmap_entry e[2] = { { 0x100000, 0x1000, 1, 0 },
					       { 0x200000, 0x1000, 1, 0 } };
		uint8_t b[8 + 48] = { 0 };

		/* Two 24-byte entries, but an entry size that says otherwise. */
		memcpy(b, &huge[i], 4);
		memcpy(b + 8, &e[0], 24);
		memcpy(b + 32, &e[1], 24);
		mb2_begin();
		mb2_tag(6, b, sizeof(b));
		mb2_end();
		memset(&bi, 0xa5, sizeof(bi));
		cr_assert_eq(parse_mb2(MB2_PA), 0);
		cr_assert_eq(bi.nmem, 1, "entry size %#x: %u entries", huge[i], bi.nmem);
		cr_assert_eq(bi.mem[0].base, 0x100000);
	}
}

Test(mb2, too_many_map_entries)
{
	static struct mb2_mmap_entry map[BOOT_MEM_MAX + 5];

	for (unsigned i = 0; i < ARRAY_SIZE(map); i++)
		map[i] = (struct mb2_mmap_entry){ (uint64_t)i << 20, 0x1000, 1, 0 };
	mb2_begin();
	mb2_mmap(map, ARRAY_SIZE(map), 24);
	mb2_end();
	cr_assert_eq(parse_mb2(MB2_PA), 0);
	cr_assert_eq(bi.nmem, BOOT_MEM_MAX);
	cr_assert_eq(bi.warnings, 5);
}

/* The information itself at an odd address: nothing may assume alignment. */
Test(mb2, misaligned_information)
{
	uint8_t copy[256];

	mb2_begin();
	mb2_string(1, "odd");
	mb2_end();
	cr_assert_leq(mb2_len, sizeof(copy));
	memcpy(copy, mem + (MB2_PA - MEM_BASE), mb2_len);
	poke(MB2_PA + 0x1001, copy, mb2_len);
	cr_assert_eq(parse_mb2(MB2_PA + 0x1001), 0);
	cr_assert_str_eq(bi.cmdline, "odd");
}
