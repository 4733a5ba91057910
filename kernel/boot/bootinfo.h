/*
 * bootinfo.h — the one record both boot paths are normalised into before the kernel proper
 * starts: memory map, command line, ACPI RSDP, modules, and which loader brought us here.
 *
 * The loader's own structures (PVH hvm_start_info, the Multiboot2 information tags) are parsed
 * once, bounds-checked, and copied here, so nothing later reads loader memory or trusts its
 * lengths.
 */
#ifndef _BOOT_BOOTINFO_H_
#define _BOOT_BOOTINFO_H_

#include <boot/bootinfo_defs.h>
#include <libkern/libkern.h>

#define BOOT_CMDLINE_MAX 1024
#define BOOT_MEM_MAX	 128
#define BOOT_MOD_MAX	 16
#define BOOT_NAME_MAX	 64

enum boot_mem_type {
	BOOT_MEM_RAM = 1,
	BOOT_MEM_RESERVED,
	BOOT_MEM_ACPI,
	BOOT_MEM_NVS,
	BOOT_MEM_UNUSABLE,
};

struct boot_mem_region {
	uint64_t base;
	uint64_t length;
	uint32_t type; /* enum boot_mem_type */
};

struct boot_module {
	uint64_t base;
	uint64_t size;
	char cmdline[BOOT_NAME_MAX];
};

struct boot_info {
	int path; /* BOOT_PATH_PVH or BOOT_PATH_MB2 */
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[BOOT_NAME_MAX];
	uint64_t rsdp_phys;    /* 0: not given (the copy below may still be) */
	uint8_t rsdp[36];      /* copy of the RSDP (Multiboot2 passes only a copy) */
	uint32_t rsdp_len;     /* 0: none, 20: ACPI 1.0, 36: ACPI 2.0+ */
	uint32_t nmem;
	struct boot_mem_region mem[BOOT_MEM_MAX];
	uint32_t nmod;
	struct boot_module mod[BOOT_MOD_MAX];
	uint32_t warnings;     /* entries dropped or truncated while parsing */
};

/*
 * Loader memory is reached through a mapper: it returns a pointer to len readable bytes at
 * physical address pa, or NULL when that range cannot be read. The kernel maps through the
 * early direct map; tests and fuzzers map into a buffer.
 */
typedef const void *(*boot_map_fn)(uint64_t pa, size_t len, void *ctx);

/*
 * bootinfo_parse_pvh / bootinfo_parse_mb2: fill bi from the loader's structure at info_pa.
 *   Returns: 0 on success; -1 when the structure is unusable (bad magic, unreadable); fields
 *            that are individually bad are dropped and counted in bi->warnings.
 */
int bootinfo_parse_pvh(struct boot_info *bi, uint64_t info_pa, boot_map_fn map, void *ctx);
int bootinfo_parse_mb2(struct boot_info *bi, uint64_t info_pa, boot_map_fn map, void *ctx);

const char *bootinfo_path_name(int path);
const char *bootinfo_mem_type_name(uint32_t type);
/* Bytes of RAM the memory map reports. */
uint64_t bootinfo_ram_bytes(const struct boot_info *bi);

#endif /* _BOOT_BOOTINFO_H_ */
