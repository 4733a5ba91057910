/*
 * kern_exec.c — execve of static and static-PIE ELF64 programs (XNU bsd/kern/kern_exec.c;
 * the initial stack as Linux's fs/binfmt_elf.c create_elf_tables lays it out, x86-64 psABI
 * §3.4.1), and the start of init.
 *
 * The one idea: exec builds the whole new address space — segments, stack with argv, envp and
 * the auxiliary vector — in a new map beside the old one, and only when nothing can fail any
 * more swaps it into the task and drops the old one; a failed exec leaves the caller as it was.
 * Segments are copied from the image (there is no vnode pager yet) into zero-fill memory, which
 * also gives the bss its zeros. Stack, PIE and mmap bases are randomised (kernel/random.h).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/user_machdep.h>
#include <arch/x86_64/usercopy.h>
#include <bsd/kern/bootfs.h>
#include <bsd/kern/file.h>
#include <bsd/vfs/vfs_syscalls.h>
#include <bsd/kern/exec_elf.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/syscall.h>
#include <bsd/sys/errno.h>
#include <cmdline.h>
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/vm_param.h>
#include <mach/vm/vm_user.h>
#include <panic.h>
#include <random.h>

#define EXEC_ARG_MAX	 (64 * 1024)	/* argv + envp strings */
#define EXEC_ARGC_MAX	 1024
#define PATH_MAX_EXEC	 4096
#define EXEC_STACK_SIZE	 (8UL << 20)
#define EXEC_STACK_TOP	 0x00007ffffffde000UL
#define EXEC_PIE_BASE	 0x0000555555554000UL
#define EXEC_MMAP_BASE	 0x00007f0000000000UL
#define EXEC_RAND_PAGES	 (1UL << 16)	/* up to 256 MiB of randomisation */
#define EXEC_USER_MIN	 0x10000UL	/* nothing maps below 64 KiB (NULL guard) */

#define AT_NULL	    0
#define AT_PHDR	    3
#define AT_PHENT    4
#define AT_PHNUM    5
#define AT_PAGESZ   6
#define AT_BASE	    7
#define AT_FLAGS    8
#define AT_ENTRY    9
#define AT_UID	    11
#define AT_EUID	    12
#define AT_GID	    13
#define AT_EGID	    14
#define AT_PLATFORM 15
#define AT_HWCAP    16
#define AT_CLKTCK   17
#define AT_SECURE   23
#define AT_RANDOM   25
#define AT_HWCAP2   26
#define AT_EXECFN   31

extern struct cmdline boot_cmdline;

/* The arguments, gathered in kernel memory: argc strings then envc strings, NUL-separated. */
struct exec_args {
	char *ea_buf;
	size_t ea_len;
	int ea_argc, ea_envc;
};

/* Keep the start of argv (NUL-separated, as /proc/<pid>/cmdline shows it) in the process. */
static void
exec_save_args(struct proc *p, const struct exec_args *ea)
{
	size_t len = 0;

	for (int i = 0; i < ea->ea_argc && len < ea->ea_len; i++)
		len += strnlen(ea->ea_buf + len, ea->ea_len - len) + 1;
	len = MIN(MIN(len, ea->ea_len), sizeof(p->p_args));
	memcpy(p->p_args, ea->ea_buf, len);
	p->p_argslen = (uint32_t)len;
}

static uint64_t
exec_random_pages(void)
{
	uint64_t r = rdtsc();

	/* XXX: the pool is fed only by virtio-rng; the cycle counter at each exec at least makes
	 * the layout differ between boots without one. */
	random_add_entropy(&r, sizeof(r));
	random_read(&r, sizeof(r));
	return (r % EXEC_RAND_PAGES) * PAGE_SIZE;
}

static int
exec_args_add(struct exec_args *ea, const char *s, size_t len)
{
	if (len + 1 > EXEC_ARG_MAX - ea->ea_len)
		return E2BIG;
	memcpy(ea->ea_buf + ea->ea_len, s, len);
	ea->ea_buf[ea->ea_len + len] = '\0';
	ea->ea_len += len + 1;
	return 0;
}

