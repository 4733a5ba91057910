/*
 * kern_prot.c — process credentials (XNU bsd/kern/kern_prot.c; POSIX.1-2017 setuid(),
 * setreuid(), kill() "Permission", and Linux's setresuid(2)/setgroups(2)): real, effective and
 * saved user and group ids and the supplementary groups of each process, the calls that read
 * and change them, the superuser check, who may signal whom, and the owner/group/other check
 * of file modes that the VFS asks for.
 *
 * The one idea: the ids live in the proc (copied by fork, kept by exec) and every rule is
 * "root (effective uid 0) may do anything; anyone else may only move among the ids they
 * already hold". Threads of one process share them (POSIX; Linux's per-thread credentials are
 * made process-wide by libc, here by the kernel). XXX: no set-user-ID bit on exec, no
 * capabilities, setfsuid/setfsgid are not there.
 */
#include <arch/x86_64/usercopy.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/syscall.h>
#include <bsd/sys/errno.h>
#ifdef NIMBUS_HOSTED
#include <sys/stat.h> /* the unit test: glibc's mode macros (it hides linux/stat.h's) */
#else
#include <bsd/sys/stat.h>
#endif

#define ID_NONE 0xffffffffu /* "leave unchanged" (-1) */

int
proc_suser(struct proc *p)
{
	return p->p_euid == 0 ? 0 : EPERM;
}

void
cred_fork(struct proc *child, const struct proc *parent)
{
	child->p_uid = parent->p_uid;
	child->p_euid = parent->p_euid;
	child->p_suid = parent->p_suid;
	child->p_gid = parent->p_gid;
	child->p_egid = parent->p_egid;
	child->p_sgid = parent->p_sgid;
	child->p_ngroups = parent->p_ngroups;
	memcpy(child->p_groups, parent->p_groups, sizeof(child->p_groups));
}

bool
cred_groupmember(const struct proc *p, uint32_t gid)
{
	if (p->p_egid == gid)
		return true;
	for (unsigned i = 0; i < p->p_ngroups; i++)
		if (p->p_groups[i] == gid)
			return true;
	return false;
}

bool
cred_can_signal(const struct proc *p, const struct proc *q)
{
	/* POSIX: root, or the sender's real or effective uid is the receiver's real or saved
	 * uid. Kernel threads (no process) may signal anyone. */
	if (p == NULL || p->p_euid == 0)
		return true;
	return p->p_uid == q->p_uid || p->p_uid == q->p_suid || p->p_euid == q->p_uid ||
	       p->p_euid == q->p_suid;
}

/*
 * cred_vaccess: whether the current process may use a file with owner uid, group gid and mode
 * fmode for want (R_OK 4, W_OK 2, X_OK 1), by the owner, group or other bits that apply to it;
 * with real, by its real ids (access(2)). Root may do anything but execute a file that has no
 * execute bit at all. A kernel thread (no process) may do anything.
 *   Returns: 0 or EACCES.
 */
int
cred_vaccess(uint32_t uid, uint32_t gid, uint32_t fmode, int want, bool real)
{
	struct proc *p = current_proc();
	uint32_t me, bits;
	bool in_group;

	if (p == NULL)
		return 0;
	me = real ? p->p_uid : p->p_euid;
	if (me == 0) {
		if ((want & 1) && !S_ISDIR(fmode) && !(fmode & (S_IXUSR | S_IXGRP | S_IXOTH)))
			return EACCES;
		return 0;
	}
	in_group = real ? (p->p_gid == gid || cred_groupmember(p, gid)) : cred_groupmember(p, gid);
	if (me == uid)
		bits = (fmode >> 6) & 7;
	else if (in_group)
		bits = (fmode >> 3) & 7;
	else
		bits = fmode & 7;
	return (want & ~bits & 7) != 0 ? EACCES : 0;
}

/* The ids a non-root process may take: the real, effective or saved one it holds. */
static bool
cred_holds(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
	return id == r || id == e || id == s;
}

long
sys_getuid(struct trapframe *tf)
{
	return current_proc()->p_uid;
}

long
sys_geteuid(struct trapframe *tf)
{
	return current_proc()->p_euid;
}

long
sys_getgid(struct trapframe *tf)
{
	return current_proc()->p_gid;
}

long
sys_getegid(struct trapframe *tf)
{
	return current_proc()->p_egid;
}

/* setresuid/setresgid's rules on one triple (ids[0..2] real, effective, saved); root sets
 * anything, others only ids they hold. Returns 0 or -EPERM; ID_NONE leaves one alone. */
static long
cred_setres(uint32_t *ids, uint32_t r, uint32_t e, uint32_t s, bool root)
{
	uint32_t want[3] = { r, e, s };

	for (int i = 0; i < 3; i++)
		if (!root && want[i] != ID_NONE && !cred_holds(want[i], ids[0], ids[1], ids[2]))
			return -EPERM;
	for (int i = 0; i < 3; i++)
		if (want[i] != ID_NONE)
			ids[i] = want[i];
	return 0;
}

static long
cred_setres_uid(struct proc *p, uint32_t r, uint32_t e, uint32_t s)
{
	uint32_t ids[3] = { p->p_uid, p->p_euid, p->p_suid };
	long err = cred_setres(ids, r, e, s, p->p_euid == 0);

	if (err == 0)
		p->p_uid = ids[0], p->p_euid = ids[1], p->p_suid = ids[2];
	return err;
}

