/*
 * ipc_right.c — rights under names: the mach_port_* calls and the copyin/copyout of one right
 * (XNU osfmk/ipc/ipc_right.c, mach_port.c; semantics from the Mach 3 Kernel Interfaces manual:
 * mach_port_allocate, _deallocate, _destroy, _mod_refs, _get_refs, _type, _insert_right,
 * _extract_right, _move_member, _request_notification).
 *
 * The one idea: an entry's user references count how many times the task may use a send
 * right or a dead name (capped at MACH_PORT_UREFS_MAX), but the port sees the entry's send
 * right as one right (ip_srights). Making a send right from a receive right bumps the port's
 * make-send count, which a no-senders notification reports so a server can tell a stale
 * notification from a fresh one.
 */
#include <mach/ipc/ipc.h>
#include <mach/kern/kalloc.h>
#include <panic.h>

static uint32_t
ie_urefs(const struct ipc_entry *e)
{
	return IE_BITS_UREFS(e->ie_bits);
}

ipc_port_t
ipc_right_dnrequest_take(ipc_space_t space, mach_port_name_t name, ipc_port_t port)
{
	queue_foreach(&port->ip_dnrequests, q) {
		struct ipc_dnreq *dn = container_of(q, struct ipc_dnreq, dn_link);

		if (dn->dn_space == space && dn->dn_name == name) {
			ipc_port_t so = dn->dn_notify;

			queue_remove(&dn->dn_link);
			kfree(dn, sizeof(*dn));
			return so;
		}
	}
	return NULL;
}

/* name stops denoting port's send rights: a pending dead-name request becomes port-deleted. */
static void
right_dnrequest_cancel(ipc_space_t space, mach_port_name_t name, struct ipc_entry *e)
{
	ipc_port_t so;

	if (!(e->ie_bits & MACH_PORT_TYPE_DNREQUEST))
		return;
	e->ie_bits &= ~MACH_PORT_TYPE_DNREQUEST;
	if (e->ie_object != NULL && (so = ipc_right_dnrequest_take(space, name, e->ie_object)))
		ipc_notify_port_deleted(so, name);
}

bool
ipc_right_check(ipc_space_t space, mach_port_name_t name, struct ipc_entry *e)
{
	ipc_port_t port = e->ie_object;
	uint32_t type = IE_BITS_TYPE(e->ie_bits), urefs;

	if (!(type & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_SEND_ONCE)) || port->ip_active)
		return false;
	if (type & MACH_PORT_TYPE_RECEIVE)
		panic("ipc: dead port %p still named as a receive right", port);
	urefs = ie_urefs(e);
	/* The dead-name notification that fired carries one more reference (XNU does this). */
	if (e->ie_bits & MACH_PORT_TYPE_DNREQUEST)
		urefs = MIN(urefs + 1, MACH_PORT_UREFS_MAX);
	ipc_entry_set(space, name, NULL, MACH_PORT_TYPE_DEAD_NAME | urefs);
	if (type & MACH_PORT_TYPE_SEND)
		ipc_port_release_send(port);
	else
		ipc_port_release_sonce(port);
	return true;
}

/* Look name up, turning it into a dead name if its port died. */
static kern_return_t
right_lookup(ipc_space_t space, mach_port_name_t name, struct ipc_entry **ep)
{
	if (!space->is_active)
		return KERN_INVALID_TASK;
	if ((*ep = ipc_entry_lookup(space, name)) == NULL)
		return KERN_INVALID_NAME;
	ipc_right_check(space, name, *ep);
	return KERN_SUCCESS;
}

/* Whether entry bits allow disposition (a single use; the kmsg code counts repeated uses). */
bool
ipc_right_copyin_ok(uint32_t bits, mach_msg_type_name_t disp)
{
	switch (disp) {
	case MACH_MSG_TYPE_MOVE_RECEIVE:
	case MACH_MSG_TYPE_MAKE_SEND:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		return bits & MACH_PORT_TYPE_RECEIVE;
	case MACH_MSG_TYPE_COPY_SEND:
	case MACH_MSG_TYPE_MOVE_SEND:
		return (bits & MACH_PORT_TYPE_SEND) && IE_BITS_UREFS(bits) > 0;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
		return bits & MACH_PORT_TYPE_SEND_ONCE;
	default:
		return false;
	}
}

