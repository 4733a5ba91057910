/*
 * kern_prot_test.c — bsd/kern/kern_prot.c: the credential rules on their own. Root may take any
 * ids; anyone else only moves among the real, effective and saved ids it holds (setuid,
 * setreuid with Linux's saved-id rule, setresuid, the gid twins); setgroups is root's; kill
 * needs a matching real or saved uid; the file-mode check picks the owner, group or other bits,
 * lets root through but not into a file nobody may execute, and access(2) uses the real ids.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/stat.h>

#include <arch/x86_64/usercopy.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/syscall.h>
#include <bsd/sys/errno.h>

static struct proc me;

/* The kernel's own: the caller's process and user copies (user memory is ours here). */
struct proc *
current_proc(void)
{
	return &me;
}

int
copyin(const void *uaddr, void *kaddr, size_t len)
{
	memcpy(kaddr, uaddr, len);
	return 0;
}

int
copyout(const void *kaddr, void *uaddr, size_t len)
{
	memcpy(uaddr, kaddr, len);
	return 0;
}

static long
call(long (*fn)(struct trapframe *), uint64_t a, uint64_t b, uint64_t c)
{
	struct trapframe tf = { .tf_rdi = a, .tf_rsi = b, .tf_rdx = c };

	return fn(&tf);
}

static void
ids(uint32_t r, uint32_t e, uint32_t s)
{
	uint32_t gr, ge, gs;

	cr_assert_eq(call(sys_getresuid, (uint64_t)&gr, (uint64_t)&ge, (uint64_t)&gs), 0);
	cr_assert(gr == r && ge == e && gs == s, "ids %u %u %u, expected %u %u %u", gr, ge, gs, r,
		  e, s);
}

#define NONE ((uint64_t)0xffffffffu)

static void
as_root(void)
{
	memset(&me, 0, sizeof(me));
}

TestSuite(kern_prot, .init = as_root);

Test(kern_prot, root_sets_anything_and_suser)
{
	cr_assert_eq(proc_suser(&me), 0);
	cr_assert_eq(call(sys_setresuid, 10, 20, 30), 0);
	ids(10, 20, 30);
	cr_assert_eq(proc_suser(&me), EPERM);
}

Test(kern_prot, setuid_root_sets_all_three_user_only_effective)
{
	cr_assert_eq(call(sys_setuid, 100, 0, 0), 0);
	ids(100, 100, 100);
	cr_assert_eq(call(sys_setuid, 0, 0, 0), -EPERM);
	me.p_uid = 100, me.p_euid = 100, me.p_suid = 200;
	cr_assert_eq(call(sys_setuid, 200, 0, 0), 0); /* the saved id */
	ids(100, 200, 200);
	cr_assert_eq(call(sys_setuid, 300, 0, 0), -EPERM);
	cr_assert_eq(call(sys_setuid, NONE, 0, 0), -EINVAL);
}

Test(kern_prot, saved_root_lets_effective_come_back)
{
	cr_assert_eq(call(sys_setresuid, 100, 100, 0), 0);
	cr_assert_eq(call(sys_setreuid, NONE, 0, 0), 0);
	ids(100, 0, 0);
	/* Setting the real id moves the saved one to the new effective id: root is gone. */
	cr_assert_eq(call(sys_setreuid, 100, 100, 0), 0);
	ids(100, 100, 100);
	cr_assert_eq(call(sys_setreuid, NONE, 0, 0), -EPERM);
	cr_assert_eq(call(sys_setreuid, 0, NONE, 0), -EPERM);
}

Test(kern_prot, setreuid_user_rules)
{
	me.p_uid = 1, me.p_euid = 2, me.p_suid = 3;
	cr_assert_eq(call(sys_setreuid, 2, NONE, 0), 0); /* real := effective */
	ids(2, 2, 2);
	me.p_uid = 1, me.p_euid = 2, me.p_suid = 3;
	cr_assert_eq(call(sys_setreuid, 3, NONE, 0), -EPERM); /* real := saved is not allowed */
	cr_assert_eq(call(sys_setreuid, NONE, 3, 0), 0);
	ids(1, 3, 3); /* effective changed away from the real id: saved follows */
	cr_assert_eq(call(sys_setreuid, NONE, 1, 0), 0);
	ids(1, 1, 3); /* back to the real id: saved stays */
}

Test(kern_prot, setresuid_user_only_held_ids)
{
	me.p_uid = 1, me.p_euid = 2, me.p_suid = 3;
	cr_assert_eq(call(sys_setresuid, 3, 1, 2), 0);
	ids(3, 1, 2);
	cr_assert_eq(call(sys_setresuid, NONE, 4, NONE), -EPERM);
	ids(3, 1, 2); /* nothing changed on EPERM */
}

