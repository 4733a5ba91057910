/*
 * disk_shell.h — the debug shell's storage commands (kernel/debugshell.c's table calls them):
 * `disks` lists every IOMedia; `ls PATH` and `cat PATH` read the first ext2 file system found.
 */
#ifndef _BSD_DEV_DISK_SHELL_H_
#define _BSD_DEV_DISK_SHELL_H_

void disk_shell_disks(int argc, char **argv);
void disk_shell_ls(int argc, char **argv);
void disk_shell_cat(int argc, char **argv);

#endif /* _BSD_DEV_DISK_SHELL_H_ */