/* Drop name's receive right from its entry (the port keeps its reference elsewhere). */
static void
right_take_receive(ipc_space_t space, mach_port_name_t name, struct ipc_entry *e)
{
	ipc_port_t port = e->ie_object;

	port->ip_receiver = NULL;
	port->ip_receiver_name = MACH_PORT_NULL;
	if (e->ie_bits & MACH_PORT_TYPE_SEND)
		ipc_entry_set(space, name, port, e->ie_bits & ~MACH_PORT_TYPE_RECEIVE);
	else
		ipc_entry_free(space, name);
}

/* Drop the entry's send right, wholly: the port's count goes down by one. */
static void
right_drop_send(ipc_space_t space, mach_port_name_t name, struct ipc_entry *e)
{
	ipc_port_t port = e->ie_object;

	if (e->ie_bits & MACH_PORT_TYPE_RECEIVE) {
		ipc_entry_set(space, name, port,
			      IE_BITS_TYPE(e->ie_bits & ~MACH_PORT_TYPE_SEND) |
				  (e->ie_bits & MACH_PORT_TYPE_DNREQUEST));
	} else {
		right_dnrequest_cancel(space, name, e);
		ipc_entry_free(space, name);
	}
}

/*
 * ipc_right_copyin: take the right disposition names out of space (right_copyin_ok said yes).
 * Returns the port and the right now carried.
 */
void
ipc_right_copyin(ipc_space_t space, mach_port_name_t name, mach_msg_type_name_t disp,
		 ipc_port_t *portp, mach_msg_type_name_t *typep)
{
	struct ipc_entry *e = ipc_entry_lookup(space, name);
	ipc_port_t port = e->ie_object;

	*portp = port;
	switch (disp) {
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		ipc_port_set_pset(port, NULL);
		right_take_receive(space, name, e);
		*typep = MACH_MSG_TYPE_PORT_RECEIVE;
		return;
	case MACH_MSG_TYPE_MAKE_SEND:
		port->ip_mscount++;
		/* FALLTHROUGH */
	case MACH_MSG_TYPE_COPY_SEND:
		port->ip_srights++;
		ipc_port_reference(port);
		*typep = MACH_MSG_TYPE_PORT_SEND;
		return;
	case MACH_MSG_TYPE_MOVE_SEND:
		*typep = MACH_MSG_TYPE_PORT_SEND;
		if (ie_urefs(e) == 1) {
			/* The entry's own send right (and its reference) leaves. */
			right_drop_send(space, name, e);
			return;
		}
		e->ie_bits--;
		port->ip_srights++;
		ipc_port_reference(port);
		return;
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		port->ip_sorights++;
		ipc_port_reference(port);
		*typep = MACH_MSG_TYPE_PORT_SEND_ONCE;
		return;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
		right_dnrequest_cancel(space, name, e);
		ipc_entry_free(space, name);
		*typep = MACH_MSG_TYPE_PORT_SEND_ONCE;
		return;
	default:
		panic("ipc: copyin of disposition %u", disp);
	}
}

