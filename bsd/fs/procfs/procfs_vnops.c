/*
 * procfs_vnops.c — the process file system's tree and vnodes (after 4.4BSD's miscfs/procfs and
 * the layout of Linux's /proc, proc(5), which busybox's ps, free, mount and df read): a root
 * with one directory per process (stat, status, cmdline, comm, fd), `self`, the system files
 * (procfs_files.c) and sys/vm/drop_caches.
 *
 * The one idea: nothing is stored. A node is (pid, kind) packed into its file id, so the vnode
 * cache finds it like any other file; its text is made afresh at every read from the kernel's
 * live state and the part the read asked for is copied out. Lookups go around the name cache
 * (MNT_NOCACHE): pids come and go, and a cached "no such name" would hide a new process.
 * Files are reported as regular (S_IFREG, size 0, as Linux does) but their vnodes are not VREG,
 * so they get no UBC object and are never synced or dropped as file data.
 */
#include <bsd/fs/procfs/procfs_internal.h>
#include <bsd/kern/file.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/uipc_syscalls.h>
#include <bsd/sys/dirent.h>
#include <bsd/sys/stat.h>
#include <bsd/vfs/vfs_syscalls.h>
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/vm_param.h>

#define PFS_FILEID(pid, kind) (((uint64_t)(pid) << 8) | (kind))
#define PFS_FD_FILEID(pid, fd) (PFS_FILEID(pid, PFS_FD_LINK) | ((uint64_t)(fd) << 40))
#define PFS_PIDOF(fileid)     ((pid_t)(((fileid) >> 8) & 0xffffffff))
#define PFS_KINDOF(fileid)    ((unsigned)((fileid) & 0xff))
#define PFS_FDOF(fileid)      ((int)(((fileid) >> 40) & 0xff))

#define PFS_READ_MAX (64 * 1024) /* the most text one file makes */

static const struct vnodeops procfs_vnops;

/* The fixed part of the tree; PFS_PID's entries are repeated in every process directory. */
static const struct pfs_entry pfs_entries[] = {
	{ "self", PFS_SELF, PFS_ROOT, VLNK, 0777, NULL, NULL },
	{ "meminfo", PFS_MEMINFO, PFS_ROOT, VREG, 0444, pfs_gen_meminfo, NULL },
	{ "uptime", PFS_UPTIME, PFS_ROOT, VREG, 0444, pfs_gen_uptime, NULL },
	{ "loadavg", PFS_LOADAVG, PFS_ROOT, VREG, 0444, pfs_gen_loadavg, NULL },
	{ "mounts", PFS_MOUNTS, PFS_ROOT, VREG, 0444, pfs_gen_mounts, NULL },
	{ "cpuinfo", PFS_CPUINFO, PFS_ROOT, VREG, 0444, pfs_gen_cpuinfo, NULL },
	{ "partitions", PFS_PARTITIONS, PFS_ROOT, VREG, 0444, pfs_gen_partitions, NULL },
	{ "stat", PFS_STAT, PFS_ROOT, VREG, 0444, pfs_gen_stat, NULL },
	{ "filesystems", PFS_FILESYSTEMS, PFS_ROOT, VREG, 0444, pfs_gen_filesystems, NULL },
	{ "sys", PFS_SYS, PFS_ROOT, VDIR, 0555, NULL, NULL },
	{ "vm", PFS_SYS_VM, PFS_SYS, VDIR, 0555, NULL, NULL },
	{ "drop_caches", PFS_DROP_CACHES, PFS_SYS_VM, VREG, 0200, pfs_gen_empty,
	  pfs_write_drop_caches },
	{ "stat", PFS_PID_STAT, PFS_PID, VREG, 0444, pfs_gen_pid_stat, NULL },
	{ "status", PFS_PID_STATUS, PFS_PID, VREG, 0444, pfs_gen_pid_status, NULL },
	{ "cmdline", PFS_PID_CMDLINE, PFS_PID, VREG, 0444, pfs_gen_pid_cmdline, NULL },
	{ "comm", PFS_PID_COMM, PFS_PID, VREG, 0444, pfs_gen_pid_comm, NULL },
	{ "fd", PFS_PID_FD, PFS_PID, VDIR, 0500, NULL, NULL },
};

static const struct pfs_entry pfs_root_entry = { "", PFS_ROOT, PFS_ROOT, VDIR, 0555, NULL, NULL };
static const struct pfs_entry pfs_pid_entry = { "", PFS_PID, PFS_ROOT, VDIR, 0555, NULL, NULL };
static const struct pfs_entry pfs_fd_entry = { "", PFS_FD_LINK, PFS_PID_FD, VLNK, 0700, NULL,
					       NULL };

