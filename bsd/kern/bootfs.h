/*
 * bootfs.h — the read-only file system of the boot module (a cpio "newc" archive passed as
 * QEMU's -initrd or a Multiboot2 module), where the first programs come from until the root
 * file system is mounted through the VFS.
 */
#ifndef _BSD_KERN_BOOTFS_H_
#define _BSD_KERN_BOOTFS_H_

#include <bsd/kern/exec_elf.h>

/* bootfs_init: find the first boot module that is a cpio archive. Returns whether one is. */
bool bootfs_init(void);
/*
 * bootfs_open: a reader for the regular file at path.
 *   Returns: 0 and *r; ENOENT (no bootfs, or no such file), EACCES (not a regular file),
 *            EINVAL (the archive is malformed).
 */
int bootfs_open(const char *path, struct exec_reader *r);

/*
 * bootfs_unpack: copy the archive into the mounted root file system (directories, regular files,
 * symbolic links; a later entry of a name replaces an earlier one). Called once, by vfs_init,
 * after bootfs_init found the archive and a writable root is mounted on /. An archive that was
 * inflated is freed afterwards (bootfs_open then answers ENOENT: its files are in / now).
 *   Returns: 0 (entries that could not be made are logged and skipped); ENOENT (no archive);
 *            EINVAL (the archive is malformed: what precedes the bad entry is unpacked).
 */
int bootfs_unpack(void);

#endif /* _BSD_KERN_BOOTFS_H_ */
