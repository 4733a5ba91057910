/*
 * default_pager.c — the default pager: backing store for anonymous memory (Mach 3.0
 * default_pager, in kernel as in XNU 10.1). Today's store is in memory; the storage issue adds
 * a swap device behind the same memory-object interface.
 *
 * The one idea: the store keeps, per object, one slot per page of the object: NULL (never paged
 * out: data_request answers ABSENT and the VM zero-fills or looks below), or a buffer with the
 * page's data. A page of zeros takes no buffer at all (its slot says "zero"), so the common
 * case of touched-but-unwritten memory costs nothing to page out.
 * XXX: no compression yet: a non-zero page costs a full page of kalloc memory, so paging out
 * only frees memory for zero pages until a compressor or the swap device exists.
 */
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/vm_object.h>
#include <mach/vm/vm_param.h>

/* A slot that stands for a page of zeros. */
#define DP_ZERO ((void *)1)

struct default_pager {
	struct memory_object dp_mo; /* first: a memory_object_t is a struct default_pager * */
	uint64_t dp_npages;
	void **dp_slots;	    /* dp_npages slots, or NULL until the first data_return */
};

uint64_t default_pager_pages, default_pager_bytes;

static struct default_pager *
dp_from(memory_object_t mo)
{
	return (struct default_pager *)mo;
}

static kern_return_t
dp_data_request(memory_object_t mo, vm_object_offset_t offset, vm_size_t length,
		vm_prot_t access, void *dst)
{
	struct default_pager *dp = dp_from(mo);
	uint64_t i = atop(offset);

	(void)access;
	if (length != PAGE_SIZE || (offset & PAGE_MASK) != 0)
		return KERN_INVALID_ARGUMENT; /* XXX: read-ahead clusters */
	if (dp->dp_slots == NULL || i >= dp->dp_npages || dp->dp_slots[i] == NULL)
		return MEMORY_OBJECT_ABSENT;
	if (dp->dp_slots[i] == DP_ZERO)
		memset(dst, 0, PAGE_SIZE);
	else
		memcpy(dst, dp->dp_slots[i], PAGE_SIZE);
	return KERN_SUCCESS;
}

static bool
dp_page_is_zero(const void *src)
{
	const uint64_t *w = src;

	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		if (w[i] != 0)
			return false;
	return true;
}

static kern_return_t
dp_data_return(memory_object_t mo, vm_object_offset_t offset, const void *src, vm_size_t length)
{
	struct default_pager *dp = dp_from(mo);
	uint64_t i = atop(offset);
	void *buf;

	if (length != PAGE_SIZE || (offset & PAGE_MASK) != 0 || i >= dp->dp_npages)
		return KERN_INVALID_ARGUMENT;
	if (dp->dp_slots == NULL) {
		if (dp->dp_npages * sizeof(void *) > KALLOC_MAX_SIZE) {
			klog(LOG_WARNING, "default_pager: object of %llu pages is too large for "
			     "the in-memory store\n", (unsigned long long)dp->dp_npages);
			return KERN_RESOURCE_SHORTAGE;
		}
		if ((dp->dp_slots = kalloc_zero(dp->dp_npages * sizeof(void *))) == NULL)
			return KERN_RESOURCE_SHORTAGE;
	}
	if (dp_page_is_zero(src)) {
		buf = DP_ZERO;
	} else {
		if ((buf = kalloc(PAGE_SIZE)) == NULL)
			return KERN_RESOURCE_SHORTAGE;
		memcpy(buf, src, PAGE_SIZE);
		default_pager_bytes += PAGE_SIZE;
	}
	if (dp->dp_slots[i] != NULL && dp->dp_slots[i] != DP_ZERO) {
		kfree(dp->dp_slots[i], PAGE_SIZE);
		default_pager_bytes -= PAGE_SIZE;
	}
	if (dp->dp_slots[i] == NULL)
		default_pager_pages++;
	dp->dp_slots[i] = buf;
	return KERN_SUCCESS;
}

static void
dp_terminate(memory_object_t mo)
{
	struct default_pager *dp = dp_from(mo);

	for (uint64_t i = 0; dp->dp_slots != NULL && i < dp->dp_npages; i++) {
		if (dp->dp_slots[i] == NULL)
			continue;
		if (dp->dp_slots[i] != DP_ZERO) {
			kfree(dp->dp_slots[i], PAGE_SIZE);
			default_pager_bytes -= PAGE_SIZE;
		}
		default_pager_pages--;
	}
	if (dp->dp_slots != NULL)
		kfree(dp->dp_slots, dp->dp_npages * sizeof(void *));
	kfree(dp, sizeof(*dp));
}

static const struct memory_object_pager_ops default_pager_ops = {
	.mop_name = "default",
	.mop_data_request = dp_data_request,
	.mop_data_return = dp_data_return,
	.mop_terminate = dp_terminate,
};

memory_object_t
default_pager_create(struct vm_object *object)
{
	struct default_pager *dp = kalloc_zero(sizeof(*dp));

	if (dp == NULL)
		return NULL;
	dp->dp_mo.mo_ops = &default_pager_ops;
	dp->dp_npages = atop(object->vo_size);
	memory_object_init(&dp->dp_mo, object, PAGE_SIZE);
	return &dp->dp_mo;
}