static const struct pfs_entry *
pfs_entry_of(unsigned kind)
{
	if (kind == PFS_ROOT)
		return &pfs_root_entry;
	if (kind == PFS_PID)
		return &pfs_pid_entry;
	if (kind == PFS_FD_LINK)
		return &pfs_fd_entry;
	for (size_t i = 0; i < ARRAY_SIZE(pfs_entries); i++)
		if (pfs_entries[i].pe_kind == kind)
			return &pfs_entries[i];
	return NULL;
}

/* ---- text buffers ---- */

void
pfs_printf(struct pfs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->pb_len + 1 >= b->pb_cap)
		return;
	va_start(ap, fmt);
	n = kvsnprintf(b->pb_buf + b->pb_len, b->pb_cap - b->pb_len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* Cut at the buffer's end (less the NUL kvsnprintf put there): the reader gets what
	 * fitted. */
	b->pb_len = MIN(b->pb_len + (size_t)n, b->pb_cap - 1);
}

void
pfs_put(struct pfs_buf *b, const void *data, size_t len)
{
	len = MIN(len, b->pb_cap - b->pb_len);
	memcpy(b->pb_buf + b->pb_len, data, len);
	b->pb_len += len;
}

/* ---- vnodes ---- */

static int
pfs_vget_id(struct mount *mp, uint64_t id, vnode_t *vpp)
{
	unsigned kind = PFS_KINDOF(id);
	const struct pfs_entry *pe = pfs_entry_of(kind);
	enum vtype t;
	bool existed;
	int err;

	if (pe == NULL)
		return ENOENT;
	if ((*vpp = vnode_get_cached(mp, id)) != NULL)
		return 0;
	t = pe->pe_type == VREG ? VCHR : pe->pe_type; /* VREG would give it a UBC object */
	err = vnode_create(mp, id, &procfs_vnops, NULL, t, 0, vpp, &existed);
	if (err == 0 && !existed && kind == PFS_ROOT)
		(*vpp)->v_flag |= VROOT;
	return err;
}

static int
pfs_vget(struct mount *mp, pid_t pid, unsigned kind, vnode_t *vpp)
{
	return pfs_vget_id(mp, PFS_FILEID(pid, kind), vpp);
}

/*
 * The descriptors of /proc/<pid>/fd. XXX: only a process's own (another's table may change
 * under the reader: that needs a lock on it), so any other pid's fd directory is EACCES.
 */
static int
pfs_fd_check(pid_t pid)
{
	struct proc *p = current_proc();

	return p != NULL && p->p_pid == pid ? 0 : EACCES;
}

/* What fd/N points to: the path a file was opened by, the console, or the kind of file.
 * XXX: sockets and pipes have no inode numbers to show. */
static void
pfs_file_describe(const struct file *fp, char *buf, size_t cap)
{
	const char *path = vfs_file_path(fp);

	if (path != NULL)
		ksnprintf(buf, cap, "%s", path[0] != '\0' ? path : "/");
	else if (file_is_console(fp))
		ksnprintf(buf, cap, "/dev/console");
	else if (fp->f_ops == &socket_fileops)
		ksnprintf(buf, cap, "socket:[0]");
	else
		ksnprintf(buf, cap, "pipe:[0]");
}

static bool
pfs_fd_open(int fd)
{
	return fd >= 0 && fd < NOFILE && current_proc()->p_fd[fd] != NULL;
}

/* A process directory's name: a pid in canonical decimal (no sign, no leading zero). */
static pid_t
pfs_name_pid(const char *name, size_t len)
{
	uint64_t v = 0;

	if (len == 0 || len > 9 || name[0] == '0')
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	return (pid_t)v;
}