Test(kern_prot, gids_follow_root_of_the_uid)
{
	uint32_t r, e, s;

	cr_assert_eq(call(sys_setresgid, 5, 6, 7), 0);
	cr_assert_eq(call(sys_getresgid, (uint64_t)&r, (uint64_t)&e, (uint64_t)&s), 0);
	cr_assert(r == 5 && e == 6 && s == 7);
	cr_assert_eq(call(sys_setgid, 8, 0, 0), 0); /* root: all three */
	cr_assert(me.p_gid == 8 && me.p_egid == 8 && me.p_sgid == 8);
	me.p_euid = 100;
	cr_assert_eq(call(sys_setgid, 0, 0, 0), -EPERM);
	cr_assert_eq(call(sys_setregid, 8, 8, 0), 0);
	cr_assert_eq(call(sys_setresgid, 9, NONE, NONE), -EPERM);
}

Test(kern_prot, groups)
{
	uint32_t g[3] = { 4, 5, 6 }, out[3];

	cr_assert_eq(call(sys_setgroups, 3, (uint64_t)g, 0), 0);
	cr_assert_eq(call(sys_getgroups, 0, 0, 0), 3);
	cr_assert_eq(call(sys_getgroups, 2, (uint64_t)out, 0), -EINVAL);
	cr_assert_eq(call(sys_getgroups, 3, (uint64_t)out, 0), 3);
	cr_assert(memcmp(g, out, sizeof(g)) == 0);
	cr_assert(cred_groupmember(&me, 5) && !cred_groupmember(&me, 7));
	cr_assert_eq(call(sys_setgroups, NGROUPS_K + 1, (uint64_t)g, 0), -EINVAL);
	me.p_euid = 1;
	cr_assert_eq(call(sys_setgroups, 0, 0, 0), -EPERM);
	cr_assert_eq(call(sys_getgroups, 0, 0, 0), 3);
}

Test(kern_prot, kill_permission)
{
	struct proc q = { .p_uid = 7, .p_euid = 8, .p_suid = 9 };

	cr_assert(cred_can_signal(&me, &q)); /* root */
	me.p_uid = 1, me.p_euid = 2, me.p_suid = 7;
	cr_assert(!cred_can_signal(&me, &q)); /* our saved id counts for nothing */
	me.p_uid = 9;
	cr_assert(cred_can_signal(&me, &q)); /* real = target's saved */
	me.p_uid = 1, me.p_euid = 7;
	cr_assert(cred_can_signal(&me, &q)); /* effective = target's real */
	me.p_euid = 8;
	cr_assert(!cred_can_signal(&me, &q)); /* the target's effective id does not count */
	cr_assert(cred_can_signal(NULL, &q));
}

Test(kern_prot, file_modes)
{
	/* root: everything but executing a file with no x bit (directories are searched). */
	cr_assert_eq(cred_vaccess(5, 5, S_IFREG | 0000, 4 | 2, false), 0);
	cr_assert_eq(cred_vaccess(5, 5, S_IFREG | 0644, 1, false), EACCES);
	cr_assert_eq(cred_vaccess(5, 5, S_IFREG | 0100, 1, false), 0);
	cr_assert_eq(cred_vaccess(5, 5, S_IFDIR | 0000, 1, false), 0);
	me.p_uid = me.p_euid = me.p_suid = 10;
	me.p_gid = me.p_egid = me.p_sgid = 20;
	/* Owner bits for the owner, even when group or other would allow more. */
	cr_assert_eq(cred_vaccess(10, 99, S_IFREG | 0477, 2, false), EACCES);
	cr_assert_eq(cred_vaccess(10, 99, S_IFREG | 0600, 4 | 2, false), 0);
	/* Group bits by effective or supplementary group. */
	cr_assert_eq(cred_vaccess(11, 20, S_IFREG | 0640, 4, false), 0);
	cr_assert_eq(cred_vaccess(11, 20, S_IFREG | 0640, 2, false), EACCES);
	cr_assert_eq(cred_vaccess(11, 30, S_IFREG | 0640, 4, false), EACCES);
	me.p_groups[0] = 30, me.p_ngroups = 1;
	cr_assert_eq(cred_vaccess(11, 30, S_IFREG | 0640, 4, false), 0);
	/* Other bits for the rest. */
	cr_assert_eq(cred_vaccess(11, 31, S_IFREG | 0604, 4, false), 0);
	cr_assert_eq(cred_vaccess(11, 31, S_IFREG | 0660, 4, false), EACCES);
	/* access(2): the real ids decide. */
	me.p_euid = 0;
	cr_assert_eq(cred_vaccess(11, 31, S_IFREG | 0600, 4, true), EACCES);
	cr_assert_eq(cred_vaccess(11, 31, S_IFREG | 0600, 4, false), 0);
}
