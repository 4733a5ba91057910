/*
 * memory_object.c — the VM's calls into pagers (memory_object.h): each forwards to the pager's
 * operations table. Kept as functions, not macros, so that a pager that leaves an optional
 * operation out is answered here in one place.
 */
#include <mach/vm/memory_object.h>

void
memory_object_init(memory_object_t mo, struct vm_object *object, vm_size_t page_size)
{
	if (mo->mo_ops->mop_init != NULL)
		mo->mo_ops->mop_init(mo, object, page_size);
}

kern_return_t
memory_object_data_request(memory_object_t mo, vm_object_offset_t offset, vm_size_t length,
			   vm_prot_t access, void *dst)
{
	return mo->mo_ops->mop_data_request(mo, offset, length, access, dst);
}

kern_return_t
memory_object_data_return(memory_object_t mo, vm_object_offset_t offset, const void *src,
			  vm_size_t length)
{
	return mo->mo_ops->mop_data_return(mo, offset, src, length);
}

kern_return_t
memory_object_data_unlock(memory_object_t mo, vm_object_offset_t offset, vm_size_t length,
			  vm_prot_t access)
{
	if (mo->mo_ops->mop_data_unlock == NULL)
		return KERN_SUCCESS; /* the pager never locks data */
	return mo->mo_ops->mop_data_unlock(mo, offset, length, access);
}

void
memory_object_terminate(memory_object_t mo)
{
	mo->mo_ops->mop_terminate(mo);
}

void
memory_object_last_unmap(memory_object_t mo)
{
	if (mo->mo_ops->mop_last_unmap != NULL)
		mo->mo_ops->mop_last_unmap(mo);
}

kern_return_t
memory_object_synchronize(memory_object_t mo, vm_object_offset_t offset, vm_size_t length,
			  int flags)
{
	if (mo->mo_ops->mop_synchronize == NULL)
		return KERN_SUCCESS; /* the pager keeps nothing that needs writing */
	return mo->mo_ops->mop_synchronize(mo, offset, length, flags);
}