static int
procfs_vop_lookup(vnode_t dvp, const char *name, size_t len, vnode_t *vpp)
{
	unsigned dkind = PFS_KINDOF(dvp->v_fileid);
	pid_t dpid = PFS_PIDOF(dvp->v_fileid), pid;
	struct proc_info pi;

	if (len == 1 && name[0] == '.') {
		vnode_ref(dvp);
		*vpp = dvp;
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (dkind == PFS_ROOT) {
			vnode_ref(dvp); /* namei crosses the mount point itself */
			*vpp = dvp;
			return 0;
		}
		return pfs_vget(dvp->v_mount, dkind == PFS_PID_FD ? dpid : 0,
				pfs_entry_of(dkind)->pe_parent, vpp);
	}
	if (dkind == PFS_PID && !proc_info_get(dpid, &pi))
		return ENOENT; /* the process has gone */
	if (dkind == PFS_PID_FD) {
		int err = pfs_fd_check(dpid);

		if (err != 0)
			return err;
		pid = pfs_name_pid(name, len); /* a descriptor number, spelt the same way */
		if (len == 1 && name[0] == '0')
			pid = 0;
		else if (pid == 0)
			return ENOENT;
		if (!pfs_fd_open(pid))
			return ENOENT;
		return pfs_vget_id(dvp->v_mount, PFS_FD_FILEID(dpid, pid), vpp);
	}
	for (size_t i = 0; i < ARRAY_SIZE(pfs_entries); i++) {
		const struct pfs_entry *pe = &pfs_entries[i];

		if (pe->pe_parent != dkind || strlen(pe->pe_name) != len ||
		    memcmp(pe->pe_name, name, len) != 0)
			continue;
		/* Without a VOP_OPEN to refuse the open, another's fd/ is refused here. */
		if (pe->pe_kind == PFS_PID_FD && pfs_fd_check(dpid) != 0)
			return EACCES;
		return pfs_vget(dvp->v_mount, pe->pe_parent == PFS_PID ? dpid : 0, pe->pe_kind,
				vpp);
	}
	if (dkind == PFS_ROOT && (pid = pfs_name_pid(name, len)) != 0 && proc_info_get(pid, &pi))
		return pfs_vget(dvp->v_mount, pid, PFS_PID, vpp);
	return ENOENT;
}

/*
 * Cookies: 0 ".", 1 "..", 2.. the table's entries of this directory in table order; in the
 * root, then 1000 + pid for each process (the next live pid above the last one listed, so a
 * listing never repeats a process however the table changes between calls).
 */
#define PFS_COOKIE_PIDS 1000

static int
procfs_vop_readdir(vnode_t vp, uint64_t *cookie, vnode_dirent_fn fn, void *arg)
{
	unsigned dkind = PFS_KINDOF(vp->v_fileid);
	pid_t dpid = PFS_PIDOF(vp->v_fileid);

	if (dkind == PFS_PID_FD && pfs_fd_check(dpid) != 0)
		return EACCES;
	for (;;) {
		char name[16];
		uint64_t ino = vp->v_fileid, next = *cookie + 1;
		unsigned dt = DT_DIR;
		struct proc_info pi;

		if (*cookie == 0) {
			ksnprintf(name, sizeof(name), ".");
		} else if (*cookie == 1) {
			unsigned up = dkind == PFS_ROOT ? PFS_ROOT : pfs_entry_of(dkind)->pe_parent;

			ksnprintf(name, sizeof(name), "..");
			ino = PFS_FILEID(up == PFS_PID ? dpid : 0, up);
		} else if (*cookie < 2 + ARRAY_SIZE(pfs_entries)) {
			const struct pfs_entry *pe = &pfs_entries[*cookie - 2];

			if (pe->pe_parent != dkind) {
				(*cookie)++;
				continue;
			}
			ksnprintf(name, sizeof(name), "%s", pe->pe_name);
			ino = PFS_FILEID(dkind == PFS_PID ? dpid : 0, pe->pe_kind);
			dt = vnode_vtype_to_dt(pe->pe_type);
		} else if (dkind == PFS_PID_FD) {
			int fd = (int)(*cookie - 2 - ARRAY_SIZE(pfs_entries));

			if (fd >= NOFILE)
				return 0;
			if (!pfs_fd_open(fd)) {
				(*cookie)++;
				continue;
			}
			ksnprintf(name, sizeof(name), "%d", fd);
			ino = PFS_FD_FILEID(dpid, fd);
			dt = DT_LNK;
		} else if (dkind == PFS_ROOT) {
			pid_t after = 0;

			if (*cookie >= PFS_COOKIE_PIDS)
				after = (pid_t)(*cookie - PFS_COOKIE_PIDS);

			if (!proc_info_next(after, &pi))
				return 0;
			ksnprintf(name, sizeof(name), "%d", pi.pi_pid);
			ino = PFS_FILEID(pi.pi_pid, PFS_PID);
			next = PFS_COOKIE_PIDS + (uint64_t)pi.pi_pid;
		} else {
			return 0;
		}
		if (fn(arg, name, strlen(name), ino, dt, next) != 0)
			return 0;
		*cookie = next;
	}
}