kern_return_t
ipc_right_copyout(ipc_space_t space, ipc_port_t port, mach_msg_type_name_t type,
		  mach_port_name_t *namep)
{
	mach_port_name_t name = MACH_PORT_NULL;
	struct ipc_entry *e;
	kern_return_t kr;

	if (!port->ip_active && type != MACH_MSG_TYPE_PORT_RECEIVE) {
		ipc_object_destroy(port, type);
		*namep = MACH_PORT_DEAD;
		return KERN_SUCCESS;
	}
	if (type == MACH_MSG_TYPE_PORT_SEND) {
		name = port->ip_receiver == space ? port->ip_receiver_name
						   : ipc_space_send_name(space, port);
	} else if (type == MACH_MSG_TYPE_PORT_RECEIVE) {
		name = ipc_space_send_name(space, port);
	}
	if (name != MACH_PORT_NULL) {
		e = ipc_entry_lookup(space, name);
		if (type == MACH_MSG_TYPE_PORT_RECEIVE) {
			ipc_entry_set(space, name, port, e->ie_bits | MACH_PORT_TYPE_RECEIVE);
			port->ip_receiver = space;
			port->ip_receiver_name = name;
		} else if (!(e->ie_bits & MACH_PORT_TYPE_SEND)) {
			ipc_entry_set(space, name, port, e->ie_bits | MACH_PORT_TYPE_SEND | 1);
		} else {
			/* Coalesce; at the cap the extra right is dropped, the count pegged. */
			if (ie_urefs(e) < MACH_PORT_UREFS_MAX)
				e->ie_bits++;
			port->ip_srights--;
			ipc_port_release(port);
		}
		*namep = name;
		return KERN_SUCCESS;
	}
	if ((kr = ipc_entry_alloc(space, &name)) != KERN_SUCCESS)
		return kr;
	switch (type) {
	case MACH_MSG_TYPE_PORT_SEND:
		ipc_entry_set(space, name, port, MACH_PORT_TYPE_SEND | 1);
		break;
	case MACH_MSG_TYPE_PORT_SEND_ONCE:
		ipc_entry_set(space, name, port, MACH_PORT_TYPE_SEND_ONCE | 1);
		break;
	case MACH_MSG_TYPE_PORT_RECEIVE:
		ipc_entry_set(space, name, port, MACH_PORT_TYPE_RECEIVE);
		port->ip_receiver = space;
		port->ip_receiver_name = name;
		break;
	default:
		panic("ipc: copyout of right type %u", type);
	}
	*namep = name;
	return KERN_SUCCESS;
}

/* Allocate right under name, or under a fresh name when name is MACH_PORT_NULL. */
static kern_return_t
right_allocate(ipc_space_t space, mach_port_right_t right, mach_port_name_t *namep)
{
	kern_return_t kr;
	ipc_port_t port = NULL;
	ipc_pset_t pset = NULL;
	mach_port_name_t name = *namep;

	if (right != MACH_PORT_RIGHT_RECEIVE && right != MACH_PORT_RIGHT_PORT_SET &&
	    right != MACH_PORT_RIGHT_DEAD_NAME)
		return KERN_INVALID_VALUE;
	ipc_lock();
	if (!space->is_active) {
		kr = KERN_INVALID_TASK;
		goto out;
	}
	if (right == MACH_PORT_RIGHT_RECEIVE && (port = ipc_port_alloc()) == NULL) {
		kr = KERN_RESOURCE_SHORTAGE;
		goto out;
	}
	if (right == MACH_PORT_RIGHT_PORT_SET && (pset = ipc_pset_alloc()) == NULL) {
		kr = KERN_RESOURCE_SHORTAGE;
		goto out;
	}
	kr = name == MACH_PORT_NULL ? ipc_entry_alloc(space, &name)
				    : ipc_entry_alloc_name(space, name);
	if (kr != KERN_SUCCESS) {
		if (port != NULL) {
			port->ip_active = false;
			ipc_port_release(port);
		}
		if (pset != NULL)
			ipc_pset_release(pset);
		goto out;
	}
	if (port != NULL) {
		ipc_entry_set(space, name, port, MACH_PORT_TYPE_RECEIVE);
		port->ip_receiver = space;
		port->ip_receiver_name = name;
	} else if (pset != NULL) {
		ipc_entry_set(space, name, pset, MACH_PORT_TYPE_PORT_SET);
		pset->ips_space = space;
		pset->ips_name = name;
	} else {
		ipc_entry_set(space, name, NULL, MACH_PORT_TYPE_DEAD_NAME | 1);
	}
	*namep = name;
out:
	ipc_unlock();
	return kr;
}

kern_return_t
mach_port_allocate_name(ipc_space_t space, mach_port_right_t right, mach_port_name_t name)
{
	if (!MACH_PORT_VALID(name))
		return KERN_INVALID_VALUE;
	return right_allocate(space, right, &name);
}

kern_return_t
mach_port_allocate(ipc_space_t space, mach_port_right_t right, mach_port_name_t *namep)
{
	mach_port_name_t name = MACH_PORT_NULL;
	kern_return_t kr = right_allocate(space, right, &name);

	if (kr == KERN_SUCCESS)
		*namep = name;
	return kr;
}

