/*
 * io_service.h — the I/O Registry and IOService: nubs, drivers, matching and notifications,
 * after XNU's IORegistryEntry/IOService/IOCatalogue, in C.
 *
 * The one idea: everything in the service plane is a struct io_service with a property
 * dictionary. A bus driver publishes a nub for each device it finds (io_service_register());
 * the catalogue of drivers is then matched against the nub's properties, each candidate's
 * personality gives a score, probe() may change it, and the highest-scoring driver that starts
 * becomes the nub's client, attached below it. That driver may in turn publish nubs.
 *
 * Driver personalities are static tables (struct io_match); a driver is a struct io_driver,
 * placed in the kernel's driver catalogue with IOKIT_DRIVER() or added by io_catalog_add().
 *
 * Matching is asynchronous, as in XNU: io_service_register() queues the nub and kicks the
 * matching thread (kernel/iokit/io_matching.c), which drains the queue; a driver that publishes
 * nubs from its start() therefore never nests matching on its own stack. Until a kick is
 * installed (early boot, hosted tests) the queue is drained in the caller, outermost call only.
 * io_catalog_add() re-matches waiting nubs in its caller.
 */
#ifndef _IOKIT_IO_SERVICE_H_
#define _IOKIT_IO_SERVICE_H_

#include <libkern/libkern.h>
#include <libkern/os_object.h>
#include <mach/kern/kern_return.h>

struct io_service;

/* Property keys (XNU's names where XNU has one). */
#define kIOClassKey	      "IOClass"
#define kIOProviderClassKey   "IOProviderClass"
#define kIONameMatchKey	      "IONameMatch"
#define kIOProbeScoreKey      "IOProbeScore"
#define kIONameKey	      "IOName"
#define kIOMatchedKey	      "IOMatchedPersonality"
#define kIOPCIVendorKey	      "vendor-id"
#define kIOPCIDeviceKey	      "device-id"
#define kIOVirtioDeviceKey    "virtio-device-id"

/*
 * One driver personality: the nub properties a driver wants. Every field that is set must
 * match. A zero/NULL field is not checked.
 *   im_provider_class  the nub's class or one of its superclasses (required).
 *   im_name_match      the nub's IOName or registry name, exactly.
 *   im_prop_key/...    IOPropertyMatch: the nub property im_prop_key is the string
 *                      im_prop_str, or (im_prop_str NULL) the number im_prop_num.
 *   im_pci_match/mask  IOPCIMatch: (device-id << 16 | vendor-id) & mask == match & mask.
 *   im_virtio_type     the virtio device id (virtio 1.2 §5), 0: not checked.
 *   im_score           IOProbeScore: the initial score; probe() may change it.
 */
struct io_match {
	const char *im_provider_class;
	const char *im_name_match;
	const char *im_prop_key;
	const char *im_prop_str;
	uint64_t im_prop_num;
	uint32_t im_pci_match, im_pci_mask;
	uint32_t im_virtio_type;
	int32_t im_score;
};

/*
 * A driver: its class name, its personalities, and its life-cycle functions, all called
 * without registry locks held:
 *   drv_probe(self, provider, &score)  optional; may raise or lower score (starts at the
 *       personality's im_score). Returns KERN_SUCCESS to stay a candidate.
 *   drv_start(self, provider)          claims the provider's device. A failure (anything but
 *       KERN_SUCCESS) must undo what it did; the next candidate is then tried.
 *   drv_stop(self, provider)           releases the device; called once, before termination.
 * drv_softc_size bytes of zeroed private state hang off self (io_service_softc()).
 */
struct io_driver {
	const char *drv_class;
	const char *drv_superclass; /* NULL: "IOService" */
	const struct io_match *drv_match;
	unsigned drv_nmatch;
	size_t drv_softc_size;
	kern_return_t (*drv_probe)(struct io_service *self, struct io_service *provider,
				   int32_t *score);
	kern_return_t (*drv_start)(struct io_service *self, struct io_service *provider);
	void (*drv_stop)(struct io_service *self, struct io_service *provider);
};

/* Put a driver in the kernel's catalogue (the .iokit_drivers section). */
#define IOKIT_DRIVER(var)                                                                       \
	static const struct io_driver *const iokit_drv_ptr_##var                               \
	    __attribute__((section(".iokit_drivers"), used, aligned(8))) = &(var)

/* Service states (is_state bits). */
#define IOS_REGISTERED	0x1 /* published: matching ran or runs on it */
#define IOS_MATCHED	0x2 /* a driver started on this nub */
#define IOS_STARTED	0x4 /* a driver instance whose start() succeeded */
#define IOS_TERMINATED	0x8

/*
 * io_service_create: a new nub (or, internally, driver instance) of class cls, with the
 * superclass chain given as a '/'-separated list (e.g. "IOPCIDevice" or "IOVirtioDevice"),
 * named name, located at loc ("" or "0,1"). bus_priv is the publishing bus's per-device data,
 * kept for its own use (io_service_bus_priv()). Returns one reference, or NULL when memory
 * is short. Properties are set with os_dict_set_*() on io_service_props().
 */
