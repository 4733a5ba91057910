/*
 * ipc_port.c — ports and port sets: allocation, references, the counts of each kind of right,
 * destruction, and the notifications the kernel sends (XNU osfmk/ipc/ipc_port.c, ipc_pset.c,
 * ipc_notify.c; notification formats from <mach/notify.h>).
 *
 * The one idea: a port is freed by references, but it dies by its receive right. Each right
 * holds one reference (an entry's coalesced send right counts once, as in ip_srights), so a
 * dead port stays in memory until the last name of it has been turned into a dead name.
 * Notifications are messages sent on send-once rights; they never wait for queue space.
 */
#include <console.h>
#include <mach/ipc/ipc.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/zalloc.h>
#include <panic.h>
#ifndef NIMBUS_HOSTED
#include <mach/kern/thread.h>
#endif

static zone_t ipc_port_zone, ipc_pset_zone;
static uint64_t ipc_ports_live, ipc_psets_live;

void
ipc_bootstrap(void)
{
	ipc_port_zone = zinit(sizeof(struct ipc_port), 0, 0, "ipc.ports");
	ipc_pset_zone = zinit(sizeof(struct ipc_pset), 0, 0, "ipc.psets");
	if (ipc_port_zone == NULL || ipc_pset_zone == NULL)
		panic("ipc: cannot create the port zones");
}

uint64_t
ipc_port_count(void)
{
	return ipc_ports_live;
}

uint64_t
ipc_pset_count(void)
{
	return ipc_psets_live;
}

static void
ipc_wakeup(void *event)
{
#ifndef NIMBUS_HOSTED
	thread_wakeup((event_t)event);
#else
	(void)event;
#endif
}

/* A new active port with its receive right (one reference), in no space yet. */
ipc_port_t
ipc_port_alloc(void)
{
	ipc_port_t port = zalloc(ipc_port_zone);

	if (port == NULL)
		return NULL;
	memset(port, 0, sizeof(*port));
	port->ip_references = 1;
	port->ip_active = true;
	port->ip_qlimit = MACH_PORT_QLIMIT_DEFAULT;
	queue_init(&port->ip_dnrequests);
	queue_init(&port->ip_messages);
	queue_init(&port->ip_pset_link);
	ipc_ports_live++;
	return port;
}

ipc_pset_t
ipc_pset_alloc(void)
{
	ipc_pset_t pset = zalloc(ipc_pset_zone);

	if (pset == NULL)
		return NULL;
	memset(pset, 0, sizeof(*pset));
	pset->ips_references = 1;
	pset->ips_active = true;
	queue_init(&pset->ips_members);
	ipc_psets_live++;
	return pset;
}

void
ipc_port_reference(ipc_port_t port)
{
	if (port->ip_references == 0)
		panic("ipc: reference to a freed port %p", port);
	port->ip_references++;
}

void
ipc_port_release(ipc_port_t port)
{
	if (port->ip_references == 0)
		panic("ipc: port %p released once too often", port);
	if (--port->ip_references != 0)
		return;
	if (port->ip_active || port->ip_srights != 0 || port->ip_sorights != 0 ||
	    !queue_empty(&port->ip_messages))
		panic("ipc: last reference to port %p dropped while it has rights", port);
	ipc_ports_live--;
	zfree(ipc_port_zone, port);
}

void
ipc_pset_release(ipc_pset_t pset)
{
	if (--pset->ips_references != 0)
		return;
	ipc_psets_live--;
	zfree(ipc_pset_zone, pset);
}

void
ipc_port_set_pset(ipc_port_t port, ipc_pset_t pset)
{
	if (port->ip_pset != NULL)
		queue_remove(&port->ip_pset_link);
	port->ip_pset = pset;
	if (pset != NULL) {
		queue_enter(&pset->ips_members, &port->ip_pset_link);
		if (port->ip_msgcount != 0)
			ipc_wakeup(&pset->ips_members);
	}
}

/* Destroy a set whose name is going: its members leave it, its waiters wake. */
void
ipc_pset_destroy(ipc_pset_t pset)
{
	queue_chain_t *q;

	while ((q = queue_dequeue(&pset->ips_members)) != NULL)
		container_of(q, struct ipc_port, ip_pset_link)->ip_pset = NULL;
	pset->ips_active = false;
	ipc_wakeup(&pset->ips_members);
	ipc_pset_release(pset);
}

void
ipc_port_wakeup_senders(ipc_port_t port)
{
	ipc_wakeup(&port->ip_qlimit);
}

/* ---- notifications ---- */