/* Destroy every right name denotes and free it (entry looked up and checked). */
static void
right_destroy(ipc_space_t space, mach_port_name_t name, struct ipc_entry *e)
{
	uint32_t type = IE_BITS_TYPE(e->ie_bits);
	void *obj = e->ie_object;

	right_dnrequest_cancel(space, name, e);
	ipc_entry_free(space, name);
	if (type & MACH_PORT_TYPE_SEND)
		ipc_port_release_send(obj);
	if (type & MACH_PORT_TYPE_SEND_ONCE)
		ipc_notify_send_once(obj);
	if (type & MACH_PORT_TYPE_RECEIVE)
		ipc_port_destroy(obj);
	if (type & MACH_PORT_TYPE_PORT_SET)
		ipc_pset_destroy(obj);
}

kern_return_t
mach_port_destroy(ipc_space_t space, mach_port_name_t name)
{
	struct ipc_entry *e;
	kern_return_t kr;

	ipc_lock();
	if ((kr = right_lookup(space, name, &e)) == KERN_SUCCESS)
		right_destroy(space, name, e);
	ipc_unlock();
	return kr;
}

/* The receive right of name is destroyed; a send right under the same name goes dead. */
static void
right_destroy_receive(ipc_space_t space, mach_port_name_t name, struct ipc_entry *e)
{
	ipc_port_t port = e->ie_object;

	if (!(e->ie_bits & MACH_PORT_TYPE_SEND)) {
		ipc_entry_free(space, name);
		ipc_port_destroy(port);
		return;
	}
	/* The entry's send right keeps the port in memory while it dies. */
	ipc_entry_set(space, name, port, e->ie_bits & ~MACH_PORT_TYPE_RECEIVE);
	ipc_port_destroy(port);
	ipc_right_check(space, name, e);
}

kern_return_t
mach_port_mod_refs(ipc_space_t space, mach_port_name_t name, mach_port_right_t right,
		   mach_port_delta_t delta)
{
	struct ipc_entry *e;
	kern_return_t kr;
	uint32_t type;
	int64_t urefs;

	if (right >= MACH_PORT_RIGHT_NUMBER)
		return KERN_INVALID_VALUE;
	ipc_lock();
	if ((kr = right_lookup(space, name, &e)) != KERN_SUCCESS)
		goto out;
	type = IE_BITS_TYPE(e->ie_bits);
	if (!(type & MACH_PORT_TYPE(right))) {
		kr = KERN_INVALID_RIGHT;
		goto out;
	}
	switch (right) {
	case MACH_PORT_RIGHT_RECEIVE:
	case MACH_PORT_RIGHT_SEND_ONCE:
	case MACH_PORT_RIGHT_PORT_SET:
		if (delta < -1 || delta > 0) {
			kr = delta > 0 ? KERN_UREFS_OVERFLOW : KERN_INVALID_VALUE;
			goto out;
		}
		if (delta == 0)
			goto out;
		if (right == MACH_PORT_RIGHT_RECEIVE) {
			right_destroy_receive(space, name, e);
		} else {
			right_destroy(space, name, e);
		}
		goto out;
	default:
		break;
	}
	/* SEND and DEAD_NAME carry user references. */
	urefs = (int64_t)ie_urefs(e) + delta;
	if (urefs < 0) {
		kr = KERN_INVALID_VALUE;
		goto out;
	}
	if (urefs > MACH_PORT_UREFS_MAX) {
		kr = KERN_UREFS_OVERFLOW;
		goto out;
	}
	if (urefs > 0) {
		e->ie_bits = (e->ie_bits & ~IE_BITS_UREFS_MASK) | (uint32_t)urefs;
	} else if (right == MACH_PORT_RIGHT_DEAD_NAME) {
		ipc_entry_free(space, name);
	} else {
		ipc_port_t port = e->ie_object;

		right_drop_send(space, name, e);
		ipc_port_release_send(port);
	}
out:
	ipc_unlock();
	return kr;
}