struct io_service *io_service_create(const char *cls, const char *name, const char *loc,
				     void *bus_priv);
void io_service_retain(struct io_service *s);
void io_service_release(struct io_service *s);

/*
 * io_service_attach: make child a child of parent in the service plane (the registry takes its
 * own reference to child). Returns KERN_SUCCESS, or KERN_INVALID_ARGUMENT when child already
 * has a parent or either is terminated.
 */
kern_return_t io_service_attach(struct io_service *child, struct io_service *parent);

/*
 * io_service_register: publish s (attached already, or the root) and queue it for matching:
 * publish notifications run now; the catalogue's drivers are tried in score order until one
 * starts, on the matching thread (or in the caller, see above).
 *   Returns: KERN_SUCCESS when s was published (whether or not a driver will match),
 *            KERN_INVALID_ARGUMENT when s is terminated or registered already.
 */
kern_return_t io_service_register(struct io_service *s);

/*
 * The matching queue. io_matching_set_hooks() installs kick (called after a nub is queued; it
 * must wake whoever drains) and quiet (called when the queue empties and nothing is being
 * matched). io_matching_drain() matches queued nubs until the queue is empty; nubs queued by
 * drivers started meanwhile are matched in the same call. io_matching_busy() counts nubs queued
 * or being matched: 0 means the registry is quiet (IOService::waitQuiet).
 */
void io_matching_set_hooks(void (*kick)(void), void (*quiet)(void));
void io_matching_drain(void);
unsigned io_matching_busy(void);

/*
 * io_service_terminate: take s out of service: its children are terminated first (clients
 * before providers), a started driver's stop() runs, terminate notifications run, and s is
 * detached from its parent. Idempotent. Must not be called from within s's own start().
 */
void io_service_terminate(struct io_service *s);

/*
 * io_service_terminate_async: the same, done later on the matching thread; for callers that
 * must not stop drivers themselves (interrupt handlers, a driver's own paths). Any context.
 * io_service_wait_quiet() returns once it is done.
 */
void io_service_terminate_async(struct io_service *s);

/* Accessors. The dictionary is the service's own; mutate only while no other CPU reads it. */
struct os_dict *io_service_props(struct io_service *s);
const char *io_service_name(const struct io_service *s);
/* io_service_class: the class chain, most-derived first ("IOPCIDevice", "VirtioRNG/IOService"). */
const char *io_service_class(const struct io_service *s);
const char *io_service_location(const struct io_service *s);
uint32_t io_service_id(const struct io_service *s);
uint32_t io_service_state(const struct io_service *s);
void *io_service_softc(struct io_service *s);
void *io_service_bus_priv(struct io_service *s);
struct io_service *io_service_provider(const struct io_service *s);
const struct io_driver *io_service_driver(const struct io_service *s);
/* The driver instance started on nub s (its client), or NULL. Not retained. */
struct io_service *io_service_client(const struct io_service *s);
/* Is s of class cls, or does cls appear in its superclass chain? ("IOService" always.) */
bool io_service_is_class(const struct io_service *s, const char *cls);

/* The root of the service plane (the Platform Expert nub), or NULL before it exists. */
struct io_service *io_registry_root(void);

/*
 * io_registry_walk: call fn(s, depth, arg) for every service below and including root,
 * parents before children, in attach order. Locks: takes the registry lock; fn must not
 * change the tree.
 */
void io_registry_walk(struct io_service *root, void (*fn)(struct io_service *, unsigned, void *),
		      void *arg);

/*
 * io_registry_dump: print the tree below root through pr, one line per service (name,
 * location, class, id, state) and, when props, one line per property.
 */
void io_registry_dump(struct io_service *root, bool props,
		      void (*pr)(const char *line, void *arg), void *arg);

/* The catalogue. io_catalog_add() also matches every published, unmatched nub again. */
kern_return_t io_catalog_add(const struct io_driver *drv);
/* io_catalog_reset: forget every driver and the root (hosted tests only). */
void io_catalog_reset(void);

/*
 * io_match_score: does personality m match nub? Pure: reads only nub's class and properties.
 *   Returns: true and *score = m->im_score when every set field of m matches.
 */
bool io_match_personality(const struct io_match *m, const struct io_service *nub,
			  int32_t *score);

/*
 * Notifications: fn(s, arg) runs when a service whose class (or superclass) is cls is
 * published (IO_NOTIFY_PUBLISH, also once for each such service already published when the
 * notification is added) or terminated (IO_NOTIFY_TERMINATE). Called without registry locks.
 */
enum io_notify_type { IO_NOTIFY_PUBLISH, IO_NOTIFY_TERMINATE };
typedef void (*io_notify_fn)(struct io_service *s, void *arg);
struct io_notifier;
struct io_notifier *io_notify_add(enum io_notify_type type, const char *cls, io_notify_fn fn,
				  void *arg);
void io_notify_remove(struct io_notifier *n);

#endif /* _IOKIT_IO_SERVICE_H_ */