ipc_kmsg_t
ipc_kmsg_alloc(mach_msg_size_t size, uint32_t ndesc)
{
	vm_size_t bytes = sizeof(struct ipc_kmsg) + ndesc * sizeof(struct ipc_kdesc) + size;
	ipc_kmsg_t kmsg = kalloc_zero(bytes);

	if (kmsg == NULL)
		return NULL;
	kmsg->ikm_alloc = bytes;
	kmsg->ikm_size = size;
	kmsg->ikm_ndesc = ndesc;
	kmsg->ikm_desc = (struct ipc_kdesc *)(kmsg + 1);
	kmsg->ikm_data = (uint8_t *)(kmsg->ikm_desc + ndesc);
	queue_init(&kmsg->ikm_link);
	return kmsg;
}

void
ipc_kmsg_free(ipc_kmsg_t kmsg)
{
	kfree(kmsg, kmsg->ikm_alloc);
}

void (*ipc_kobject_server_fn)(ipc_kmsg_t request);
static queue_head_t ipc_kobject_queue = QUEUE_HEAD_INITIALIZER(ipc_kobject_queue);

bool
ipc_kobject_pending(void)
{
	return !queue_empty(&ipc_kobject_queue);
}

void
ipc_kobject_drain(void)
{
	queue_chain_t *q;

	for (;;) {
		ipc_lock();
		q = queue_dequeue(&ipc_kobject_queue);
		if (q != NULL && ipc_kobject_server_fn == NULL) {
			ipc_kmsg_destroy_later(container_of(q, struct ipc_kmsg, ikm_link));
			q = NULL;
		}
		ipc_unlock();
		if (q == NULL)
			return;
		ipc_kobject_server_fn(container_of(q, struct ipc_kmsg, ikm_link));
	}
}

/* Queue kmsg on its destination, or destroy it if the destination is dead. Never waits. */
void
ipc_kmsg_deliver(ipc_kmsg_t kmsg)
{
	ipc_port_t port = kmsg->ikm_remote;

	if (!port->ip_active) {
		ipc_kmsg_destroy_later(kmsg);
		return;
	}
	if (port->ip_kotype != 0) {
		queue_enter(&ipc_kobject_queue, &kmsg->ikm_link);
		return;
	}
	queue_enter(&port->ip_messages, &kmsg->ikm_link);
	port->ip_msgcount++;
	ipc_wakeup(&port->ip_messages);
	if (port->ip_pset != NULL)
		ipc_wakeup(&port->ip_pset->ips_members);
}

/* A kernel message of size bytes to the send-once right so, with id; NULL if no memory. */
static ipc_kmsg_t
ipc_notify_msg(ipc_port_t so, mach_msg_id_t id, mach_msg_size_t size, bool complex)
{
	ipc_kmsg_t kmsg = ipc_kmsg_alloc(size, complex ? 1 : 0);
	mach_msg_header_t h = { 0 };

	if (kmsg == NULL) {
		klog(LOG_WARNING, "ipc: no memory for notification %d; dropped\n", id);
		ipc_port_release_sonce(so);
		return NULL;
	}
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0) |
		      (complex ? MACH_MSGH_BITS_COMPLEX : 0);
	h.msgh_size = size;
	h.msgh_id = id;
	memcpy(kmsg->ikm_data, &h, sizeof(h));
	kmsg->ikm_remote = so;
	return kmsg;
}

/* The NDR record that MIG-built receivers check: little-endian, ASCII, IEEE floats. */
static const NDR_record_t ipc_ndr = { 0, 0, 0, 0, 1, 0, 0, 0 };

static void
ipc_notify_name(ipc_port_t so, mach_msg_id_t id, uint32_t value)
{
	size_t sz = offsetof(mach_dead_name_notification_t, trailer);
	ipc_kmsg_t kmsg = ipc_notify_msg(so, id, sz, false);

	if (kmsg == NULL)
		return;
	memcpy(kmsg->ikm_data + offsetof(mach_dead_name_notification_t, NDR), &ipc_ndr,
	       sizeof(ipc_ndr));
	memcpy(kmsg->ikm_data + offsetof(mach_dead_name_notification_t, not_port), &value, 4);
	ipc_kmsg_deliver(kmsg);
}

void
ipc_notify_dead_name(ipc_port_t notify, mach_port_name_t name)
{
	ipc_notify_name(notify, MACH_NOTIFY_DEAD_NAME, name);
}

void
ipc_notify_port_deleted(ipc_port_t notify, mach_port_name_t name)
{
	ipc_notify_name(notify, MACH_NOTIFY_PORT_DELETED, name);
}

void
ipc_notify_no_senders(ipc_port_t notify, mach_port_mscount_t mscount)
{
	ipc_notify_name(notify, MACH_NOTIFY_NO_SENDERS, mscount);
}

/* Use up a send-once right that nobody replied on: its receiver hears MACH_NOTIFY_SEND_ONCE. */
void
ipc_notify_send_once(ipc_port_t port)
{
	ipc_kmsg_t kmsg;

	if (!port->ip_active) {
		ipc_port_release_sonce(port);
		return;
	}
	kmsg = ipc_notify_msg(port, MACH_NOTIFY_SEND_ONCE,
			      offsetof(mach_send_once_notification_t, trailer), false);
	if (kmsg != NULL)
		ipc_kmsg_deliver(kmsg);
}

