/*
 * memory_object.h — the interface between the VM and pagers, as in-kernel calls (the portless
 * EMMI of XNU 10.1: memory_object_init / data_request / data_return / data_unlock /
 * terminate, after the Mach 3.0 external memory-management interface). A pager is a struct
 * memory_object with an operations table; the default pager (anonymous memory) and the vnode
 * pager (files, storage issue) plug in the same way.
 *
 * The one idea: the VM owns the pages and the pager owns the data. The VM asks for a page's
 * data when it is first touched (data_request, which may say "nothing here": the VM then
 * looks further down the shadow chain or zero-fills), and hands modified data back before
 * reclaiming a page (data_return). The VM calls pagers with no lock held, so they may sleep
 * for I/O; the pages concerned are busy meanwhile (vm_object.h).
 */
#ifndef _MACH_VM_MEMORY_OBJECT_H_
#define _MACH_VM_MEMORY_OBJECT_H_

#include <libkern/libkern.h>
#include <mach/kern/kern_return.h>
#include <mach/vm/vm_types.h>

struct vm_object;
struct memory_object;
typedef struct memory_object *memory_object_t;

/* data_request: no data at this offset (zero fill, or look below in the shadow chain). */
#define MEMORY_OBJECT_ABSENT KERN_NOT_IN_SET
/*
 * data_request: the offset lies past the end of the data (a file's end): the fault fails with
 * KERN_MEMORY_ERROR (SIGBUS for user space), without a log line.
 */
#define MEMORY_OBJECT_BEYOND_END KERN_INVALID_ADDRESS

struct memory_object_pager_ops {
	const char *mop_name;
	/*
	 * Most pages one data_request may ask for (0 or 1: single pages). A fault asks for up to
	 * this many not-resident pages around the faulting one, inside the object; the pager
	 * must then fill all of them, or answer ABSENT (the fault asks again for its own page
	 * alone) or an error.
	 */
	unsigned mop_cluster_pages;
	/*
	 * Most pages one data_return may carry (0 or 1: single pages). The pageout path hands
	 * a run of adjacent dirty pages of one object over in one call, up to this many.
	 */
	unsigned mop_return_cluster_pages;
	/* The object is now backed by this pager (memory_object_init). */
	void (*mop_init)(memory_object_t mo, struct vm_object *object, vm_size_t page_size);
	/*
	 * Fill dst (length bytes, page multiple) with the data at offset.
	 * Returns KERN_SUCCESS, MEMORY_OBJECT_ABSENT, or an error (KERN_MEMORY_ERROR).
	 */
	kern_return_t (*mop_data_request)(memory_object_t mo, vm_object_offset_t offset,
					  vm_size_t length, vm_prot_t access, void *dst);
	/* Keep the data at src (modified pages being reclaimed, or cleaned). */
	kern_return_t (*mop_data_return)(memory_object_t mo, vm_object_offset_t offset,
					 const void *src, vm_size_t length);
	/* Grant access beyond what data_request gave (the pager locked the data). */
	kern_return_t (*mop_data_unlock)(memory_object_t mo, vm_object_offset_t offset,
					 vm_size_t length, vm_prot_t access);
	/* The object is gone: release everything the pager holds for it, and the pager. */
	void (*mop_terminate)(memory_object_t mo);
	/*
	 * Optional. The object's references are down to the one its owner keeps (every mapping
	 * is gone) and it was VM_OBJECT_MAPPED (vm_object.h), which is now cleared. Called with
	 * vm_object_lock_all held: must not sleep (XNU's memory_object_last_unmap).
	 */
	void (*mop_last_unmap)(memory_object_t mo);
	/*
	 * Optional. Write back the modified data of [offset, offset + length) (msync; XNU's
	 * memory_object_synchronize). Called with no lock held; may sleep.
	 * Returns KERN_SUCCESS or KERN_FAILURE (an I/O error; the data stays modified).
	 */
	kern_return_t (*mop_synchronize)(memory_object_t mo, vm_object_offset_t offset,
					 vm_size_t length, int flags);
};

struct memory_object {
	const struct memory_object_pager_ops *mo_ops;
};

/* The calls the VM makes; each forwards to the pager's operation. */
void memory_object_init(memory_object_t mo, struct vm_object *object, vm_size_t page_size);
kern_return_t memory_object_data_request(memory_object_t mo, vm_object_offset_t offset,
					 vm_size_t length, vm_prot_t access, void *dst);
kern_return_t memory_object_data_return(memory_object_t mo, vm_object_offset_t offset,
					const void *src, vm_size_t length);
kern_return_t memory_object_data_unlock(memory_object_t mo, vm_object_offset_t offset,
					vm_size_t length, vm_prot_t access);
void memory_object_terminate(memory_object_t mo);
void memory_object_last_unmap(memory_object_t mo);
kern_return_t memory_object_synchronize(memory_object_t mo, vm_object_offset_t offset,
					vm_size_t length, int flags);

/*
 * default_pager_create: a default-pager memory object for anonymous object `object`, backed
 * by the swap device, or in memory while there is none (default_pager.c).
 *   Locks:   may be called with vm_object_lock_all held (does not sleep).
 *   Returns: the pager, or NULL when memory is short.
 */
memory_object_t default_pager_create(struct vm_object *object);

/*
 * default_pager_has_swap: whether the default pager has a swap device (looking for it first
 * when it is time to: see default_pager.c). Sleeps (a mutex). The pageout daemon launders
 * anonymous pages only when it does.
 */
bool default_pager_has_swap(void);

struct io_media;
/*
 * default_pager_swapon: make m the swap device (swapon(2)). m must carry a Linux swap
 * signature (mkswap); its first page is left alone.
 *   Returns: KERN_SUCCESS; KERN_INVALID_ARGUMENT (no signature, or m cannot hold swap);
 *            KERN_NO_SPACE (a swap device is in use already: there is one at most).
 */
kern_return_t default_pager_swapon(struct io_media *m);
/*
 * default_pager_swapoff: stop swapping to m (swapoff(2)); only while no page is on it.
 *   Returns: KERN_SUCCESS; KERN_INVALID_ARGUMENT (m is not the swap device); KERN_FAILURE
 *            (pages are still on it).
 */
kern_return_t default_pager_swapoff(struct io_media *m);

/* Pages the default pager holds, and bytes of memory it uses for them (statistics). */
extern uint64_t default_pager_pages, default_pager_bytes, default_pager_compressed;

struct default_pager_swap_stats {
	uint64_t dss_slots, dss_used; /* page slots on the device, and in use */
	uint64_t dss_pageouts, dss_pageins; /* pages written and read */
	uint64_t dss_errors, dss_full; /* failed I/Os; page-outs refused for want of a slot */
	uint64_t dss_writes; /* page-out I/Os (each a run of consecutive slots) */
};
/* The swap device's figures (all 0 without one). */
void default_pager_swap_stats(struct default_pager_swap_stats *s);
/* Print the default pager's and the swap device's figures (the `vmstat` shell command). */
void default_pager_print_stats(void);

#endif /* _MACH_VM_MEMORY_OBJECT_H_ */