/* Copy a user NULL-terminated vector of strings (NULL vector: empty) into ea. */
static int
exec_args_copyin(struct exec_args *ea, const uint64_t *uvec, int *count)
{
	for (*count = 0; uvec != NULL; (*count)++) {
		uint64_t up;
		size_t done;
		int err;

		if (*count >= EXEC_ARGC_MAX)
			return E2BIG;
		if (copyin(uvec + *count, &up, sizeof(up)) != 0)
			return EFAULT;
		if (up == 0)
			break;
		err = copyinstr((const void *)up, ea->ea_buf + ea->ea_len,
				EXEC_ARG_MAX - ea->ea_len, &done);
		if (err == ENAMETOOLONG)
			return E2BIG;
		if (err != 0)
			return err;
		ea->ea_len += done;
	}
	return 0;
}

/* Map the segments at bias: one zero-fill range over their span, the file bytes copied in,
 * then each segment's protection; pages between segments are unmapped again. */
static int
exec_map_segments(vm_map_t map, const struct exec_reader *r, const struct elf_image *img,
		  uint64_t bias)
{
	vaddr_t lo = img->ei_lo + bias;
	uint64_t prev_end = lo;
	unsigned prev_prot = 0;
	char *buf = kalloc(PAGE_SIZE * 4);
	int err = 0;

	if (buf == NULL)
		return ENOMEM;
	if (vm_map_enter(map, &lo, img->ei_hi - img->ei_lo, VM_FLAGS_FIXED, NULL, 0, false,
			 VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_COPY) != KERN_SUCCESS) {
		err = ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < img->ei_nseg && err == 0; i++) {
		const struct elf_segment *s = &img->ei_seg[i];

		for (uint64_t off = 0; off < s->es_filesz;) {
			size_t n = MIN(s->es_filesz - off, PAGE_SIZE * 4);

			if ((err = r->er_read(r->er_ctx, s->es_offset + off, buf, n)) != 0)
				break;
			if (vm_map_copy_bytes(map, s->es_vaddr + bias + off, buf, n, true) !=
			    KERN_SUCCESS) {
				err = ENOMEM;
				break;
			}
			off += n;
		}
	}
	for (unsigned i = 0; i < img->ei_nseg && err == 0; i++) {
		const struct elf_segment *s = &img->ei_seg[i];
		uint64_t start = trunc_page(s->es_vaddr + bias);
		uint64_t end = round_page(s->es_vaddr + bias + s->es_memsz);
		vm_prot_t prot = ((s->es_prot & ELF_PROT_R) ? VM_PROT_READ : 0) |
				 ((s->es_prot & ELF_PROT_W) ? VM_PROT_WRITE : 0) |
				 ((s->es_prot & ELF_PROT_X) ? VM_PROT_EXECUTE : 0);

		if (start < prev_end) { /* the page shared with the previous segment */
			(void)vm_protect(map, start, PAGE_SIZE, false, prot | prev_prot);
			start += PAGE_SIZE;
		} else if (start > prev_end) {
			(void)vm_deallocate(map, prev_end, start - prev_end);
		}
		if (end > start)
			(void)vm_protect(map, start, end - start, false, prot);
		prev_end = end;
		prev_prot = prot;
	}
out:
	kfree(buf, PAGE_SIZE * 4);
	return err;
}