kern_return_t
mach_port_deallocate(ipc_space_t space, mach_port_name_t name)
{
	struct ipc_entry *e;
	kern_return_t kr;
	uint32_t type;

	ipc_lock();
	kr = right_lookup(space, name, &e);
	type = kr == KERN_SUCCESS ? IE_BITS_TYPE(e->ie_bits) : 0;
	ipc_unlock();
	if (kr != KERN_SUCCESS)
		return kr;
	if (type & MACH_PORT_TYPE_SEND)
		return mach_port_mod_refs(space, name, MACH_PORT_RIGHT_SEND, -1);
	if (type & MACH_PORT_TYPE_SEND_ONCE)
		return mach_port_mod_refs(space, name, MACH_PORT_RIGHT_SEND_ONCE, -1);
	if (type & MACH_PORT_TYPE_DEAD_NAME)
		return mach_port_mod_refs(space, name, MACH_PORT_RIGHT_DEAD_NAME, -1);
	return KERN_INVALID_RIGHT;
}

kern_return_t
mach_port_get_refs(ipc_space_t space, mach_port_name_t name, mach_port_right_t right,
		   mach_port_urefs_t *refsp)
{
	struct ipc_entry *e;
	kern_return_t kr;

	if (right >= MACH_PORT_RIGHT_NUMBER)
		return KERN_INVALID_VALUE;
	ipc_lock();
	if ((kr = right_lookup(space, name, &e)) == KERN_SUCCESS) {
		if (!(e->ie_bits & MACH_PORT_TYPE(right)))
			*refsp = 0;
		else if (right == MACH_PORT_RIGHT_SEND || right == MACH_PORT_RIGHT_DEAD_NAME)
			*refsp = ie_urefs(e);
		else
			*refsp = 1;
	}
	ipc_unlock();
	return kr;
}

kern_return_t
mach_port_type(ipc_space_t space, mach_port_name_t name, mach_port_type_t *typep)
{
	struct ipc_entry *e;
	kern_return_t kr;

	ipc_lock();
	if ((kr = right_lookup(space, name, &e)) == KERN_SUCCESS)
		*typep = e->ie_bits & (IE_BITS_TYPE_MASK | MACH_PORT_TYPE_DNREQUEST);
	ipc_unlock();
	return kr;
}

kern_return_t
mach_port_insert_right(ipc_space_t space, mach_port_name_t name, ipc_port_t port,
		       mach_msg_type_name_t type)
{
	struct ipc_entry *e;
	kern_return_t kr = KERN_SUCCESS;
	mach_port_name_t other;

	if (!MACH_PORT_VALID(name) || (type != MACH_MSG_TYPE_PORT_SEND &&
				       type != MACH_MSG_TYPE_PORT_SEND_ONCE &&
				       type != MACH_MSG_TYPE_PORT_RECEIVE))
		return KERN_INVALID_VALUE;
	if (port == NULL || port == IPC_PORT_DEAD_PTR)
		return KERN_INVALID_CAPABILITY;
	ipc_lock();
	if (!space->is_active) {
		kr = KERN_INVALID_TASK;
		goto out;
	}
	if (!port->ip_active) {
		kr = KERN_INVALID_CAPABILITY;
		goto out;
	}
	if ((e = ipc_entry_lookup(space, name)) != NULL) {
		ipc_right_check(space, name, e);
		if (type == MACH_MSG_TYPE_PORT_SEND_ONCE || e->ie_object != port) {
			kr = KERN_NAME_EXISTS;
		} else if (type == MACH_MSG_TYPE_PORT_RECEIVE) {
			kr = (e->ie_bits & MACH_PORT_TYPE_RECEIVE) ? KERN_RIGHT_EXISTS
								  : KERN_SUCCESS;
		} else if ((e->ie_bits & MACH_PORT_TYPE_SEND) &&
			   ie_urefs(e) >= MACH_PORT_UREFS_MAX) {
			kr = KERN_UREFS_OVERFLOW;
		}
		if (kr == KERN_SUCCESS)
			kr = ipc_right_copyout(space, port, type, &other);
		goto out;
	}
	if (type != MACH_MSG_TYPE_PORT_SEND_ONCE) {
		other = port->ip_receiver == space ? port->ip_receiver_name
						   : ipc_space_send_name(space, port);
		if (other != MACH_PORT_NULL) {
			kr = KERN_RIGHT_EXISTS;
			goto out;
		}
	}
	if ((kr = ipc_entry_alloc_name(space, name)) != KERN_SUCCESS)
		goto out;
	switch (type) {
	case MACH_MSG_TYPE_PORT_SEND:
		ipc_entry_set(space, name, port, MACH_PORT_TYPE_SEND | 1);
		break;
	case MACH_MSG_TYPE_PORT_SEND_ONCE:
		ipc_entry_set(space, name, port, MACH_PORT_TYPE_SEND_ONCE | 1);
		break;
	default:
		ipc_entry_set(space, name, port, MACH_PORT_TYPE_RECEIVE);
		port->ip_receiver = space;
		port->ip_receiver_name = name;
		break;
	}
out:
	ipc_unlock();
	return kr;
}

