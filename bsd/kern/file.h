/*
 * file.h — open files (XNU bsd/sys/file_internal.h): what a descriptor names. A file is a
 * reference-counted object with an operations vector, so the console, pipes, and later vnodes
 * and sockets are all reached the same way from the descriptor calls (kern_descrip.c).
 */
#ifndef _BSD_KERN_FILE_H_
#define _BSD_KERN_FILE_H_

#include <libkern/libkern.h>

struct file;
struct proc;

/* The operations of a kind of file. read/write/ioctl return bytes moved (or 0) or a negative
 * errno; buffers are user addresses. fo_close runs when the last reference goes. */
struct fileops {
	long (*fo_read)(struct file *fp, void *ubuf, size_t len);
	long (*fo_write)(struct file *fp, const void *ubuf, size_t len);
	long (*fo_ioctl)(struct file *fp, unsigned long cmd, uint64_t uarg);
	void (*fo_close)(struct file *fp);
};

struct file {
	const struct fileops *f_ops;
	uint32_t f_count; /* descriptors (in all processes) naming it */
	void *f_data;
};

/* A reference more / less; the last file_rele calls fo_close and frees a kalloc'ed file. */
void file_ref(struct file *fp);
void file_rele(struct file *fp);
/* fd_alloc: the lowest free descriptor of p now names fp (taking the caller's reference).
 * Returns the descriptor or -EMFILE. */
int fd_alloc(struct proc *p, struct file *fp);
/*
 * file_install: a new open file of kind ops over data, named by the current process's lowest
 * free descriptor (close-on-exec when cloexec). It owns data from here: on failure (-ENOMEM,
 * -EMFILE) ops->fo_close has released it. Returns the descriptor or the negative errno.
 */
long file_install(const struct fileops *ops, void *data, bool cloexec);
#define FD_CLOEXEC 1 /* a descriptor flag (fcntl F_GETFD/F_SETFD): closed by execve */
/* fd_set_cloexec: set or clear p's descriptor fd's close-on-exec flag. */
void fd_set_cloexec(struct proc *p, int fd, bool on);
/* fdt_exec: a successful execve closes p's close-on-exec descriptors. */
void fdt_exec(struct proc *p);
/* fd_close: p's descriptor fd no longer names its file (released). Returns 0 or -EBADF. */
int fd_close(struct proc *p, int fd);
/* Whether fp is the console (for poll). */
bool file_is_console(const struct file *fp);
/* The file descriptor fd of the current process names, or NULL. */
struct file *fd_get(uint64_t fd);
/* A read or write on a file that is not open for it. Returns -EBADF. */
long file_no_rw(struct file *fp, void *ubuf, size_t len);

#endif /* _BSD_KERN_FILE_H_ */