static long
cred_setres_gid(struct proc *p, uint32_t r, uint32_t e, uint32_t s)
{
	uint32_t ids[3] = { p->p_gid, p->p_egid, p->p_sgid };
	long err = cred_setres(ids, r, e, s, p->p_euid == 0);

	if (err == 0)
		p->p_gid = ids[0], p->p_egid = ids[1], p->p_sgid = ids[2];
	return err;
}

/* setuid(uid): root sets all three; others may set the effective id to the real or saved. */
long
sys_setuid(struct trapframe *tf)
{
	struct proc *p = current_proc();
	uint32_t uid = (uint32_t)tf->tf_rdi;

	if (uid == ID_NONE)
		return -EINVAL;
	if (p->p_euid == 0)
		return cred_setres_uid(p, uid, uid, uid);
	if (uid != p->p_uid && uid != p->p_suid)
		return -EPERM;
	p->p_euid = uid;
	return 0;
}

long
sys_setgid(struct trapframe *tf)
{
	struct proc *p = current_proc();
	uint32_t gid = (uint32_t)tf->tf_rdi;

	if (gid == ID_NONE)
		return -EINVAL;
	if (p->p_euid == 0)
		return cred_setres_gid(p, gid, gid, gid);
	if (gid != p->p_gid && gid != p->p_sgid)
		return -EPERM;
	p->p_egid = gid;
	return 0;
}

/*
 * setreuid(r, e) as Linux does it: a non-root process may set the real id to its real or
 * effective one and the effective id to its real, effective or saved one; when the real id is
 * set, or the effective one to something other than the old real id, the saved id becomes the
 * new effective id.
 */
static long
cred_setre(uint32_t *ids, uint32_t r, uint32_t e, bool root)
{
	uint32_t old_real = ids[0];

	if (!root && r != ID_NONE && r != ids[0] && r != ids[1])
		return -EPERM;
	if (!root && e != ID_NONE && !cred_holds(e, ids[0], ids[1], ids[2]))
		return -EPERM;
	if (r != ID_NONE)
		ids[0] = r;
	if (e != ID_NONE)
		ids[1] = e;
	if (r != ID_NONE || (e != ID_NONE && e != old_real))
		ids[2] = ids[1];
	return 0;
}

long
sys_setreuid(struct trapframe *tf)
{
	struct proc *p = current_proc();
	uint32_t ids[3] = { p->p_uid, p->p_euid, p->p_suid };
	long err = cred_setre(ids, (uint32_t)tf->tf_rdi, (uint32_t)tf->tf_rsi, p->p_euid == 0);

	if (err == 0)
		p->p_uid = ids[0], p->p_euid = ids[1], p->p_suid = ids[2];
	return err;
}

long
sys_setregid(struct trapframe *tf)
{
	struct proc *p = current_proc();
	uint32_t ids[3] = { p->p_gid, p->p_egid, p->p_sgid };
	long err = cred_setre(ids, (uint32_t)tf->tf_rdi, (uint32_t)tf->tf_rsi, p->p_euid == 0);

	if (err == 0)
		p->p_gid = ids[0], p->p_egid = ids[1], p->p_sgid = ids[2];
	return err;
}

long
sys_setresuid(struct trapframe *tf)
{
	return cred_setres_uid(current_proc(), (uint32_t)tf->tf_rdi, (uint32_t)tf->tf_rsi,
			       (uint32_t)tf->tf_rdx);
}

long
sys_setresgid(struct trapframe *tf)
{
	return cred_setres_gid(current_proc(), (uint32_t)tf->tf_rdi, (uint32_t)tf->tf_rsi,
			       (uint32_t)tf->tf_rdx);
}

static long
cred_getres(uint32_t r, uint32_t e, uint32_t s, struct trapframe *tf)
{
	if (copyout(&r, (void *)tf->tf_rdi, sizeof(r)) != 0 ||
	    copyout(&e, (void *)tf->tf_rsi, sizeof(e)) != 0 ||
	    copyout(&s, (void *)tf->tf_rdx, sizeof(s)) != 0)
		return -EFAULT;
	return 0;
}

long
sys_getresuid(struct trapframe *tf)
{
	struct proc *p = current_proc();

	return cred_getres(p->p_uid, p->p_euid, p->p_suid, tf);
}

long
sys_getresgid(struct trapframe *tf)
{
	struct proc *p = current_proc();

	return cred_getres(p->p_gid, p->p_egid, p->p_sgid, tf);
}

/* getgroups(size, list): the supplementary groups (size 0: only their number). */
long
sys_getgroups(struct trapframe *tf)
{
	struct proc *p = current_proc();
	int size = (int)tf->tf_rdi;

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return p->p_ngroups;
	if ((unsigned)size < p->p_ngroups)
		return -EINVAL;
	if (copyout(p->p_groups, (void *)tf->tf_rsi, p->p_ngroups * sizeof(uint32_t)) != 0)
		return -EFAULT;
	return p->p_ngroups;
}

/* setgroups(size, list): root only. */
long
sys_setgroups(struct trapframe *tf)
{
	struct proc *p = current_proc();
	uint32_t groups[NGROUPS_K];
	size_t n = tf->tf_rdi;
	int err;

	if ((err = proc_suser(p)) != 0)
		return -err;
	if (n > NGROUPS_K)
		return -EINVAL;
	if (n != 0 && copyin((const void *)tf->tf_rsi, groups, n * sizeof(uint32_t)) != 0)
		return -EFAULT;
	memcpy(p->p_groups, groups, n * sizeof(uint32_t));
	p->p_ngroups = (unsigned)n;
	return 0;
}
