/*
 * vm_fault_pager_ktest.c — in-kernel self-tests of faults on pager-backed memory, against a
 * test pager that counts its requests and sleeps in each (as a disk would):
 *   - two threads faulting the same page wait for one request (busy/wanted), both see the data;
 *   - a pager error becomes KERN_MEMORY_ERROR for the faulting thread, with nothing left
 *     resident and nothing leaked;
 *   - read-ahead: a fault asks for the aligned cluster around it in one request, the
 *     neighbours then fault without asking again, and a cluster the pager cannot fill whole
 *     falls back to the single page.
 */
#include <arch/x86_64/pmap.h>
#include <console.h>
#include <ktest.h>
#include <mach/vm/vm_ktest_util.h>
#include <mach/kern/sched_ktest_util.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/vm_fault.h>
#include <mach/vm/vm_param.h>

#define TP_PAGES 32
#define TP_MIN	 0x30000000UL

struct test_pager {
	struct memory_object tp_mo;
	unsigned tp_requests;	     /* data_request calls */
	vm_size_t tp_last_length;    /* of the last request */
	uint64_t tp_sleep_ns;	     /* each request sleeps this long */
	uint64_t tp_error_page;	     /* a request touching this page fails (UINT64_MAX: none) */
	uint64_t tp_absent_page;     /* a request touching this page is ABSENT unless alone */
	unsigned tp_terminated;
};

static uint64_t
tp_word(uint64_t page)
{
	return 0x7e57000000000000ULL | page;
}

static kern_return_t
tp_data_request(memory_object_t mo, vm_object_offset_t offset, vm_size_t length,
		vm_prot_t access, void *dst)
{
	struct test_pager *tp = (struct test_pager *)mo;
	uint64_t first = atop(offset), n = atop(length);

	(void)access;
	__atomic_fetch_add(&tp->tp_requests, 1, __ATOMIC_SEQ_CST);
	tp->tp_last_length = length;
	if (tp->tp_sleep_ns != 0)
		thread_sleep_ns(tp->tp_sleep_ns);
	for (uint64_t i = 0; i < n; i++) {
		if (first + i == tp->tp_error_page)
			return KERN_FAILURE;
		if (first + i == tp->tp_absent_page && n > 1)
			return MEMORY_OBJECT_ABSENT;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t *w = (uint64_t *)((char *)dst + ptoa(i));

		for (unsigned k = 0; k < PAGE_SIZE / 8; k++)
			w[k] = tp_word(first + i) + k;
	}
	return KERN_SUCCESS;
}

static kern_return_t
tp_data_return(memory_object_t mo, vm_object_offset_t offset, const void *src,
	       vm_size_t length)
{
	(void)mo;
	(void)offset;
	(void)src;
	(void)length;
	return KERN_FAILURE; /* read-only data: never asked to keep anything here */
}

static void
tp_terminate(memory_object_t mo)
{
	((struct test_pager *)mo)->tp_terminated++;
}

static const struct memory_object_pager_ops tp_ops_single = {
	.mop_name = "ktest",
	.mop_data_request = tp_data_request,
	.mop_data_return = tp_data_return,
	.mop_terminate = tp_terminate,
};

static const struct memory_object_pager_ops tp_ops_cluster4 = {
	.mop_name = "ktest4",
	.mop_cluster_pages = 4,
	.mop_data_request = tp_data_request,
	.mop_data_return = tp_data_return,
	.mop_terminate = tp_terminate,
};

struct tp_env {
	struct test_pager te_pager;
	pmap_t te_pmap;
	vm_map_t te_map;
	vaddr_t te_va;
};

/* A map over a fresh pmap with TP_PAGES of an external object that tp backs. */
static bool
tp_setup(struct tp_env *env, const struct memory_object_pager_ops *ops)
{
	vm_object_t o;

	memset(env, 0, sizeof(*env));
	env->te_pager.tp_mo.mo_ops = ops;
	env->te_pager.tp_error_page = UINT64_MAX;
	env->te_pager.tp_absent_page = UINT64_MAX;
	if ((env->te_pmap = pmap_create()) == NULL)
		return false;
	if ((env->te_map = vm_map_create(env->te_pmap, TP_MIN, PMAP_USER_TOP)) == NULL)
		return false;
	if ((o = vm_object_allocate(ptoa(TP_PAGES))) == NULL)
		return false;
	o->vo_flags &= ~VM_OBJECT_INTERNAL;
	o->vo_pager = &env->te_pager.tp_mo;
	env->te_va = TP_MIN;
	return vm_map_enter(env->te_map, &env->te_va, ptoa(TP_PAGES), VM_FLAGS_ANYWHERE, o, 0,
			    false, VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_SHARE) ==
	       KERN_SUCCESS;
}

static void
tp_teardown(struct tp_env *env)
{
	vm_map_deallocate(env->te_map);
	pmap_destroy(env->te_pmap);
}

/* Whether page i of the environment is mapped with the test pager's data. */
static bool
tp_page_ok(struct tp_env *env, uint64_t i)
{
	paddr_t pa = pmap_extract(env->te_pmap, env->te_va + ptoa(i));
	const uint64_t *w;

	if (pa == 0)
		return false;
	w = phystokv(pa);
	return w[0] == tp_word(i) && w[PAGE_SIZE / 8 - 1] == tp_word(i) + PAGE_SIZE / 8 - 1;
}

struct tp_faulter {
	struct tp_env *tf_env;
	uint64_t tf_page;
	kern_return_t tf_kr;
	volatile unsigned *tf_done;
};

