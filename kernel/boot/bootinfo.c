/*
 * bootinfo.c — parse the PVH start_info or the Multiboot2 information into struct boot_info.
 *
 * Follows: Xen's arch-x86/hvm/start_info.h (hvm_start_info versions 0 and 1, hvm_memmap_table_entry,
 * hvm_modlist_entry) and the Multiboot2 specification 2.0 §3.6 "Boot information format" (tags
 * 1 command line, 2 boot loader name, 3 module, 6 memory map, 14/15 ACPI RSDP copies).
 *
 * The loader is trusted to exist, not to be right: every length and count is checked against
 * what the mapper can read, strings are bounded, and entries that do not fit are dropped and
 * counted. Two fuzzers (tests/fuzz/bootinfo_{pvh,mb2}_fuzz.c) hold this file to that.
 */
#include <boot/bootinfo.h>
#include <xen/arch-x86/hvm/start_info.h>

#define MB2_TAG_END	 0
#define MB2_TAG_CMDLINE	 1
#define MB2_TAG_LOADER	 2
#define MB2_TAG_MODULE	 3
#define MB2_TAG_MMAP	 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_INFO_MAX	 (1u << 20) /* far more than any loader writes */

/*
 * Copy a NUL-terminated string of at most cap-1 bytes found at pa, reading only what the map
 * allows. What could be read is kept either way; returns false when the string was cut short
 * (unreadable before its NUL, or longer than cap-1), for the caller to count.
 */
static bool
copy_phys_string(char *dst, size_t cap, uint64_t pa, boot_map_fn map, void *ctx)
{
	const char *c;
	size_t n = 0;

	dst[0] = '\0';
	for (;;) {
		c = map(pa + n, 1, ctx);
		if (c == NULL || *c == '\0' || n + 1 == cap)
			break;
		dst[n++] = *c;
	}
	dst[n] = '\0';
	return c != NULL && *c == '\0';
}

/* Copy a string of at most srclen bytes; returns false when it had to be truncated. */
static bool
copy_bounded_string(char *dst, size_t cap, const char *src, size_t srclen)
{
	size_t n = strnlen(src, srclen);
	bool whole = n < cap;

	if (!whole)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return whole;
}

static uint32_t
mem_type_from_e820(uint32_t t)
{
	switch (t) {
	case 1:
		return BOOT_MEM_RAM;
	case 3:
		return BOOT_MEM_ACPI;
	case 4:
		return BOOT_MEM_NVS;
	case 5:
		return BOOT_MEM_UNUSABLE;
	default:
		return BOOT_MEM_RESERVED;
	}
}

static void
add_mem(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type)
{
	if (len == 0 || base + len < base) {
		bi->warnings++;
		return;
	}
	if (bi->nmem == BOOT_MEM_MAX) {
		bi->warnings++;
		return;
	}
	bi->mem[bi->nmem++] = (struct boot_mem_region){ base, len, type };
}

static void
add_module(struct boot_info *bi, uint64_t base, uint64_t size)
{
	if (bi->nmod == BOOT_MOD_MAX || base + size < base) {
		bi->warnings++;
		return;
	}
	bi->mod[bi->nmod].base = base;
	bi->mod[bi->nmod].size = size;
	bi->mod[bi->nmod].cmdline[0] = '\0';
	bi->nmod++;
}

static void
set_rsdp_copy(struct boot_info *bi, const uint8_t *p, size_t len)
{
	size_t n = len < sizeof(bi->rsdp) ? len : sizeof(bi->rsdp);

	if (n < 20) {
		bi->warnings++;
		return;
	}
	memcpy(bi->rsdp, p, n);
	bi->rsdp_len = n >= 36 ? 36 : 20;
}

static void
bootinfo_reset(struct boot_info *bi, int path)
{
	memset(bi, 0, sizeof(*bi));
	bi->path = path;
}

/*
 * Read a loader structure into a local copy. The hypervisor chooses the addresses and need not
 * align them; reading through a pointer to the structure would then be undefined behaviour.
 */
static bool
read_phys(void *dst, uint64_t pa, size_t len, boot_map_fn map, void *ctx)
{
	const void *p = map(pa, len, ctx);

	if (p == NULL)
		return false;
	memcpy(dst, p, len);
	return true;
}