/* Send the receive right of port to its port-destroyed request; false if that failed. */
static bool
ipc_notify_port_destroyed(ipc_port_t port)
{
	ipc_port_t so = port->ip_pdrequest;
	size_t sz = offsetof(mach_port_destroyed_notification_t, trailer);
	mach_msg_port_descriptor_t d = { 0 };
	mach_msg_body_t body = { 1 };
	ipc_kmsg_t kmsg;

	port->ip_pdrequest = NULL;
	if (!so->ip_active) {
		ipc_port_release_sonce(so);
		return false;
	}
	kmsg = ipc_notify_msg(so, MACH_NOTIFY_PORT_DESTROYED, sz, true);
	if (kmsg == NULL)
		return false;
	d.disposition = MACH_MSG_TYPE_PORT_RECEIVE;
	d.type = MACH_MSG_PORT_DESCRIPTOR;
	memcpy(kmsg->ikm_data + offsetof(mach_port_destroyed_notification_t, not_body), &body,
	       sizeof(body));
	memcpy(kmsg->ikm_data + offsetof(mach_port_destroyed_notification_t, not_port), &d,
	       sizeof(d));
	kmsg->ikm_desc[0].kd_off = offsetof(mach_port_destroyed_notification_t, not_port);
	kmsg->ikm_desc[0].kd_type = MACH_MSG_PORT_DESCRIPTOR;
	kmsg->ikm_desc[0].kd_right = MACH_MSG_TYPE_PORT_RECEIVE;
	kmsg->ikm_desc[0].kd_port = port;
	port->ip_receiver = NULL;
	port->ip_receiver_name = MACH_PORT_NULL;
	ipc_kmsg_deliver(kmsg);
	return true;
}

/* ---- rights ---- */

void
ipc_port_release_send(ipc_port_t port)
{
	ipc_port_t ns;

	if (port->ip_srights == 0)
		panic("ipc: send right released on port %p with none", port);
	if (--port->ip_srights == 0 && port->ip_active && (ns = port->ip_nsrequest) != NULL) {
		port->ip_nsrequest = NULL;
		ipc_notify_no_senders(ns, port->ip_mscount);
	}
	ipc_port_release(port);
}

void
ipc_port_make_send(ipc_port_t port)
{
	port->ip_mscount++;
	port->ip_srights++;
	ipc_port_reference(port);
}

void
ipc_port_release_sonce(ipc_port_t port)
{
	if (port->ip_sorights == 0)
		panic("ipc: send-once right released on port %p with none", port);
	port->ip_sorights--;
	ipc_port_release(port);
}

/*
 * The receive right of port is destroyed (its name went, or the message carrying it was
 * destroyed). With a port-destroyed request the right goes there instead; otherwise the port
 * dies: queued messages are destroyed, waiters wake, dead-name requests fire.
 */
void
ipc_port_destroy(ipc_port_t port)
{
	queue_chain_t *q;

	port->ip_receiver = NULL;
	port->ip_receiver_name = MACH_PORT_NULL;
	if (port->ip_pdrequest != NULL && ipc_notify_port_destroyed(port))
		return;
	ipc_port_set_pset(port, NULL);
	port->ip_active = false;
	while ((q = queue_dequeue(&port->ip_messages)) != NULL)
		ipc_kmsg_destroy_later(container_of(q, struct ipc_kmsg, ikm_link));
	port->ip_msgcount = 0;
	ipc_wakeup(&port->ip_messages);
	ipc_wakeup(&port->ip_qlimit);
	while ((q = queue_dequeue(&port->ip_dnrequests)) != NULL) {
		struct ipc_dnreq *dn = container_of(q, struct ipc_dnreq, dn_link);

		ipc_notify_dead_name(dn->dn_notify, dn->dn_name);
		kfree(dn, sizeof(*dn));
	}
	if (port->ip_nsrequest != NULL) {
		ipc_notify_send_once(port->ip_nsrequest);
		port->ip_nsrequest = NULL;
	}
	ipc_port_release(port);
}

void
ipc_object_destroy(ipc_port_t port, mach_msg_type_name_t type)
{
	if (port == NULL || port == IPC_PORT_DEAD_PTR)
		return;
	switch (type) {
	case MACH_MSG_TYPE_PORT_SEND:
		ipc_port_release_send(port);
		break;
	case MACH_MSG_TYPE_PORT_SEND_ONCE:
		ipc_notify_send_once(port);
		break;
	case MACH_MSG_TYPE_PORT_RECEIVE:
		ipc_port_destroy(port);
		break;
	default:
		panic("ipc: destroy of a right of type %u", type);
	}
}

void
ipc_port_release_right(ipc_port_t port, mach_msg_type_name_t type)
{
	ipc_lock();
	ipc_object_destroy(port, type);
	ipc_unlock();
}