kern_return_t
mach_port_extract_right(ipc_space_t space, mach_port_name_t name,
			mach_msg_type_name_t disposition, ipc_port_t *portp,
			mach_msg_type_name_t *typep)
{
	struct ipc_entry *e;
	kern_return_t kr;

	if (disposition < MACH_MSG_TYPE_MOVE_RECEIVE || disposition > MACH_MSG_TYPE_MAKE_SEND_ONCE)
		return KERN_INVALID_VALUE;
	ipc_lock();
	if ((kr = right_lookup(space, name, &e)) != KERN_SUCCESS)
		goto out;
	if (!ipc_right_copyin_ok(e->ie_bits, disposition)) {
		kr = KERN_INVALID_RIGHT;
		goto out;
	}
	ipc_right_copyin(space, name, disposition, portp, typep);
out:
	ipc_unlock();
	return kr;
}

kern_return_t
mach_port_move_member(ipc_space_t space, mach_port_name_t member, mach_port_name_t pset_name)
{
	struct ipc_entry *e, *se = NULL;
	kern_return_t kr;
	ipc_port_t port;

	ipc_lock();
	if ((kr = right_lookup(space, member, &e)) != KERN_SUCCESS)
		goto out;
	if (pset_name != MACH_PORT_NULL && (kr = right_lookup(space, pset_name, &se)) != 0)
		goto out;
	if (!(e->ie_bits & MACH_PORT_TYPE_RECEIVE) ||
	    (se != NULL && !(se->ie_bits & MACH_PORT_TYPE_PORT_SET))) {
		kr = KERN_INVALID_RIGHT;
		goto out;
	}
	port = e->ie_object;
	if (se == NULL && port->ip_pset == NULL)
		kr = KERN_NOT_IN_SET;
	else
		ipc_port_set_pset(port, se != NULL ? se->ie_object : NULL);
out:
	ipc_unlock();
	return kr;
}

/*
 * The request itself, the notification right already taken: *sop (a send-once right or NULL)
 * is consumed (set to NULL) when the request keeps it or fires it; the previous request's
 * right comes back in *prevp. IPC lock held.
 */
static kern_return_t
right_request_notification(ipc_space_t space, struct ipc_entry *e, mach_port_name_t name,
			   mach_msg_id_t msgid, mach_port_mscount_t sync, ipc_port_t *sop,
			   ipc_port_t *prevp)
{
	ipc_port_t so = *sop, prev = NULL, port = e->ie_object;

	*prevp = NULL;
	if (msgid == MACH_NOTIFY_DEAD_NAME) {
		if (e->ie_bits & MACH_PORT_TYPE_DEAD_NAME) {
			if (so != NULL) {
				e->ie_bits++;
				*sop = NULL;
				ipc_notify_dead_name(so, name);
			}
			return KERN_SUCCESS;
		}
		if (so != NULL) {
			struct ipc_dnreq *dn = kalloc(sizeof(*dn));

			if (dn == NULL)
				return KERN_RESOURCE_SHORTAGE;
			prev = ipc_right_dnrequest_take(space, name, port);
			dn->dn_space = space;
			dn->dn_name = name;
			dn->dn_notify = so;
			queue_enter(&port->ip_dnrequests, &dn->dn_link);
			e->ie_bits |= MACH_PORT_TYPE_DNREQUEST;
		} else {
			prev = ipc_right_dnrequest_take(space, name, port);
			e->ie_bits &= ~MACH_PORT_TYPE_DNREQUEST;
		}
	} else if (msgid == MACH_NOTIFY_NO_SENDERS) {
		prev = port->ip_nsrequest;
		port->ip_nsrequest = so;
		if (so != NULL && port->ip_srights == 0 && sync <= port->ip_mscount) {
			port->ip_nsrequest = NULL;
			ipc_notify_no_senders(so, port->ip_mscount);
		}
	} else {
		prev = port->ip_pdrequest;
		port->ip_pdrequest = so;
	}
	*sop = NULL;
	*prevp = prev;
	return KERN_SUCCESS;
}