int
bootinfo_parse_pvh(struct boot_info *bi, uint64_t info_pa, boot_map_fn map, void *ctx)
{
	struct hvm_start_info si = { 0 };

	bootinfo_reset(bi, BOOT_PATH_PVH);
	if (!read_phys(&si, info_pa, offsetof(struct hvm_start_info, memmap_paddr), map, ctx) ||
	    si.magic != XEN_HVM_START_MAGIC_VALUE)
		return -1;
	if (si.version >= 1 && !read_phys(&si, info_pa, sizeof(si), map, ctx))
		return -1;
	ksnprintf(bi->loader, sizeof(bi->loader), "PVH start_info v%u", si.version);
	if (si.cmdline_paddr != 0 &&
	    !copy_phys_string(bi->cmdline, sizeof(bi->cmdline), si.cmdline_paddr, map, ctx))
		bi->warnings++;
	bi->rsdp_phys = si.rsdp_paddr;

	for (uint32_t i = 0; i < si.nr_modules && i < BOOT_MOD_MAX + 1; i++) {
		struct hvm_modlist_entry m;
		if (!read_phys(&m, si.modlist_paddr + (uint64_t)i * sizeof(m), sizeof(m), map,
			       ctx)) {
			bi->warnings++;
			break;
		}
		add_module(bi, m.paddr, m.size);
		if (m.cmdline_paddr != 0 && bi->nmod > 0 && bi->mod[bi->nmod - 1].base == m.paddr &&
		    !copy_phys_string(bi->mod[bi->nmod - 1].cmdline, BOOT_NAME_MAX, m.cmdline_paddr,
				      map, ctx))
			bi->warnings++;
	}

	if (si.version >= 1 && si.memmap_entries > 0) {
		for (uint32_t i = 0; i < si.memmap_entries && i < BOOT_MEM_MAX + 1; i++) {
			struct hvm_memmap_table_entry e;
			uint64_t pa = si.memmap_paddr + (uint64_t)i * sizeof(e);
			if (!read_phys(&e, pa, sizeof(e), map, ctx)) {
				bi->warnings++;
				break;
			}
			/* The hvm memmap types are the E820 types. */
			add_mem(bi, e.addr, e.size, mem_type_from_e820(e.type));
		}
	}
	return 0;
}

int
bootinfo_parse_mb2(struct boot_info *bi, uint64_t info_pa, boot_map_fn map, void *ctx)
{
	const uint8_t *info;
	uint32_t total;

	bootinfo_reset(bi, BOOT_PATH_MB2);
	if (!read_phys(&total, info_pa, sizeof(total), map, ctx))
		return -1;
	if (total < 8 || total > MB2_INFO_MAX)
		return -1;
	info = map(info_pa, total, ctx);
	if (info == NULL)
		return -1;
	memcpy(bi->loader, "Multiboot2", sizeof("Multiboot2"));

	for (uint32_t off = 8; off + 8 <= total;) {
		uint32_t type, size;
		const uint8_t *body;
		uint32_t blen;

		memcpy(&type, info + off, 4);
		memcpy(&size, info + off + 4, 4);
		if (type == MB2_TAG_END)
			break;
		if (size < 8 || size > total - off) {
			bi->warnings++;
			break;
		}
		body = info + off + 8;
		blen = size - 8;

		switch (type) {
		case MB2_TAG_CMDLINE:
			if (!copy_bounded_string(bi->cmdline, sizeof(bi->cmdline),
						 (const char *)body, blen))
				bi->warnings++;
			break;
		case MB2_TAG_LOADER:
			if (!copy_bounded_string(bi->loader, sizeof(bi->loader), (const char *)body,
						 blen))
				bi->warnings++;
			break;
		case MB2_TAG_MODULE: {
			uint32_t start, end;
			if (blen < 8) {
				bi->warnings++;
				break;
			}
			memcpy(&start, body, 4);
			memcpy(&end, body + 4, 4);
			if (end < start) {
				bi->warnings++;
				break;
			}
			add_module(bi, start, (uint64_t)end - start);
			if (bi->nmod > 0 && bi->mod[bi->nmod - 1].base == start &&
			    !copy_bounded_string(bi->mod[bi->nmod - 1].cmdline, BOOT_NAME_MAX,
						 (const char *)body + 8, blen - 8))
				bi->warnings++;
			break;
		}
		case MB2_TAG_MMAP: {
			uint32_t esize;
			if (blen < 8) {
				bi->warnings++;
				break;
			}
			memcpy(&esize, body, 4);
			if (esize < 24 || esize % 8 != 0) {
				bi->warnings++;
				break;
			}
			/* e <= blen throughout: compare what is left, so no esize can wrap e. */
			for (uint32_t e = 8; blen - e >= 24;) {
				uint64_t base, len;
				uint32_t t;
				memcpy(&base, body + e, 8);
				memcpy(&len, body + e + 8, 8);
				memcpy(&t, body + e + 16, 4);
				add_mem(bi, base, len, mem_type_from_e820(t));
				if (esize > blen - e)
					break;
				e += esize;
			}
			break;
		}
		case MB2_TAG_ACPI_OLD:
			if (bi->rsdp_len < 36)
				set_rsdp_copy(bi, body, blen);
			break;
		case MB2_TAG_ACPI_NEW:
			set_rsdp_copy(bi, body, blen);
			break;
		default:
			break;
		}
		off += (size + 7) & ~7u;
	}
	return 0;
}

const char *
bootinfo_path_name(int path)
{
	switch (path) {
	case BOOT_PATH_PVH:
		return "PVH";
	case BOOT_PATH_MB2:
		return "Multiboot2";
	default:
		return "unknown";
	}
}

const char *
bootinfo_mem_type_name(uint32_t type)
{
	static const char *const names[] = { "?", "usable", "reserved", "ACPI", "ACPI NVS",
					     "unusable" };

	return type < ARRAY_SIZE(names) ? names[type] : "?";
}

uint64_t
bootinfo_ram_bytes(const struct boot_info *bi)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < bi->nmem; i++)
		if (bi->mem[i].type == BOOT_MEM_RAM)
			total += bi->mem[i].length;
	return total;
}