static void
tp_fault_thread(void *arg, wait_result_t wr)
{
	struct tp_faulter *f = arg;

	(void)wr;
	f->tf_kr = vm_fault(f->tf_env->te_map, f->tf_env->te_va + ptoa(f->tf_page), VM_PROT_READ);
	kt_count_up(f->tf_done);
}

KTEST(vm_fault_busy_wanted_one_request)
{
	static struct tp_env env;
	volatile unsigned done = 0;
	struct tp_faulter f[2];
	uint64_t waits0 = vm_fault_stats.vfs_busy_waits, objs0 = vm_object_count;
	unsigned base = thread_count();

	KT_ASSERT(tp_setup(&env, &tp_ops_single));
	env.te_pager.tp_sleep_ns = 50 * 1000 * 1000ULL;
	for (unsigned i = 0; i < 2; i++) {
		f[i] = (struct tp_faulter){ &env, 3, KERN_FAILURE, &done };
		KT_ASSERT_EQ(kt_start(tp_fault_thread, &f[i], BASEPRI_KERNEL, TH_MODE_FIXED),
			     KERN_SUCCESS);
	}
	KT_ASSERT(kt_wait_count(&done, 2, 5 * 1000 * 1000 * 1000ULL));
	KT_ASSERT_EQ(f[0].tf_kr, KERN_SUCCESS);
	KT_ASSERT_EQ(f[1].tf_kr, KERN_SUCCESS);
	KT_ASSERT_EQ(env.te_pager.tp_requests, 1);
	KT_ASSERT(vm_fault_stats.vfs_busy_waits > waits0);
	KT_ASSERT(tp_page_ok(&env, 3));
	tp_teardown(&env);
	KT_ASSERT_EQ(env.te_pager.tp_terminated, 1);
	KT_ASSERT_EQ(vm_object_count, objs0);
	KT_ASSERT(kt_wait_reaped(base));
}

KTEST(vm_fault_pager_error_is_memory_error)
{
	static struct tp_env env;
	uint64_t objs0 = vm_object_count;

	vm_kt_account_begin();
	KT_ASSERT(tp_setup(&env, &tp_ops_single));
	env.te_pager.tp_error_page = 5;
	KT_ASSERT_EQ(vm_fault(env.te_map, env.te_va + ptoa(5), VM_PROT_READ), KERN_MEMORY_ERROR);
	KT_ASSERT_EQ(pmap_extract(env.te_pmap, env.te_va + ptoa(5)), 0);
	/* The neighbour is fine, and the failed page can be asked for again. */
	KT_ASSERT_EQ(vm_fault(env.te_map, env.te_va + ptoa(6), VM_PROT_READ), KERN_SUCCESS);
	KT_ASSERT(tp_page_ok(&env, 6));
	env.te_pager.tp_error_page = UINT64_MAX;
	KT_ASSERT_EQ(vm_fault(env.te_map, env.te_va + ptoa(5), VM_PROT_WRITE), KERN_SUCCESS);
	KT_ASSERT(tp_page_ok(&env, 5));
	KT_ASSERT_EQ(env.te_pager.tp_requests, 3);
	tp_teardown(&env);
	VM_KT_ASSERT_BALANCE(0);
	KT_ASSERT_EQ(vm_object_count, objs0);
}

KTEST(vm_fault_cluster_read_ahead)
{
	static struct tp_env env;
	uint64_t objs0 = vm_object_count;

	KT_ASSERT(tp_setup(&env, &tp_ops_cluster4));
	/* Page 5: one request for the aligned cluster [4, 8). */
	KT_ASSERT_EQ(vm_fault(env.te_map, env.te_va + ptoa(5), VM_PROT_READ), KERN_SUCCESS);
	KT_ASSERT_EQ(env.te_pager.tp_requests, 1);
	KT_ASSERT_EQ(env.te_pager.tp_last_length, ptoa(4));
	for (uint64_t i = 4; i < 8; i++) {
		KT_ASSERT_EQ(vm_fault(env.te_map, env.te_va + ptoa(i), VM_PROT_READ),
			     KERN_SUCCESS);
		KT_ASSERT(tp_page_ok(&env, i));
	}
	KT_ASSERT_EQ(env.te_pager.tp_requests, 1);
	/* Page 9 after 10 is resident: the cluster stops at resident pages ([8, 10)). */
	KT_ASSERT_EQ(vm_fault(env.te_map, env.te_va + ptoa(10), VM_PROT_READ), KERN_SUCCESS);
	KT_ASSERT_EQ(env.te_pager.tp_last_length, ptoa(4));
	KT_ASSERT_EQ(env.te_pager.tp_requests, 2);
	/* A cluster the pager cannot fill whole: ABSENT, then the page alone. */
	env.te_pager.tp_absent_page = 13;
	KT_ASSERT_EQ(vm_fault(env.te_map, env.te_va + ptoa(12), VM_PROT_READ), KERN_SUCCESS);
	KT_ASSERT_EQ(env.te_pager.tp_requests, 4);
	KT_ASSERT_EQ(env.te_pager.tp_last_length, PAGE_SIZE);
	KT_ASSERT(tp_page_ok(&env, 12));
	KT_ASSERT_EQ(pmap_extract(env.te_pmap, env.te_va + ptoa(13)), 0);
	KT_ASSERT(vm_page_queues_check());
	tp_teardown(&env);
	KT_ASSERT_EQ(vm_object_count, objs0);
}
