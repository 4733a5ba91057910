/*
 * kern_mman.c — the memory calls (XNU bsd/kern/kern_mman.c): brk, mmap of anonymous memory
 * and of files, munmap, mprotect, madvise, msync, as Linux x86-64 defines them, over the Mach
 * vm_user calls on the task's map.
 *
 * The one idea: every call is a thin translation — flags to vm_map_enter's placement and
 * inheritance (MAP_SHARED memory is VM_INHERIT_SHARE so a fork child sees the same pages),
 * PROT_* to vm_prot_t — after the argument checks Linux makes (alignment, zero length, ranges
 * that leave the user address space). A file mapping maps the file's own UBC object
 * (ubc_map): MAP_SHARED directly, so loads and stores meet read() and write() in the same
 * pages; MAP_PRIVATE copy-on-write (needs_copy), so the first store gives the mapping its own
 * shadow page and the file never sees it.
 */
#include <arch/x86_64/usercopy.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/syscall.h>
#include <bsd/kern/file.h>
#include <bsd/sys/errno.h>
#include <bsd/sys/fcntl.h>
#include <bsd/vfs/vfs_syscalls.h>
#include <bsd/vfs/vfs_ubc.h>
#include <console.h>
#include <mach/vm/vm_param.h>
#include <mach/vm/vm_user.h>

#define PROT_READ	     0x1
#define PROT_WRITE	     0x2
#define PROT_EXEC	     0x4
#define MAP_SHARED	     0x01
#define MAP_PRIVATE	     0x02
#define MAP_FIXED	     0x10
#define MAP_ANONYMOUS	     0x20
#define MAP_FIXED_NOREPLACE  0x100000
#define MAP_KNOWN	     (0x03 | MAP_FIXED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | \
			      0x100 /* GROWSDOWN */ | 0x2000 /* LOCKED */ | 0x4000 /* NORESERVE */ | \
			      0x8000 /* POPULATE */ | 0x10000 /* NONBLOCK */ | 0x40000 /* HUGETLB */)
#define BRK_MAX		     (1UL << 30)
#define MS_ASYNC	     1
#define MS_INVALIDATE	     2
#define MS_SYNC		     4

static vm_prot_t
mman_prot(uint64_t prot)
{
	return ((prot & PROT_READ) ? VM_PROT_READ : 0) | ((prot & PROT_WRITE) ? VM_PROT_WRITE : 0) |
	       ((prot & PROT_EXEC) ? VM_PROT_EXECUTE : 0);
}

static int
mman_errno(kern_return_t kr)
{
	switch (kr) {
	case KERN_SUCCESS:
		return 0;
	case KERN_NO_SPACE:
	case KERN_RESOURCE_SHORTAGE:
		return ENOMEM;
	case KERN_PROTECTION_FAILURE:
		return EACCES;
	default:
		return EINVAL;
	}
}

static vm_map_t
mman_map(void)
{
	return current_proc()->p_task->t_map;
}

/* A user range [addr, addr + len) that is page aligned and inside the user address space. */
static bool
mman_range_ok(uint64_t addr, uint64_t len)
{
	return (addr & PAGE_MASK) == 0 && len != 0 && len <= USER_ADDR_MAX &&
	       addr <= USER_ADDR_MAX - len;
}

long
sys_brk(struct trapframe *tf)
{
	struct proc *p = current_proc();
	uint64_t want = tf->tf_rdi, old_end = round_page(p->p_brk), new_end;

	if (want < p->p_brk_base || want - p->p_brk_base > BRK_MAX)
		return (long)p->p_brk;
	new_end = round_page(want);
	if (new_end > old_end) {
		vaddr_t a = old_end;

		if (vm_map_enter(mman_map(), &a, new_end - old_end, VM_FLAGS_FIXED, NULL, 0, false,
				 VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_COPY) != KERN_SUCCESS)
			return (long)p->p_brk;
	} else if (new_end < old_end) {
		(void)vm_deallocate(mman_map(), new_end, old_end - new_end);
	}
	p->p_brk = want;
	return (long)want;
}

/*
 * The object for a mapping of len bytes of file fd from off (a reference for the mapping) and
 * the most protection the mapping may ever have: a shared mapping of a file not open for
 * writing can never be made writable (mprotect), as in Linux. Returns 0 or a negative errno.
 */
static long
mman_file(uint64_t fd, uint64_t off, uint64_t len, uint64_t prot, uint64_t flags,
	  vm_object_t *objectp, vm_prot_t *maxp)
{
	struct file *fp = fd_get(fd); /* XXX: no reference: a thread's close may race it */
	bool shared = (flags & 3) == MAP_SHARED;
	struct vnode *vp;
	int oflags, acc;

	if (off & PAGE_MASK)
		return -EINVAL;
	if (off + len < off)
		return -EOVERFLOW;
	if (fp == NULL)
		return -EBADF;
	if (vfs_file_vnode(fp, &vp, &oflags) != 0)
		return -ENODEV; /* a pipe, socket or console */
	if (vp->v_type != VREG)
		return -ENODEV; /* XXX: device mappings (a framebuffer) are not supported */
	acc = OFLAGS_ACCMODE(oflags);
	if (acc == O_WRONLY || (shared && (prot & PROT_WRITE) && acc != O_RDWR))
		return -EACCES;
	if (shared && acc != O_RDWR)
		*maxp = VM_PROT_READ | VM_PROT_EXECUTE;
	if ((*objectp = ubc_map(vp)) == NULL)
		return -ENODEV;
	return 0;
}