static int
procfs_vop_getattr(vnode_t vp, struct vattr *va)
{
	const struct pfs_entry *pe = pfs_entry_of(PFS_KINDOF(vp->v_fileid));
	struct proc_info pi;

	if (pe == NULL)
		return ENOENT;
	if (PFS_PIDOF(vp->v_fileid) != 0 && !proc_info_get(PFS_PIDOF(vp->v_fileid), &pi))
		return ENOENT;
	va->va_type = pe->pe_type;
	va->va_fileid = vp->v_fileid;
	va->va_blksize = PAGE_SIZE;
	va->va_nlink = pe->pe_type == VDIR ? 2 : 1;
	switch (pe->pe_type) {
	case VDIR: va->va_mode = S_IFDIR | pe->pe_mode; break;
	case VLNK: va->va_mode = S_IFLNK | pe->pe_mode; break;
	default: va->va_mode = S_IFREG | pe->pe_mode; break;
	}
	return 0;
}

static int
procfs_vop_readlink(vnode_t vp, struct uio *uio)
{
	struct proc *p = current_proc();
	char buf[16];

	if (PFS_KINDOF(vp->v_fileid) == PFS_FD_LINK) {
		char path[256];
		int fd = PFS_FDOF(vp->v_fileid), err;

		if ((err = pfs_fd_check(PFS_PIDOF(vp->v_fileid))) != 0)
			return err;
		if (!pfs_fd_open(fd))
			return ENOENT;
		pfs_file_describe(p->p_fd[fd], path, sizeof(path));
		return uiomove(path, MIN(strlen(path), uio->uio_resid), uio);
	}
	if (PFS_KINDOF(vp->v_fileid) != PFS_SELF)
		return EINVAL;
	if (p == NULL)
		return ENOENT; /* a kernel thread has no self */
	ksnprintf(buf, sizeof(buf), "%d", p->p_pid);
	return uiomove(buf, MIN(strlen(buf), uio->uio_resid), uio);
}

static int
procfs_vop_read(vnode_t vp, struct uio *uio, int ioflag)
{
	const struct pfs_entry *pe = pfs_entry_of(PFS_KINDOF(vp->v_fileid));
	struct pfs_buf b = { .pb_cap = PFS_READ_MAX };
	int err;

	if (pe == NULL || pe->pe_gen == NULL)
		return EINVAL;
	if (uio->uio_offset < 0)
		return EINVAL;
	if ((b.pb_buf = kalloc(b.pb_cap)) == NULL)
		return ENOMEM;
	err = pe->pe_gen(&b, PFS_PIDOF(vp->v_fileid));
	if (err == 0 && (uint64_t)uio->uio_offset < b.pb_len)
		err = uiomove(b.pb_buf + uio->uio_offset,
			      MIN(b.pb_len - (size_t)uio->uio_offset, uio->uio_resid), uio);
	kfree(b.pb_buf, b.pb_cap);
	return err;
}

#define PFS_WRITE_MAX 64 /* a control file takes one short line */

static int
procfs_vop_write(vnode_t vp, struct uio *uio, int ioflag)
{
	const struct pfs_entry *pe = pfs_entry_of(PFS_KINDOF(vp->v_fileid));
	char buf[PFS_WRITE_MAX];
	size_t len = uio->uio_resid;
	int err;

	if (pe == NULL || pe->pe_write == NULL)
		return EACCES;
	if (len > sizeof(buf))
		return EINVAL;
	if ((err = uiomove(buf, len, uio)) != 0)
		return err;
	return pe->pe_write(buf, len);
}

static const struct vnodeops procfs_vnops = {
	.vop_lookup = procfs_vop_lookup,
	.vop_readdir = procfs_vop_readdir,
	.vop_getattr = procfs_vop_getattr,
	.vop_readlink = procfs_vop_readlink,
	.vop_read = procfs_vop_read,
	.vop_write = procfs_vop_write,
};

/* ---- the file system ---- */

static int
procfs_vfs_mount(struct mount *mp, struct io_media *media, int flags)
{
	mp->mnt_flag |= MNT_NOCACHE;
	return 0;
}

static int
procfs_vfs_unmount(struct mount *mp)
{
	return 0;
}

static int
procfs_vfs_root(struct mount *mp, vnode_t *vpp)
{
	return pfs_vget(mp, 0, PFS_ROOT, vpp);
}

static int
procfs_vfs_statfs(struct mount *mp, struct statfs_info *sf)
{
	memset(sf, 0, sizeof(*sf));
	sf->f_bsize = PAGE_SIZE;
	sf->f_namemax = 255;
	return 0;
}

const struct vfsops procfs_vfsops = {
	.vfs_name = "proc",
	.vfs_mount = procfs_vfs_mount,
	.vfs_unmount = procfs_vfs_unmount,
	.vfs_root = procfs_vfs_root,
	.vfs_statfs = procfs_vfs_statfs,
};