/* Lay out argc, argv, envp, auxv and the strings below top; returns the initial rsp. */
static int
exec_build_stack(const struct proc *pr, vm_map_t map, uint64_t top, const struct exec_args *ea,
		 const char *path, const struct elf_image *img, uint64_t bias, uint64_t *rsp)
{
	size_t pathlen = strlen(path) + 1, nptr, size;
	uint64_t strings, sp, u_rand, u_plat, u_path, p;
	uint64_t *words;
	uint8_t *blob;
	uint32_t id[4];
	int w = 0, err = 0;
	const char *s = ea->ea_buf;

	/* The strings, highest first: execfn, argv and envp strings, "x86_64", 16 random bytes. */
	strings = top - 8 - pathlen - ea->ea_len - 7 - 16;
	u_path = top - 8 - pathlen;
	u_rand = strings & ~15UL;
	u_plat = u_rand + 16;
	nptr = 1 + (size_t)ea->ea_argc + 1 + (size_t)ea->ea_envc + 1 + 2 * 20;
	sp = (u_rand - nptr * 8) & ~15UL;
	size = top - sp;
	blob = kalloc_zero(size);
	if (blob == NULL)
		return ENOMEM;
	words = (uint64_t *)blob;
	memcpy(blob + (u_path - sp), path, pathlen);
	memcpy(blob + (u_plat - sp), "x86_64", 7);
	memcpy(blob + (u_plat + 7 - sp), ea->ea_buf, ea->ea_len);
	random_read(blob + (u_rand - sp), 16);
	p = u_plat + 7;
	/* argc, argv[0..argc-1], NULL, envp[0..envc-1], NULL. */
	words[w++] = (uint64_t)ea->ea_argc;
	for (int i = 0; i < ea->ea_argc + ea->ea_envc; i++) {
		size_t n = strlen(s) + 1;

		if (i == ea->ea_argc)
			words[w++] = 0;
		words[w++] = p;
		p += n;
		s += n;
	}
	if (ea->ea_envc == 0)
		words[w++] = 0; /* argv's NULL, not written in the loop */
	words[w++] = 0;
	cpuid(1, 0, id);
#define AUX(t, v) (words[w++] = (t), words[w++] = (v))
	AUX(AT_PHDR, img->ei_phdr != 0 ? img->ei_phdr + bias : 0);
	AUX(AT_PHENT, 56);
	AUX(AT_PHNUM, img->ei_phnum);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_BASE, 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, img->ei_entry + bias);
	AUX(AT_UID, pr->p_uid);
	AUX(AT_EUID, pr->p_euid);
	AUX(AT_GID, pr->p_gid);
	AUX(AT_EGID, pr->p_egid);
	AUX(AT_SECURE, 0);
	AUX(AT_HWCAP, id[3]);
	AUX(AT_HWCAP2, 0);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PLATFORM, u_plat);
	AUX(AT_RANDOM, u_rand);
	AUX(AT_EXECFN, u_path);
	AUX(AT_NULL, 0);
#undef AUX
	assert((size_t)w <= nptr);
	if (vm_map_copy_bytes(map, sp, blob, size, true) != KERN_SUCCESS)
		err = ENOMEM;
	kfree(blob, size);
	*rsp = sp;
	return err;
}

/*
 * exec_image: replace p's address space with the program at path run with ea, and fill *tf
 * with its first registers. p is the current process, or a new one with no thread yet (init).
 *   Returns: 0; ENOENT, EACCES, ENOEXEC, EIO, ENOMEM, E2BIG (p unchanged).
 */
static int exec_image_read(struct proc *p, const char *path, const struct exec_reader *rp,
			   const struct exec_args *ea, struct trapframe *tf);

/*
 * exec_open: the program at path, from the mounted file systems (the VFS) or, failing that,
 * the boot archive; exec_close gives it back.
 */
static int
exec_open(const char *path, struct exec_reader *r, bool *from_vfs)
{
	int err = vfs_exec_open(path, r);

	*from_vfs = err == 0;
	if (err == ENOENT || err == ENOTDIR)
		err = bootfs_open(path, r);
	return err;
}

static int
exec_image(struct proc *p, const char *path, const struct exec_args *ea, struct trapframe *tf)
{
	struct exec_reader r;
	bool from_vfs;
	int err;

	if ((err = exec_open(path, &r, &from_vfs)) != 0)
		return err;
	err = exec_image_read(p, path, &r, ea, tf);
	if (from_vfs)
		vfs_exec_close(&r);
	return err;
}