long
sys_mmap(struct trapframe *tf)
{
	uint64_t addr = tf->tf_rdi, len = tf->tf_rsi, prot = tf->tf_rdx, flags = tf->tf_r10;
	uint64_t off = (flags & MAP_ANONYMOUS) ? 0 : tf->tf_r9;
	vm_map_t map = mman_map();
	vm_object_t object = NULL;
	vm_prot_t max = VM_PROT_ALL;
	vm_inherit_t inherit = (flags & 3) == MAP_SHARED ? VM_INHERIT_SHARE : VM_INHERIT_COPY;
	bool fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
	bool cow = (flags & 3) == MAP_PRIVATE && !(flags & MAP_ANONYMOUS);
	kern_return_t kr;
	vaddr_t a;

	if (len == 0 || (flags & ~(uint64_t)MAP_KNOWN) || (prot & ~7ULL) || (addr & PAGE_MASK))
		return -EINVAL;
	if ((flags & 3) != MAP_SHARED && (flags & 3) != MAP_PRIVATE)
		return -EINVAL;
	if (len > USER_ADDR_MAX)
		return -ENOMEM;
	len = round_page(len);
	if (fixed && (!mman_range_ok(addr, len) || addr < PAGE_SIZE))
		return (flags & MAP_FIXED_NOREPLACE) ? -EEXIST : -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		long err = mman_file(tf->tf_r8, off, len, prot, flags, &object, &max);

		if (err != 0)
			return err;
	}
	if (fixed) {
		if (flags & MAP_FIXED_NOREPLACE) {
			a = addr;
		} else {
			(void)vm_deallocate(map, addr, len);
			a = addr;
		}
	} else {
		a = MAX(addr, current_proc()->p_mmap_base);
	}
	kr = vm_map_enter(map, &a, len, fixed ? VM_FLAGS_FIXED : VM_FLAGS_ANYWHERE, object, off,
			  cow, mman_prot(prot), max, inherit);
	if (kr == KERN_NO_SPACE && !fixed && a != current_proc()->p_mmap_base) {
		a = current_proc()->p_mmap_base;
		kr = vm_map_enter(map, &a, len, VM_FLAGS_ANYWHERE, object, off, cow,
				  mman_prot(prot), max, inherit);
	}
	if (kr != KERN_SUCCESS)
		vm_object_deallocate(object); /* the mapping's reference (NULL: none) */
	if (kr == KERN_NO_SPACE && (flags & MAP_FIXED_NOREPLACE))
		return -EEXIST;
	if (kr != KERN_SUCCESS)
		return -mman_errno(kr);
	if (a + len > USER_ADDR_MAX) {
		(void)vm_deallocate(map, a, len);
		return -ENOMEM;
	}
	return (long)a;
}

long
sys_munmap(struct trapframe *tf)
{
	uint64_t len = round_page(tf->tf_rsi);

	if (!mman_range_ok(tf->tf_rdi, len))
		return -EINVAL;
	return -mman_errno(vm_deallocate(mman_map(), tf->tf_rdi, len));
}

long
sys_mprotect(struct trapframe *tf)
{
	uint64_t len = round_page(tf->tf_rsi);
	kern_return_t kr;

	if ((tf->tf_rdx & ~7ULL) || (tf->tf_rdi & PAGE_MASK))
		return -EINVAL;
	if (tf->tf_rsi == 0)
		return 0;
	if (!mman_range_ok(tf->tf_rdi, len))
		return -ENOMEM;
	kr = vm_protect(mman_map(), tf->tf_rdi, len, false, mman_prot(tf->tf_rdx));
	return kr == KERN_INVALID_ADDRESS ? -ENOMEM : -mman_errno(kr);
}

/* madvise: hints only; the arguments are checked as Linux does. */
long
sys_madvise(struct trapframe *tf)
{
	uint64_t adv = tf->tf_rdx;

	if (tf->tf_rdi & PAGE_MASK)
		return -EINVAL;
	if (!(adv <= 4 || (adv >= 8 && adv <= 25) || adv == 100 || adv == 101))
		return -EINVAL;
	/* XXX: MADV_DONTNEED should drop private pages (reads then see zeros). */
	return 0;
}

long
sys_msync(struct trapframe *tf)
{
	uint64_t addr = tf->tf_rdi, len = round_page(tf->tf_rsi), flags = tf->tf_rdx;
	kern_return_t kr;

	if ((addr & PAGE_MASK) || (flags & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (tf->tf_rsi == 0)
		return 0;
	if (!mman_range_ok(addr, len))
		return -ENOMEM;
	/*
	 * MS_INVALIDATE: shared mappings already see the file's current data (one cache), so
	 * there is nothing to throw away; the modified pages are written back as for MS_SYNC.
	 */
	kr = vm_msync(mman_map(), addr, len,
		      (flags & MS_ASYNC) ? VM_SYNC_ASYNCHRONOUS : VM_SYNC_SYNCHRONOUS);
	if (kr == KERN_INVALID_ADDRESS)
		return -ENOMEM;
	return kr == KERN_SUCCESS ? 0 : -EIO;
}