/* The entry name must be for msgid, and a dead name must have room for one more reference. */
static kern_return_t
right_notification_entry(ipc_space_t space, mach_port_name_t name, mach_msg_id_t msgid,
			 struct ipc_entry **ep)
{
	uint32_t need;
	kern_return_t kr;

	if (msgid == MACH_NOTIFY_DEAD_NAME)
		need = MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_SEND_ONCE | MACH_PORT_TYPE_DEAD_NAME;
	else if (msgid == MACH_NOTIFY_NO_SENDERS || msgid == MACH_NOTIFY_PORT_DESTROYED)
		need = MACH_PORT_TYPE_RECEIVE;
	else
		return KERN_INVALID_VALUE;
	if ((kr = right_lookup(space, name, ep)) != KERN_SUCCESS)
		return kr;
	if (!((*ep)->ie_bits & need))
		return KERN_INVALID_RIGHT;
	if (((*ep)->ie_bits & MACH_PORT_TYPE_DEAD_NAME) && ie_urefs(*ep) >= MACH_PORT_UREFS_MAX)
		return KERN_UREFS_OVERFLOW;
	return KERN_SUCCESS;
}

kern_return_t
mach_port_request_notification(ipc_space_t space, mach_port_name_t name, mach_msg_id_t msgid,
			       mach_port_mscount_t sync, mach_port_name_t notify,
			       mach_msg_type_name_t notify_disp, mach_port_name_t *previousp)
{
	struct ipc_entry *e, *ne;
	ipc_port_t so = NULL, prev = NULL;
	mach_msg_type_name_t t;
	kern_return_t kr;

	*previousp = MACH_PORT_NULL;
	ipc_lock();
	if ((kr = right_notification_entry(space, name, msgid, &e)) != KERN_SUCCESS)
		goto out;
	if (notify != MACH_PORT_NULL) {
		if (notify_disp != MACH_MSG_TYPE_MAKE_SEND_ONCE &&
		    notify_disp != MACH_MSG_TYPE_MOVE_SEND_ONCE) {
			kr = KERN_INVALID_VALUE;
			goto out;
		}
		if ((ne = ipc_entry_lookup(space, notify)) != NULL)
			ipc_right_check(space, notify, ne);
		if (ne == NULL || !ipc_right_copyin_ok(ne->ie_bits, notify_disp) ||
		    (notify_disp == MACH_MSG_TYPE_MOVE_SEND_ONCE && notify == name)) {
			kr = KERN_INVALID_CAPABILITY;
			goto out;
		}
		ipc_right_copyin(space, notify, notify_disp, &so, &t);
	}
	kr = right_request_notification(space, e, name, msgid, sync, &so, &prev);
	if (so != NULL) /* not kept: the request failed */
		ipc_port_release_sonce(so);
	if (prev != NULL && ipc_right_copyout(space, prev, MACH_MSG_TYPE_PORT_SEND_ONCE,
					      previousp) != KERN_SUCCESS) {
		ipc_notify_send_once(prev);
		*previousp = MACH_PORT_DEAD;
	}
out:
	ipc_unlock();
	return kr;
}

kern_return_t
ipc_right_request_notification(ipc_space_t space, mach_port_name_t name, mach_msg_id_t msgid,
			       mach_port_mscount_t sync, ipc_port_t *sop, ipc_port_t *prevp)
{
	struct ipc_entry *e;
	kern_return_t kr;

	*prevp = NULL;
	if (*sop == IPC_PORT_DEAD_PTR)
		return KERN_INVALID_CAPABILITY;
	ipc_lock();
	if ((kr = right_notification_entry(space, name, msgid, &e)) == KERN_SUCCESS)
		kr = right_request_notification(space, e, name, msgid, sync, sop, prevp);
	ipc_unlock();
	return kr;
}

