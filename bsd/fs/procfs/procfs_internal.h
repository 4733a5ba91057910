/*
 * procfs_internal.h — what procfs_vnops.c (the tree) and procfs_files.c (the text of each file)
 * share: node kinds, the entry table's row, the text buffer, and the generators.
 */
#ifndef _BSD_FS_PROCFS_PROCFS_INTERNAL_H_
#define _BSD_FS_PROCFS_PROCFS_INTERNAL_H_

#include <bsd/fs/procfs/procfs.h>
#include <bsd/kern/proc.h>
#include <bsd/sys/mount.h>

/* Node kinds: the low byte of a node's file id (the pid is above it; 0 for system nodes). */
enum pfs_kind {
	PFS_ROOT = 1,
	PFS_SELF,
	PFS_MEMINFO,
	PFS_UPTIME,
	PFS_LOADAVG,
	PFS_MOUNTS,
	PFS_CPUINFO,
	PFS_PARTITIONS,
	PFS_STAT,
	PFS_FILESYSTEMS,
	PFS_SYS,
	PFS_SYS_VM,
	PFS_DROP_CACHES,
	PFS_PID,		/* /proc/<pid> */
	PFS_PID_STAT,
	PFS_PID_STATUS,
	PFS_PID_CMDLINE,
	PFS_PID_COMM,
	PFS_PID_FD,		/* /proc/<pid>/fd */
	PFS_FD_LINK,		/* /proc/<pid>/fd/<n>: the fd is in the file id's bits 40-47 */
};

/* A file's text, made into a kernel buffer; what does not fit is cut off. */
struct pfs_buf {
	char *pb_buf;
	size_t pb_len, pb_cap;
};
void pfs_printf(struct pfs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pfs_put(struct pfs_buf *b, const void *data, size_t len);

/* A generator fills b for process pid (0 for system files). Returns 0, or ESRCH (gone). */
typedef int (*pfs_gen_fn)(struct pfs_buf *b, pid_t pid);
/* A control file's writer: len bytes a user wrote. Returns 0 or an errno. */
typedef int (*pfs_write_fn)(const char *buf, size_t len);

struct pfs_entry {
	const char *pe_name;
	uint8_t pe_kind;	/* enum pfs_kind */
	uint8_t pe_parent;	/* the directory's kind */
	enum vtype pe_type;	/* as stat shows it */
	uint16_t pe_mode;	/* permission bits */
	pfs_gen_fn pe_gen;
	pfs_write_fn pe_write;
};

int pfs_gen_meminfo(struct pfs_buf *b, pid_t pid);
int pfs_gen_uptime(struct pfs_buf *b, pid_t pid);
int pfs_gen_loadavg(struct pfs_buf *b, pid_t pid);
int pfs_gen_mounts(struct pfs_buf *b, pid_t pid);
int pfs_gen_cpuinfo(struct pfs_buf *b, pid_t pid);
int pfs_gen_partitions(struct pfs_buf *b, pid_t pid);
int pfs_gen_stat(struct pfs_buf *b, pid_t pid);
int pfs_gen_filesystems(struct pfs_buf *b, pid_t pid);
int pfs_gen_empty(struct pfs_buf *b, pid_t pid);
int pfs_gen_pid_stat(struct pfs_buf *b, pid_t pid);
int pfs_gen_pid_status(struct pfs_buf *b, pid_t pid);
int pfs_gen_pid_cmdline(struct pfs_buf *b, pid_t pid);
int pfs_gen_pid_comm(struct pfs_buf *b, pid_t pid);
int pfs_write_drop_caches(const char *buf, size_t len);

#endif /* _BSD_FS_PROCFS_PROCFS_INTERNAL_H_ */
