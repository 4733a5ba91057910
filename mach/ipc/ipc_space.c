/*
 * ipc_space.c — IPC spaces: the table that turns a task's port names into rights (XNU
 * osfmk/ipc/ipc_space.c, ipc_entry.c), the IPC lock, and the queue of messages to destroy.
 *
 * The one idea: a name is index << 8 | generation. Freeing an entry bumps its generation, so
 * a stale name held by a confused task misses (KERN_INVALID_NAME) instead of reaching whatever
 * right reuses the slot, for 255 reuses. Send rights to one port are coalesced under one name:
 * a per-space hash from port to entry finds it (XNU uses a splay tree).
 *
 * Destroying a message may destroy a port whose queue holds messages carrying receive rights
 * of ports holding messages...: ipc_kmsg_destroy_later() queues them and ipc_unlock() destroys
 * them in a loop, so the depth of such chains never reaches the kernel stack.
 */
#include <console.h>
#include <mach/ipc/ipc.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/locks.h>
#include <mach/kern/zalloc.h>
#include <panic.h>

static lck_spin_t ipc_lck = LCK_SPIN_INITIALIZER;
static queue_head_t ipc_reap = QUEUE_HEAD_INITIALIZER(ipc_reap);
static bool ipc_reaping;

void
ipc_lock(void)
{
	lck_spin_lock(&ipc_lck);
}

void
ipc_kmsg_destroy_later(ipc_kmsg_t kmsg)
{
	queue_enter(&ipc_reap, &kmsg->ikm_link);
}

void
ipc_unlock(void)
{
	queue_chain_t *e;

	if (!ipc_reaping) {
		ipc_reaping = true;
		while ((e = queue_dequeue(&ipc_reap)) != NULL)
			ipc_kmsg_destroy(container_of(e, struct ipc_kmsg, ikm_link));
		ipc_reaping = false;
	}
	lck_spin_unlock(&ipc_lck);
}

#define IS_INITIAL_SIZE 64u

static uint32_t
is_hash_of(const ipc_space_t space, const void *port)
{
	uint64_t h = (uint64_t)(uintptr_t)port * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 40) & (space->is_hash_size - 1);
}

static void
is_hash_insert(ipc_space_t space, uint32_t idx)
{
	uint32_t b = is_hash_of(space, space->is_table[idx].ie_object);

	space->is_table[idx].ie_hnext = space->is_hash[b];
	space->is_hash[b] = idx;
}

static void
is_hash_remove(ipc_space_t space, uint32_t idx)
{
	uint32_t *pp = &space->is_hash[is_hash_of(space, space->is_table[idx].ie_object)];

	while (*pp != 0) {
		if (*pp == idx) {
			*pp = space->is_table[idx].ie_hnext;
			return;
		}
		pp = &space->is_table[*pp].ie_hnext;
	}
	panic("ipc: entry %u missing from its space's hash", idx);
}

/* Grow the table to at least `want` entries (and rebuild the hash). */
static kern_return_t
is_grow(ipc_space_t space, uint32_t want)
{
	uint32_t nsize = space->is_size ? space->is_size : IS_INITIAL_SIZE;
	struct ipc_entry *nt;
	uint32_t *nh;

	while (nsize < want)
		nsize *= 2;
	if (nsize > space->is_max)
		nsize = space->is_max;
	if (nsize < want || nsize <= space->is_size)
		return KERN_NO_SPACE;
	nt = kalloc_zero(nsize * sizeof(*nt));
	nh = kalloc_zero(nsize * sizeof(*nh));
	if (nt == NULL || nh == NULL) {
		kfree(nt, nsize * sizeof(*nt));
		kfree(nh, nsize * sizeof(*nh));
		return KERN_RESOURCE_SHORTAGE;
	}
	if (space->is_table != NULL)
		memcpy(nt, space->is_table, space->is_size * sizeof(*nt));
	/* New slots join the free list in index order, after the old free list. */
	for (uint32_t i = nsize - 1; i >= MAX(space->is_size, 1u); i--) {
		nt[i].ie_next = space->is_free;
		space->is_free = i;
	}
	kfree(space->is_table, space->is_size * sizeof(*nt));
	kfree(space->is_hash, space->is_hash_size * sizeof(*nh));
	space->is_table = nt;
	space->is_hash = nh;
	space->is_hash_size = nsize;
	for (uint32_t i = 1; i < space->is_size; i++)
		if (nt[i].ie_bits & MACH_PORT_TYPE_SEND)
			is_hash_insert(space, i);
	space->is_size = nsize;
	return KERN_SUCCESS;
}

kern_return_t
ipc_space_create(ipc_space_t *spacep)
{
	ipc_space_t space = kalloc_zero(sizeof(*space));

	if (space == NULL)
		return KERN_RESOURCE_SHORTAGE;
	space->is_max = IPC_SPACE_MAX_ENTRIES;
	if (is_grow(space, IS_INITIAL_SIZE) != KERN_SUCCESS) {
		kfree(space, sizeof(*space));
		return KERN_RESOURCE_SHORTAGE;
	}
	space->is_active = true;
	*spacep = space;
	return KERN_SUCCESS;
}

struct ipc_entry *
ipc_entry_lookup(ipc_space_t space, mach_port_name_t name)
{
	uint32_t idx = MACH_PORT_INDEX(name);
	struct ipc_entry *e;

	if (!space->is_active || idx == 0 || idx >= space->is_size)
		return NULL;
	e = &space->is_table[idx];
	if (e->ie_gen != MACH_PORT_GEN(name) || IE_BITS_TYPE(e->ie_bits) == 0)
		return NULL;
	return e;
}