/* The receive right under name (looked up, IPC lock held), or an error. */
static kern_return_t
right_receive(ipc_space_t space, mach_port_name_t name, ipc_port_t *portp)
{
	struct ipc_entry *e;
	kern_return_t kr;

	if ((kr = right_lookup(space, name, &e)) != KERN_SUCCESS)
		return kr;
	if (!(e->ie_bits & MACH_PORT_TYPE_RECEIVE))
		return KERN_INVALID_RIGHT;
	*portp = e->ie_object;
	return KERN_SUCCESS;
}

kern_return_t
mach_port_set_qlimit(ipc_space_t space, mach_port_name_t name, uint32_t qlimit)
{
	ipc_port_t port;
	kern_return_t kr;

	if (qlimit == 0 || qlimit > MACH_PORT_QLIMIT_MAX)
		return KERN_INVALID_VALUE;
	ipc_lock();
	if ((kr = right_receive(space, name, &port)) == KERN_SUCCESS) {
		port->ip_qlimit = qlimit;
		ipc_port_wakeup_senders(port);
	}
	ipc_unlock();
	return kr;
}

kern_return_t
mach_port_get_status(ipc_space_t space, mach_port_name_t name, struct ipc_port_status *st)
{
	ipc_port_t port;
	kern_return_t kr;

	ipc_lock();
	if ((kr = right_receive(space, name, &port)) == KERN_SUCCESS) {
		st->mps_mscount = port->ip_mscount;
		st->mps_srights = port->ip_srights;
		st->mps_sorights = port->ip_sorights;
		st->mps_msgcount = port->ip_msgcount;
		st->mps_qlimit = port->ip_qlimit;
		st->mps_seqno = port->ip_seqno;
	}
	ipc_unlock();
	return kr;
}

kern_return_t
mach_port_set_attributes(ipc_space_t space, mach_port_name_t name, int flavor,
			 const uint32_t *info, uint32_t count)
{
	if (flavor != MACH_PORT_LIMITS_INFO || count < MACH_PORT_LIMITS_INFO_COUNT)
		return KERN_INVALID_VALUE;
	return mach_port_set_qlimit(space, name, info[0]);
}

kern_return_t
mach_port_get_attributes(ipc_space_t space, mach_port_name_t name, int flavor, uint32_t *info,
			 uint32_t *countp)
{
	mach_port_status_t st = { 0 };
	ipc_port_t port;
	kern_return_t kr;

	if ((flavor == MACH_PORT_LIMITS_INFO && *countp < MACH_PORT_LIMITS_INFO_COUNT) ||
	    (flavor == MACH_PORT_RECEIVE_STATUS && *countp < MACH_PORT_RECEIVE_STATUS_COUNT) ||
	    (flavor != MACH_PORT_LIMITS_INFO && flavor != MACH_PORT_RECEIVE_STATUS))
		return KERN_INVALID_VALUE;
	ipc_lock();
	if ((kr = right_receive(space, name, &port)) == KERN_SUCCESS) {
		st.mps_pset = port->ip_pset != NULL ? port->ip_pset->ips_name : MACH_PORT_NULL;
		st.mps_seqno = port->ip_seqno;
		st.mps_mscount = port->ip_mscount;
		st.mps_qlimit = port->ip_qlimit;
		st.mps_msgcount = port->ip_msgcount;
		st.mps_sorights = port->ip_sorights;
		st.mps_srights = port->ip_srights != 0;
		st.mps_pdrequest = port->ip_pdrequest != NULL;
		st.mps_nsrequest = port->ip_nsrequest != NULL;
	}
	ipc_unlock();
	if (kr != KERN_SUCCESS)
		return kr;
	if (flavor == MACH_PORT_LIMITS_INFO) {
		info[0] = st.mps_qlimit;
		*countp = MACH_PORT_LIMITS_INFO_COUNT;
	} else {
		memcpy(info, &st, sizeof(st));
		*countp = MACH_PORT_RECEIVE_STATUS_COUNT;
	}
	return KERN_SUCCESS;
}