static int
exec_image_read(struct proc *p, const char *path, const struct exec_reader *rp,
		const struct exec_args *ea, struct trapframe *tf)
{
	struct exec_reader r = *rp;
	struct elf_image img;
	uint64_t bias = 0, top, rsp, brk;
	vaddr_t a;
	pmap_t pmap, old_pmap;
	vm_map_t map, old_map;
	const char *slash;
	int err;
	bool s;

	if ((err = elf_parse(&r, &img)) != 0)
		return err;
	if (img.ei_pie)
		bias = EXEC_PIE_BASE + exec_random_pages() - img.ei_lo;
	else if (img.ei_lo < EXEC_USER_MIN)
		return ENOEXEC;
	if (img.ei_hi + bias > EXEC_MMAP_BASE - (1UL << 32))
		return ENOEXEC;
	if ((pmap = pmap_create()) == NULL)
		return ENOMEM;
	map = vm_map_create(pmap, EXEC_USER_MIN, USER_ADDR_MAX);
	if (map == NULL) {
		pmap_destroy(pmap);
		return ENOMEM;
	}
	top = EXEC_STACK_TOP - exec_random_pages();
	a = top - EXEC_STACK_SIZE - PAGE_SIZE;
	err = exec_map_segments(map, &r, &img, bias);
	/* The stack, with a guard page below that nothing else may take. */
	if (err == 0 && vm_map_enter(map, &a, PAGE_SIZE, VM_FLAGS_FIXED, NULL, 0, false,
				     VM_PROT_NONE, VM_PROT_NONE, VM_INHERIT_COPY) != KERN_SUCCESS)
		err = ENOMEM;
	a = top - EXEC_STACK_SIZE;
	if (err == 0 && vm_map_enter(map, &a, EXEC_STACK_SIZE, VM_FLAGS_FIXED, NULL, 0, false,
				     VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_COPY) != KERN_SUCCESS)
		err = ENOMEM;
	if (err == 0)
		err = exec_build_stack(p, map, top, ea, path, &img, bias, &rsp);
	/* The point of no return: the other threads go first (Linux de_thread). When another
	 * thread is already ending the process, the SIGKILL it sent ends this one on its way
	 * out. */
	if (err == 0 && p == current_proc() && !proc_single_thread())
		err = EINTR;
	if (err != 0) {
		vm_map_deallocate(map);
		pmap_destroy(pmap);
		return err;
	}

	/* Nothing fails from here: the new image replaces the old. */
	s = intr_save();
	old_map = p->p_task->t_map;
	old_pmap = p->p_pmap;
	p->p_task->t_map = map;
	p->p_pmap = pmap;
	if (p == current_proc())
		pmap_activate(pmap);
	intr_restore(s);
	if (old_map != NULL) {
		vm_map_deallocate(old_map);
		pmap_destroy(old_pmap);
	}
	brk = round_page(img.ei_hi + bias) + exec_random_pages();
	p->p_brk_base = p->p_brk = brk;
	p->p_mmap_base = EXEC_MMAP_BASE - exec_random_pages() * 16;
	sig_exec_reset(p);
	fdt_exec(p);
	if (p == current_proc()) {
		/* The one thread left takes the pid as its tid (Linux de_thread). */
		s = lck_spin_lock_irqsave(&proc_lock);
		current_uthread()->uu_tid = p->p_pid;
		current_uthread()->uu_clear_tid = 0;
		lck_spin_unlock_irqrestore(&proc_lock, s);
	}
	slash = path;
	for (const char *c = path; *c != '\0'; c++)
		if (*c == '/')
			slash = c + 1;
	ksnprintf(p->p_comm, sizeof(p->p_comm), "%s", slash);
	exec_save_args(p, ea);
	memset(tf, 0, sizeof(*tf));
	tf->tf_rip = img.ei_entry + bias;
	tf->tf_rsp = rsp;
	tf->tf_cs = GSEL_UCODE;
	tf->tf_ss = GSEL_UDATA;
	tf->tf_rflags = RFLAGS_IF;
	tf->tf_rcx = ~tf->tf_rip; /* leave through iretq: every register as set here */
	return 0;
}

