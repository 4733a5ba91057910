/*
 * vm_ktest_util.c — page accounting for the VM self-tests (see vm_ktest_util.h): the
 * allocator asks vm_page_account_match() whether the current thread is the one counted.
 * One test thread at a time (ktests run one after the other).
 */
#include <mach/kern/thread.h>
#include <mach/vm/vm_ktest_util.h>
#include <mach/vm/vm_object.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_pageout.h>

static thread_t vkt_thread;
static uint64_t vkt_pageout_runs;
static bool vkt_pageout_idle; /* the daemon had nothing to do at the start */

static bool
vkt_match(void)
{
	return current_thread() == vkt_thread;
}

void
vm_kt_account_begin(void)
{
	vkt_thread = current_thread();
	vkt_pageout_runs = __atomic_load_n(&vm_pageout_stats.vps_wakeups, __ATOMIC_SEQ_CST);
	vkt_pageout_idle = vm_page_free_count >= vm_page_free_target;
	__atomic_store_n(&vm_page_account_delta, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vm_page_account_match, vkt_match, __ATOMIC_RELEASE);
}

bool
vm_kt_account_balance(int64_t *balance)
{
	*balance = __atomic_load_n(&vm_page_account_delta, __ATOMIC_SEQ_CST);
	return vkt_pageout_idle &&
	       __atomic_load_n(&vm_pageout_stats.vps_wakeups, __ATOMIC_SEQ_CST) == vkt_pageout_runs;
}

void
vm_kt_account_end(void)
{
	__atomic_store_n(&vm_page_account_match, NULL, __ATOMIC_RELEASE);
	vkt_thread = NULL;
}
