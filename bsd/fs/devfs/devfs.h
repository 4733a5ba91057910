/*
 * devfs.h — the device file system (devfs.c): mounted on /dev by vfs_init.
 */
#ifndef _BSD_FS_DEVFS_DEVFS_H_
#define _BSD_FS_DEVFS_DEVFS_H_

/* devfs_init: make the fixed nodes and follow IOMedia. Idempotent; needs I/O Kit running. */
void devfs_init(void);

#endif /* _BSD_FS_DEVFS_DEVFS_H_ */
