/*
 * bootinfo_ktest.c — self-tests of what the loader told us, as the kernel normalised it.
 */
#include <boot/bootinfo.h>
#include <cmdline.h>
#include <ktest.h>

extern struct boot_info boot_info;

KTEST(bootinfo_memory_map)
{
	uint64_t ram = bootinfo_ram_bytes(&boot_info);

	KT_ASSERT(boot_info.nmem > 0);
	KT_ASSERT(ram >= (16ULL << 20));
	for (uint32_t i = 0; i < boot_info.nmem; i++) {
		KT_ASSERT(boot_info.mem[i].length > 0);
		KT_ASSERT(boot_info.mem[i].type >= BOOT_MEM_RAM &&
			  boot_info.mem[i].type <= BOOT_MEM_UNUSABLE);
	}
}

KTEST(bootinfo_cmdline)
{
	KT_ASSERT(boot_info.path == BOOT_PATH_PVH || boot_info.path == BOOT_PATH_MB2);
	/* We are running because the command line said ktest=...: the parse must agree. */
	KT_ASSERT(cmdline_get(&boot_cmdline, "ktest") != NULL);
	KT_ASSERT(boot_cmdline.nargs > 0 && boot_cmdline.args[0].key != NULL);
}