/*
 * exec_script: when path is a "#!" script (Linux binfmt_script), rewrite the exec into one of
 * its interpreter: argv becomes interpreter, the optional single argument of the #! line, the
 * script's path, then the old argv[1..]; the environment stays. The interpreter itself must
 * be a program (no second level). Returns 0 (also for a file that is not a script, or cannot
 * be opened: exec_image then says why), ENOEXEC (a #! line with no interpreter or too long),
 * E2BIG, ENOMEM.
 */
static int
exec_script(char *path, struct exec_args *ea)
{
	struct exec_reader r;
	struct exec_args na = { 0 };
	char line[128], *interp, *arg = NULL, *e, *old;
	size_t n;
	bool from_vfs;
	int err;

	if (exec_open(path, &r, &from_vfs) != 0)
		return 0;
	n = (size_t)MIN(r.er_size, (uint64_t)sizeof(line) - 1);
	err = n >= 2 ? r.er_read(r.er_ctx, 0, line, n) : EIO;
	if (from_vfs)
		vfs_exec_close(&r);
	if (err != 0 || line[0] != '#' || line[1] != '!')
		return 0;
	line[n] = '\0';
	for (e = line; e < line + n && *e != '\n'; e++)
		;
	if (e == line + n)
		return ENOEXEC; /* the line does not fit */
	*e = '\0';
	for (interp = line + 2; *interp == ' ' || *interp == '\t'; interp++)
		;
	for (e = interp; *e != '\0' && *e != ' ' && *e != '\t'; e++)
		;
	if (*e != '\0') {
		*e++ = '\0';
		while (*e == ' ' || *e == '\t')
			e++;
		if (*e != '\0') {
			arg = e;
			e += strlen(e);
			while (e > arg && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
		}
	}
	if (*interp == '\0')
		return ENOEXEC;
	if ((na.ea_buf = kalloc(EXEC_ARG_MAX)) == NULL)
		return ENOMEM;
	err = exec_args_add(&na, interp, strlen(interp));
	if (err == 0 && arg != NULL)
		err = exec_args_add(&na, arg, strlen(arg));
	if (err == 0)
		err = exec_args_add(&na, path, strlen(path));
	na.ea_argc = arg != NULL ? 3 : 2;
	/* Then the old argv[1..] and the environment, as they are. */
	old = ea->ea_buf;
	for (int i = 0; err == 0 && i < ea->ea_argc + ea->ea_envc; i++) {
		size_t l = strlen(old);

		if (i > 0)
			err = exec_args_add(&na, old, l);
		if (i > 0 && i < ea->ea_argc)
			na.ea_argc++;
		old += l + 1;
	}
	na.ea_envc = ea->ea_envc;
	if (err == 0 && strlen(interp) >= PATH_MAX_EXEC)
		err = ENAMETOOLONG;
	if (err != 0) {
		kfree(na.ea_buf, EXEC_ARG_MAX);
		return err;
	}
	memmove(path, interp, strlen(interp) + 1);
	kfree(ea->ea_buf, EXEC_ARG_MAX);
	*ea = na;
	return 0;
}

long
sys_execve(struct trapframe *tf)
{
	struct exec_args ea = { 0 };
	char *path = kalloc(PATH_MAX_EXEC);
	struct trapframe ntf;
	void *fpu = usr_fpu_alloc();
	int err;

	ea.ea_buf = kalloc(EXEC_ARG_MAX);
	if (path == NULL || ea.ea_buf == NULL || fpu == NULL) {
		err = ENOMEM;
		goto out;
	}
	err = copyinstr((const void *)tf->tf_rdi, path, PATH_MAX_EXEC, NULL);
	if (err == 0)
		err = exec_args_copyin(&ea, (const uint64_t *)tf->tf_rsi, &ea.ea_argc);
	if (err == 0)
		err = exec_args_copyin(&ea, (const uint64_t *)tf->tf_rdx, &ea.ea_envc);
	if (err == 0)
		err = exec_script(path, &ea);
	if (err == 0)
		err = exec_image(current_proc(), path, &ea, &ntf);
	if (err == 0) {
		*tf = ntf;
		current_thread()->th_machine.mt_fsbase = 0;
		wrmsr(MSR_FS_BASE, 0);
		/* Fresh FPU registers, as FNINIT leaves them. */
		usr_fpu_load(fpu);
		kfree(fpu, 512);
		fpu = NULL;
	}
out:
	if (fpu != NULL)
		kfree(fpu, 512);
	if (path != NULL)
		kfree(path, PATH_MAX_EXEC);
	if (ea.ea_buf != NULL)
		kfree(ea.ea_buf, EXEC_ARG_MAX);
	/* On success rax is the new program's (zero); the frame was replaced. */
	return err == 0 ? 0 : -err;
}

/*
 * access, faccessat: whether a file exists and may be used so: the VFS answers first (XXX: as for
 * root: no credentials yet), the boot archive for what the VFS does not have (all its files
 * readable, executable when their mode says so).
 */
static long
exec_access(uint64_t upath, uint64_t mode)
{
	struct exec_reader r;
	char *path;
	int err;

	if (mode & ~7ULL)
		return -EINVAL;
	if ((path = kalloc(PATH_MAX_EXEC)) == NULL)
		return -ENOMEM;
	err = copyinstr((const void *)upath, path, PATH_MAX_EXEC, NULL);
	if (err == 0) {
		err = vfs_access(path, (int)mode);
		if (err == ENOENT || err == ENOTDIR) {
			err = bootfs_open(path, &r);
			if (err == EACCES)
				err = 0; /* a directory or link in the archive, which exists */
		}
	}
	kfree(path, PATH_MAX_EXEC);
	return -err;
}

long
sys_access(struct trapframe *tf)
{
	return exec_access(tf->tf_rdi, tf->tf_rsi);
}

long
sys_faccessat(struct trapframe *tf)
{
	/* XXX: relative paths resolve from "/" (AT_FDCWD or not) until there is a cwd. */
	return exec_access(tf->tf_rsi, tf->tf_rdx);
}

/*
 * bsd_init: the BSD layer's start (XNU bsd/kern/bsd_init.c): when a boot archive or a root file
 * system (root=) is there, make process 1 from init= (default /sbin/init) with the command line's unknown keys as its
 * environment, as Linux passes them. Returns whether init runs.
 */
bool
bsd_init(void)
{
	const char *init = cmdline_get(&boot_cmdline, "init");
	struct exec_args ea = { 0 };
	struct trapframe tf;
	struct proc *p;
	char *path;
	task_t task;
	int err;

	/* init comes from the boot archive or the root file system; with neither, the debug
	 * shell keeps the console. */
	if (!bootfs_init() && cmdline_get(&boot_cmdline, "root") == NULL)
		return false;
	if (init == NULL)
		init = "/sbin/init";
	ea.ea_buf = kalloc(EXEC_ARG_MAX);
	path = kalloc(PATH_MAX_EXEC);
	task = task_create(NULL, "init");
	if (ea.ea_buf == NULL || path == NULL || task == NULL)
		panic("bsd_init: no memory for init");
	p = proc_alloc(NULL, task, NULL);
	if (p == NULL || p->p_pid != 1)
		panic("bsd_init: init is not pid 1");
	initproc = p;
	(void)exec_args_add(&ea, init, strlen(init));
	ea.ea_argc = 1;
	(void)exec_args_add(&ea, "HOME=/", 6);
	(void)exec_args_add(&ea, "TERM=vt100", 10);
	ea.ea_envc = 2;
	/* init may be a "#!" script (an initramfs's /init often is), as for execve. */
	ksnprintf(path, PATH_MAX_EXEC, "%s", init);
	if ((err = exec_script(path, &ea)) == 0)
		err = exec_image(p, path, &ea, &tf);
	kfree(ea.ea_buf, EXEC_ARG_MAX);
	kfree(path, PATH_MAX_EXEC);
	if (err != 0) {
		klog(LOG_ERR, "bsd_init: cannot run %s: error %d\n", init, err);
		return false;
	}
	fdt_init_console(p);
	printf("bsd_init: starting %s as pid 1\n", init);
	if (proc_start_thread(p, &tf, NULL, NULL) != 0)
		panic("bsd_init: no memory for init's thread");
	return true;
}
