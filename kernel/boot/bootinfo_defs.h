/*
 * bootinfo_defs.h — constants shared by boot.S and the C boot-info code.
 */
#ifndef _BOOT_BOOTINFO_DEFS_H_
#define _BOOT_BOOTINFO_DEFS_H_

#define BOOT_PATH_PVH 1
#define BOOT_PATH_MB2 2

#endif