/* Take idx off the free list (it is on it). */
static void
is_unfree(ipc_space_t space, uint32_t idx)
{
	uint32_t *pp = &space->is_free;

	while (*pp != idx) {
		if (*pp == 0)
			panic("ipc: entry %u not on its space's free list", idx);
		pp = &space->is_table[*pp].ie_next;
	}
	*pp = space->is_table[idx].ie_next;
	space->is_table[idx].ie_next = 0;
}

kern_return_t
ipc_entry_alloc(ipc_space_t space, mach_port_name_t *namep)
{
	uint32_t idx;
	kern_return_t kr;

	if (!space->is_active)
		return KERN_INVALID_TASK;
	if (space->is_free == 0 && (kr = is_grow(space, space->is_size + 1)) != KERN_SUCCESS)
		return kr;
	idx = space->is_free;
	/* Never hand out MACH_PORT_DEAD (all ones). */
	if (MACH_PORT_MAKE(idx, space->is_table[idx].ie_gen) == MACH_PORT_DEAD)
		space->is_table[idx].ie_gen++;
	space->is_free = space->is_table[idx].ie_next;
	space->is_table[idx].ie_next = 0;
	space->is_inuse++;
	*namep = MACH_PORT_MAKE(idx, space->is_table[idx].ie_gen);
	return KERN_SUCCESS;
}

kern_return_t
ipc_entry_alloc_name(ipc_space_t space, mach_port_name_t name)
{
	uint32_t idx = MACH_PORT_INDEX(name);
	kern_return_t kr;

	if (!space->is_active)
		return KERN_INVALID_TASK;
	if (!MACH_PORT_VALID(name) || idx == 0 || idx >= space->is_max)
		return KERN_INVALID_VALUE;
	if (idx >= space->is_size && (kr = is_grow(space, idx + 1)) != KERN_SUCCESS)
		return kr;
	if (IE_BITS_TYPE(space->is_table[idx].ie_bits) != 0)
		return KERN_NAME_EXISTS;
	is_unfree(space, idx);
	space->is_table[idx].ie_gen = (uint8_t)MACH_PORT_GEN(name);
	space->is_inuse++;
	return KERN_SUCCESS;
}

/* Set an allocated entry's object and bits, keeping the send-right hash in step. */
void
ipc_entry_set(ipc_space_t space, mach_port_name_t name, void *object, uint32_t bits)
{
	struct ipc_entry *e = &space->is_table[MACH_PORT_INDEX(name)];

	if (e->ie_bits & MACH_PORT_TYPE_SEND)
		is_hash_remove(space, MACH_PORT_INDEX(name));
	e->ie_object = object;
	e->ie_bits = bits;
	if (bits & MACH_PORT_TYPE_SEND)
		is_hash_insert(space, MACH_PORT_INDEX(name));
}

void
ipc_entry_free(ipc_space_t space, mach_port_name_t name)
{
	uint32_t idx = MACH_PORT_INDEX(name);
	struct ipc_entry *e = &space->is_table[idx];

	ipc_entry_set(space, name, NULL, 0);
	e->ie_gen++;
	e->ie_next = space->is_free;
	space->is_free = idx;
	space->is_inuse--;
}

/* The name under which space holds send rights to port, or MACH_PORT_NULL. */
mach_port_name_t
ipc_space_send_name(ipc_space_t space, ipc_port_t port)
{
	for (uint32_t i = space->is_hash[is_hash_of(space, port)]; i != 0;
	     i = space->is_table[i].ie_hnext)
		if (space->is_table[i].ie_object == port)
			return MACH_PORT_MAKE(i, space->is_table[i].ie_gen);
	return MACH_PORT_NULL;
}

void
ipc_space_terminate(ipc_space_t space)
{
	ipc_lock();
	if (!space->is_active) {
		ipc_unlock();
		return;
	}
	space->is_active = false;
	for (uint32_t i = 1; i < space->is_size; i++) {
		struct ipc_entry *e = &space->is_table[i];
		uint32_t type = IE_BITS_TYPE(e->ie_bits);
		void *obj = e->ie_object;

		if (type == 0)
			continue;
		if ((e->ie_bits & MACH_PORT_TYPE_DNREQUEST) && obj != NULL) {
			mach_port_name_t name = MACH_PORT_MAKE(i, e->ie_gen);
			ipc_port_t so = ipc_right_dnrequest_take(space, name, obj);

			if (so != NULL)
				ipc_notify_port_deleted(so, name);
		}
		if (type & MACH_PORT_TYPE_SEND) {
			is_hash_remove(space, i);
			ipc_port_release_send(obj);
		}
		if (type & MACH_PORT_TYPE_SEND_ONCE)
			ipc_notify_send_once(obj);
		if (type & MACH_PORT_TYPE_RECEIVE) {
			((ipc_port_t)obj)->ip_receiver = NULL;
			ipc_port_destroy(obj);
		}
		if (type & MACH_PORT_TYPE_PORT_SET)
			ipc_pset_destroy(obj);
		e->ie_bits = 0;
		e->ie_object = NULL;
	}
	ipc_unlock();
}

void
ipc_space_destroy(ipc_space_t space)
{
	ipc_space_terminate(space);
	kfree(space->is_table, space->is_size * sizeof(struct ipc_entry));
	kfree(space->is_hash, space->is_hash_size * sizeof(uint32_t));
	kfree(space, sizeof(*space));
}
