/*
 * io_service.c — the I/O Registry's service plane, the IOService life cycle, the driver
 * catalogue and matching, and publish/terminate notifications (io_service.h).
 *
 * Design: XNU iokit/Kernel/IOService.cpp, reduced to what a virtual machine needs: one plane,
 * one client per nub (every nub here is opened exclusively by its driver), probe scores as
 * IOKit computes them (personality score, then probe()), and termination that goes down the
 * tree first so a driver always stops before its provider.
 *
 * Locking: one registry spin lock guards the tree links, the catalogue and the notifier list.
 * Driver functions and notification callbacks run with no lock held. Registered nubs wait in
 * a FIFO for the matching thread (io_service.h).
 */
#include <console.h>
#include <iokit/io_service.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/locks.h>
#include <panic.h>

#define IOS_NAME_MAX  32
#define IOS_CLASS_MAX 96
#define IOS_LOC_MAX   16
#define IO_CATALOG_MAX 64
#define IO_MAX_CANDIDATES 16 /* drivers that may match one nub; matching nests on the stack */

struct io_service {
	uint32_t is_refs;
	uint32_t is_id;
	uint32_t is_state;			/* IOS_* */
	char is_name[IOS_NAME_MAX];
	char is_class[IOS_CLASS_MAX];		/* "Class/Superclass/..." */
	char is_loc[IOS_LOC_MAX];
	struct os_dict *is_props;
	struct io_service *is_parent;		/* the provider */
	struct io_service *is_first_child, *is_last_child, *is_next_sibling;
	struct io_service *is_client;		/* the driver instance started on this nub */
	const struct io_driver *is_driver;	/* set on driver instances */
	void *is_softc;
	void *is_bus_priv;
	uint32_t is_match_gen;			/* io_catalog_gen when last matched */
	struct io_service *is_match_next;	/* link in the matching queue */
	struct io_service *is_term_next;	/* link in the termination queue */
};

struct io_notifier {
	enum io_notify_type in_type;
	char in_class[IOS_CLASS_MAX];
	io_notify_fn in_fn;
	void *in_arg;
	struct io_notifier *in_next;
};

static lck_spin_t io_reg_lock = LCK_SPIN_INITIALIZER;
/* Work for the matching thread: nubs to match, and nubs to terminate out of interrupt context. */
struct io_workq {
	struct io_service *wq_head, *wq_tail;
	bool wq_terminate;
};
static struct io_workq io_match_q = { NULL, NULL, false };
static struct io_workq io_term_q = { NULL, NULL, true };
static unsigned io_match_busy;	 /* nubs queued or being matched */
static bool io_match_draining;	 /* a drain is running: registrations only queue */
static void (*io_match_kick)(void);
static void (*io_match_quiet)(void);
static struct io_service *io_root;
static uint32_t io_next_id = 0x100;
static const struct io_driver *io_catalog[IO_CATALOG_MAX];
static unsigned io_ncatalog;
static struct io_notifier *io_notifiers;
static uint32_t io_catalog_gen = 1;	/* bumped by every io_catalog_add() */

static void match_nub(struct io_service *nub);
static void rematch_all(void);

static void
copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src == NULL ? 0 : strnlen(src, cap - 1);

	if (n != 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

struct io_service *
io_service_create(const char *cls, const char *name, const char *loc, void *bus_priv)
{
	struct io_service *s = kalloc_zero(sizeof(*s));
	bool on;

	if (s == NULL)
		return NULL;
	s->is_props = os_dict_create(8);
	if (s->is_props == NULL) {
		kfree(s, sizeof(*s));
		return NULL;
	}
	s->is_refs = 1;
	copy_str(s->is_class, sizeof(s->is_class), cls);
	copy_str(s->is_name, sizeof(s->is_name), name);
	copy_str(s->is_loc, sizeof(s->is_loc), loc);
	s->is_bus_priv = bus_priv;
	on = lck_spin_lock_irqsave(&io_reg_lock);
	s->is_id = io_next_id++;
	lck_spin_unlock_irqrestore(&io_reg_lock, on);
	return s;
}

void
io_service_retain(struct io_service *s)
{
	uint32_t old = __atomic_fetch_add(&s->is_refs, 1, __ATOMIC_RELAXED);

	if (old == 0)
		panic("io_service_retain: service %#x already freed", s->is_id);
}

void
io_service_release(struct io_service *s)
{
	uint32_t old;

	if (s == NULL)
		return;
	old = __atomic_fetch_sub(&s->is_refs, 1, __ATOMIC_ACQ_REL);
	if (old == 0)
		panic("io_service_release: service %#x released too often", s->is_id);
	if (old != 1)
		return;
	assert(s->is_parent == NULL && s->is_first_child == NULL);
	os_release(OS_OBJ(s->is_props));
	if (s->is_softc != NULL)
		kfree(s->is_softc, s->is_driver->drv_softc_size);
	kfree(s, sizeof(*s));
}

struct os_dict *
io_service_props(struct io_service *s)
{
	return s->is_props;
}

const char *
io_service_name(const struct io_service *s)
{
	return s->is_name;
}

/* The class chain, most-derived first ("VirtioRNG/IOService"). */
const char *
io_service_class(const struct io_service *s)
{
	return s->is_class;
}

const char *
io_service_location(const struct io_service *s)
{
	return s->is_loc;
}

uint32_t
io_service_id(const struct io_service *s)
{
	return s->is_id;
}

uint32_t
io_service_state(const struct io_service *s)
{
	return __atomic_load_n(&s->is_state, __ATOMIC_ACQUIRE);
}

void *
io_service_softc(struct io_service *s)
{
	return s->is_softc;
}

void *
io_service_bus_priv(struct io_service *s)
{
	return s->is_bus_priv;
}

struct io_service *
io_service_provider(const struct io_service *s)
{
	return s->is_parent;
}

const struct io_driver *
io_service_driver(const struct io_service *s)
{
	return s->is_driver;
}

struct io_service *
io_service_client(const struct io_service *s)
{
	return s->is_client;
}

/* Does the '/'-separated chain contain cls as a whole element? */
static bool
chain_has(const char *chain, const char *cls)
{
	size_t n = strlen(cls);

	if (strcmp(cls, "IOService") == 0)
		return true;
	while (*chain != '\0') {
		const char *end = strchr(chain, '/');
		size_t len = end == NULL ? strlen(chain) : (size_t)(end - chain);

		if (len == n && strncmp(chain, cls, n) == 0)
			return true;
		if (end == NULL)
			break;
		chain = end + 1;
	}
	return false;
}

bool
io_service_is_class(const struct io_service *s, const char *cls)
{
	return cls != NULL && chain_has(s->is_class, cls);
}

struct io_service *
io_registry_root(void)
{
	return io_root;
}

kern_return_t
io_service_attach(struct io_service *child, struct io_service *parent)
{
	bool on = lck_spin_lock_irqsave(&io_reg_lock);

	if (child->is_parent != NULL || child == io_root || child == parent ||
	    ((child->is_state | parent->is_state) & IOS_TERMINATED) != 0) {
		lck_spin_unlock_irqrestore(&io_reg_lock, on);
		return KERN_INVALID_ARGUMENT;
	}
	io_service_retain(child);
	child->is_parent = parent;
	child->is_next_sibling = NULL;
	if (parent->is_last_child != NULL)
		parent->is_last_child->is_next_sibling = child;
	else
		parent->is_first_child = child;
	parent->is_last_child = child;
	lck_spin_unlock_irqrestore(&io_reg_lock, on);
	return KERN_SUCCESS;
}

/* Unlink s from its parent; the caller then drops the registry's reference. */
static bool
detach(struct io_service *s)
{
	bool on = lck_spin_lock_irqsave(&io_reg_lock);
	struct io_service *p = s->is_parent, *prev = NULL, *c;

	if (p == NULL) {
		lck_spin_unlock_irqrestore(&io_reg_lock, on);
		return false;
	}
	for (c = p->is_first_child; c != NULL && c != s; c = c->is_next_sibling)
		prev = c;
	assert(c == s);
	if (prev != NULL)
		prev->is_next_sibling = s->is_next_sibling;
	else
		p->is_first_child = s->is_next_sibling;
	if (p->is_last_child == s)
		p->is_last_child = prev;
	s->is_parent = NULL;
	s->is_next_sibling = NULL;
	lck_spin_unlock_irqrestore(&io_reg_lock, on);
	return true;
}

static void
notify(enum io_notify_type type, struct io_service *s)
{
	/*
	 * The list only grows at its head and notifiers are freed only by io_notify_remove(),
	 * which its owner does not call from its own callback.
	 * XXX: make removal safe against a concurrent walk once there are threads.
	 */
	for (struct io_notifier *n = __atomic_load_n(&io_notifiers, __ATOMIC_ACQUIRE); n != NULL;
	     n = n->in_next)
		if (n->in_type == type && io_service_is_class(s, n->in_class))
			n->in_fn(s, n->in_arg);
}

static struct io_service **
io_workq_link(const struct io_workq *q, struct io_service *s)
{
	return q->wq_terminate ? &s->is_term_next : &s->is_match_next;
}

/* Queue s (a reference is taken) for the matching thread. io_reg_lock held. */
static void
io_workq_push(struct io_workq *q, struct io_service *s)
{
	io_service_retain(s);
	*io_workq_link(q, s) = NULL;
	if (q->wq_tail != NULL)
		*io_workq_link(q, q->wq_tail) = s;
	else
		q->wq_head = s;
	q->wq_tail = s;
	io_match_busy++;
}

/* Wake the matching thread, or drain here while there is none (early boot, hosted tests). */
static void
io_workq_kick(void)
{
	if (io_match_kick != NULL)
		io_match_kick();
	else if (!io_match_draining)
		io_matching_drain();
}

kern_return_t
io_service_register(struct io_service *s)
{
	bool on = lck_spin_lock_irqsave(&io_reg_lock);

	if ((s->is_state & (IOS_TERMINATED | IOS_REGISTERED)) != 0 ||
	    (s->is_parent == NULL && io_root != NULL && io_root != s)) {
		lck_spin_unlock_irqrestore(&io_reg_lock, on);
		return KERN_INVALID_ARGUMENT;
	}
	if (s->is_parent == NULL && io_root == NULL) {
		io_service_retain(s);
		io_root = s;
	}
	__atomic_or_fetch(&s->is_state, IOS_REGISTERED, __ATOMIC_RELEASE);
	/* Queued before the notifications run, so a waiter never sees a quiet registry that
	 * is about to get a driver. */
	io_workq_push(&io_match_q, s);
	lck_spin_unlock_irqrestore(&io_reg_lock, on);
	notify(IO_NOTIFY_PUBLISH, s);
	io_workq_kick();
	return KERN_SUCCESS;
}

void
io_matching_set_hooks(void (*kick)(void), void (*quiet)(void))
{
	io_match_quiet = quiet;
	__atomic_store_n(&io_match_kick, kick, __ATOMIC_RELEASE);
	if (kick != NULL && io_matching_busy() != 0)
		kick();
}

void
io_service_terminate_async(struct io_service *s)
{
	bool on = lck_spin_lock_irqsave(&io_reg_lock);

	io_workq_push(&io_term_q, s);
	lck_spin_unlock_irqrestore(&io_reg_lock, on);
	io_workq_kick();
}

/* Match or terminate the oldest nub of q. Returns false when q was empty. */
static bool
io_workq_run_one(struct io_workq *q)
{
	bool on = lck_spin_lock_irqsave(&io_reg_lock);
	struct io_service *s = q->wq_head;
	bool quiet;

	if (s == NULL) {
		lck_spin_unlock_irqrestore(&io_reg_lock, on);
		return false;
	}
	q->wq_head = *io_workq_link(q, s);
	if (q->wq_head == NULL)
		q->wq_tail = NULL;
	lck_spin_unlock_irqrestore(&io_reg_lock, on);

	if (q->wq_terminate)
		io_service_terminate(s);
	else
		match_nub(s);
	io_service_release(s);

	on = lck_spin_lock_irqsave(&io_reg_lock);
	quiet = --io_match_busy == 0;
	lck_spin_unlock_irqrestore(&io_reg_lock, on);
	if (quiet && io_match_quiet != NULL)
		io_match_quiet();
	return true;
}

void
io_matching_drain(void)
{
	io_match_draining = true;
	/* Terminations first: a device that failed should not get a driver matched below it. */
	do {
		while (io_workq_run_one(&io_term_q))
			;
	} while (io_workq_run_one(&io_match_q));
	io_match_draining = false;
}

unsigned
io_matching_busy(void)
{
	return __atomic_load_n(&io_match_busy, __ATOMIC_ACQUIRE);
}

void
io_service_terminate(struct io_service *s)
{
	struct io_service *c, *p;

	if ((__atomic_fetch_or(&s->is_state, IOS_TERMINATED, __ATOMIC_ACQ_REL) &
	     IOS_TERMINATED) != 0)
		return;
	io_service_retain(s);
	for (;;) {
		bool on = lck_spin_lock_irqsave(&io_reg_lock);
		c = s->is_first_child;
		if (c != NULL)
			io_service_retain(c);
		lck_spin_unlock_irqrestore(&io_reg_lock, on);
		if (c == NULL)
			break;
		io_service_terminate(c);
		/* A child terminated earlier but still attached is detached here. */
		if (detach(c))
			io_service_release(c);
		io_service_release(c);
	}
	p = s->is_parent;
	if (s->is_driver != NULL && (s->is_state & IOS_STARTED) != 0) {
		if (s->is_driver->drv_stop != NULL)
			s->is_driver->drv_stop(s, p);
		__atomic_and_fetch(&s->is_state, ~(uint32_t)IOS_STARTED, __ATOMIC_RELEASE);
		if (p != NULL && p->is_client == s) {
			p->is_client = NULL;
			__atomic_and_fetch(&p->is_state, ~(uint32_t)IOS_MATCHED, __ATOMIC_RELEASE);
		}
	}
	if ((s->is_state & IOS_REGISTERED) != 0)
		notify(IO_NOTIFY_TERMINATE, s);
	if (detach(s))
		io_service_release(s);
	if (s == io_root) {
		io_root = NULL;
		io_service_release(s);
	}
	io_service_release(s);
}

bool
io_match_personality(const struct io_match *m, const struct io_service *nub, int32_t *score)
{
	const struct os_dict *props = nub->is_props;
	uint64_t v, d;

	if (m->im_provider_class == NULL || !io_service_is_class(nub, m->im_provider_class))
		return false;
	if (m->im_name_match != NULL) {
		const char *n = os_dict_get_string(props, kIONameKey);
		if (strcmp(m->im_name_match, n != NULL ? n : nub->is_name) != 0)
			return false;
	}
	if (m->im_prop_key != NULL) {
		struct os_object *o = os_dict_get(props, m->im_prop_key);
		if (m->im_prop_str != NULL) {
			struct os_string *s = os_as_string(o);
			if (s == NULL || strcmp(os_string_cstr(s), m->im_prop_str) != 0)
				return false;
		} else {
			struct os_number *n = os_as_number(o);
			if (n == NULL || os_number_value(n) != m->im_prop_num)
				return false;
		}
	}
	if (m->im_pci_mask != 0) {
		if (!os_dict_get_number(props, kIOPCIVendorKey, &v) ||
		    !os_dict_get_number(props, kIOPCIDeviceKey, &d))
			return false;
		if ((((d & 0xffff) << 16 | (v & 0xffff)) & m->im_pci_mask) !=
		    (m->im_pci_match & m->im_pci_mask))
			return false;
	}
	if (m->im_virtio_type != 0) {
		if (!os_dict_get_number(props, kIOVirtioDeviceKey, &v) || v != m->im_virtio_type)
			return false;
	}
	*score = m->im_score;
	return true;
}

struct candidate {
	const struct io_driver *c_drv;
	const struct io_match *c_match;
	int32_t c_score;
	struct io_service *c_inst;
};

/* A driver instance for drv on nub, not yet attached. */
static struct io_service *
instance_create(const struct io_driver *drv, const struct io_match *m, int32_t score)
{
	char cls[IOS_CLASS_MAX];
	struct io_service *inst;

	ksnprintf(cls, sizeof(cls), "%s/%s", drv->drv_class,
		  drv->drv_superclass != NULL ? drv->drv_superclass : "IOService");
	inst = io_service_create(cls, drv->drv_class, "", NULL);
	if (inst == NULL)
		return NULL;
	inst->is_driver = drv;
	if (drv->drv_softc_size != 0) {
		inst->is_softc = kalloc_zero(drv->drv_softc_size);
		if (inst->is_softc == NULL) {
			io_service_release(inst);
			return NULL;
		}
	}
	if (os_dict_set_string(inst->is_props, kIOClassKey, drv->drv_class) != KERN_SUCCESS ||
	    os_dict_set_string(inst->is_props, kIOProviderClassKey, m->im_provider_class) !=
		KERN_SUCCESS ||
	    os_dict_set_number(inst->is_props, kIOProbeScoreKey, (uint64_t)(int64_t)score, 32) !=
		KERN_SUCCESS) {
		io_service_release(inst);
		return NULL;
	}
	return inst;
}

static void
match_nub(struct io_service *nub)
{
	struct candidate cand[IO_MAX_CANDIDATES];
	unsigned n = 0, ncat;
	bool on;

	if ((io_service_state(nub) & (IOS_REGISTERED | IOS_MATCHED | IOS_TERMINATED)) !=
	    IOS_REGISTERED)
		return;
	on = lck_spin_lock_irqsave(&io_reg_lock);
	ncat = io_ncatalog;
	nub->is_match_gen = io_catalog_gen;
	lck_spin_unlock_irqrestore(&io_reg_lock, on);

	/* Each driver's best personality is its candidate. */
	for (unsigned i = 0; i < ncat; i++) {
		const struct io_driver *drv = io_catalog[i];
		const struct io_match *best = NULL;
		int32_t best_score = 0, sc;

		for (unsigned j = 0; j < drv->drv_nmatch; j++) {
			if (io_match_personality(&drv->drv_match[j], nub, &sc) &&
			    (best == NULL || sc > best_score)) {
				best = &drv->drv_match[j];
				best_score = sc;
			}
		}
		if (best == NULL)
			continue;
		if (n == IO_MAX_CANDIDATES) {
			klog(LOG_WARNING, "iokit: more than %u drivers match %s; %s not tried\n",
			     IO_MAX_CANDIDATES, nub->is_name, drv->drv_class);
			continue;
		}
		cand[n++] = (struct candidate){ drv, best, best_score, NULL };
	}

	/* Probe: each candidate may change its score or withdraw. */
	for (unsigned i = 0; i < n; i++) {
		struct candidate *c = &cand[i];

		c->c_inst = instance_create(c->c_drv, c->c_match, c->c_score);
		if (c->c_inst == NULL) {
			klog(LOG_ERR, "iokit: no memory for a %s instance on %s\n",
			     c->c_drv->drv_class, nub->is_name);
			continue;
		}
		if (c->c_drv->drv_probe != NULL &&
		    c->c_drv->drv_probe(c->c_inst, nub, &c->c_score) != KERN_SUCCESS) {
			io_service_release(c->c_inst);
			c->c_inst = NULL;
			continue;
		}
		(void)os_dict_set_number(c->c_inst->is_props, kIOProbeScoreKey,
					 (uint64_t)(int64_t)c->c_score, 32);
	}

	/* Start in score order (insertion sort keeps catalogue order among equals). */
	for (unsigned i = 1; i < n; i++) {
		struct candidate t = cand[i];
		unsigned j = i;
		for (; j > 0 && cand[j - 1].c_score < t.c_score; j--)
			cand[j] = cand[j - 1];
		cand[j] = t;
	}
	for (unsigned i = 0; i < n; i++) {
		struct io_service *inst = cand[i].c_inst;
		kern_return_t kr;

		if (inst == NULL)
			continue;
		cand[i].c_inst = NULL;
		if ((io_service_state(nub) & (IOS_MATCHED | IOS_TERMINATED)) != 0 ||
		    io_service_attach(inst, nub) != KERN_SUCCESS) {
			io_service_release(inst);
			continue;
		}
		/* The client is set before start() so that nubs start() publishes see it. */
		nub->is_client = inst;
		__atomic_or_fetch(&nub->is_state, IOS_MATCHED, __ATOMIC_RELEASE);
		__atomic_or_fetch(&inst->is_state, IOS_STARTED, __ATOMIC_RELEASE);
		kr = cand[i].c_drv->drv_start(inst, nub);
		if (kr != KERN_SUCCESS) {
			klog(LOG_WARNING, "iokit: %s failed to start on %s@%s (%d)\n",
			     cand[i].c_drv->drv_class, nub->is_name, nub->is_loc, kr);
			__atomic_and_fetch(&inst->is_state, ~(uint32_t)IOS_STARTED,
					   __ATOMIC_RELEASE);
			nub->is_client = NULL;
			__atomic_and_fetch(&nub->is_state, ~(uint32_t)IOS_MATCHED,
					   __ATOMIC_RELEASE);
			/* Anything start() published below inst goes with it. */
			io_service_terminate(inst);
			io_service_release(inst);
			continue;
		}
		klog(LOG_INFO, "iokit: %s@%s matched %s (score %d)\n", nub->is_name,
		     nub->is_loc[0] != '\0' ? nub->is_loc : "-", cand[i].c_drv->drv_class,
		     (int)cand[i].c_score);
		__atomic_or_fetch(&inst->is_state, IOS_REGISTERED, __ATOMIC_RELEASE);
		notify(IO_NOTIFY_PUBLISH, inst);
		io_service_release(inst);
	}
}

kern_return_t
io_catalog_add(const struct io_driver *drv)
{
	bool on;

	if (drv == NULL || drv->drv_class == NULL || drv->drv_start == NULL ||
	    (drv->drv_nmatch != 0 && drv->drv_match == NULL))
		return KERN_INVALID_ARGUMENT;
	on = lck_spin_lock_irqsave(&io_reg_lock);
	for (unsigned i = 0; i < io_ncatalog; i++) {
		if (io_catalog[i] == drv) {
			lck_spin_unlock_irqrestore(&io_reg_lock, on);
			return KERN_NAME_EXISTS;
		}
	}
	if (io_ncatalog == IO_CATALOG_MAX) {
		lck_spin_unlock_irqrestore(&io_reg_lock, on);
		klog(LOG_ERR, "iokit: catalogue full; driver %s not added\n", drv->drv_class);
		return KERN_NO_SPACE;
	}
	io_catalog[io_ncatalog++] = drv;
	io_catalog_gen++;
	lck_spin_unlock_irqrestore(&io_reg_lock, on);
	rematch_all();
	return KERN_SUCCESS;
}

/* The first published, driverless nub below s not yet matched against this catalogue. */
static struct io_service *
find_unmatched(struct io_service *s)
{
	struct io_service *r;

	if ((s->is_state & (IOS_REGISTERED | IOS_MATCHED | IOS_TERMINATED)) == IOS_REGISTERED &&
	    s->is_driver == NULL && s->is_match_gen != io_catalog_gen)
		return s;
	for (struct io_service *c = s->is_first_child; c != NULL; c = c->is_next_sibling)
		if ((r = find_unmatched(c)) != NULL)
			return r;
	return NULL;
}

/* Match every published nub without a driver again (a driver joined the catalogue). */
static void
rematch_all(void)
{
	for (;;) {
		bool on = lck_spin_lock_irqsave(&io_reg_lock);
		struct io_service *s = io_root == NULL ? NULL : find_unmatched(io_root);

		if (s != NULL) {
			io_service_retain(s);
			s->is_match_gen = io_catalog_gen;
		}
		lck_spin_unlock_irqrestore(&io_reg_lock, on);
		if (s == NULL)
			return;
		match_nub(s);
		io_service_release(s);
	}
}

void
io_catalog_reset(void)
{
	struct io_service *r = io_root;

	if (r != NULL)
		io_service_terminate(r);
	while (io_notifiers != NULL)
		io_notify_remove(io_notifiers);
	io_ncatalog = 0;
	io_catalog_gen++;
}

static void
walk(struct io_service *s, unsigned depth, void (*fn)(struct io_service *, unsigned, void *),
     void *arg)
{
	fn(s, depth, arg);
	for (struct io_service *c = s->is_first_child; c != NULL; c = c->is_next_sibling)
		walk(c, depth + 1, fn, arg);
}

void
io_registry_walk(struct io_service *root, void (*fn)(struct io_service *, unsigned, void *),
		 void *arg)
{
	bool on;

	if (root == NULL)
		return;
	on = lck_spin_lock_irqsave(&io_reg_lock);
	walk(root, 0, fn, arg);
	lck_spin_unlock_irqrestore(&io_reg_lock, on);
}

struct dump_ctx {
	void (*pr)(const char *line, void *arg);
	void *arg;
	bool props;
};

static void
dump_one(struct io_service *s, unsigned depth, void *arg)
{
	struct dump_ctx *dc = arg;
	char line[320], val[224], ind[2 * 24 + 1];
	unsigned d = MIN(depth, 24u);
	const char *slash = strchr(s->is_class, '/');
	int clen = slash == NULL ? (int)strlen(s->is_class) : (int)(slash - s->is_class);

	for (unsigned i = 0; i < d; i++)
		memcpy(&ind[2 * i], "| ", 2);
	ind[2 * d] = '\0';
	ksnprintf(line, sizeof(line), "%s+-o %s%s%s  <class %.*s, id %#x%s%s%s%s>", ind,
		  s->is_name, s->is_loc[0] != '\0' ? "@" : "", s->is_loc, clen, s->is_class,
		  s->is_id, (s->is_state & IOS_REGISTERED) ? ", registered" : "",
		  (s->is_state & IOS_MATCHED) ? ", matched" : "",
		  (s->is_state & IOS_STARTED) ? ", started" : "",
		  (s->is_state & IOS_TERMINATED) ? ", terminated" : "");
	dc->pr(line, dc->arg);
	for (unsigned i = 0; dc->props && i < os_dict_count(s->is_props); i++) {
		size_t n = os_serialize(os_dict_value_at(s->is_props, i), val, sizeof(val));
		ksnprintf(line, sizeof(line), "%s%s    \"%s\" = %s%s", ind,
			  s->is_first_child != NULL ? "|" : " ", os_dict_key_at(s->is_props, i),
			  val, n >= sizeof(val) ? "..." : "");
		dc->pr(line, dc->arg);
	}
}

void
io_registry_dump(struct io_service *root, bool props, void (*pr)(const char *line, void *arg),
		 void *arg)
{
	struct dump_ctx dc = { pr, arg, props };

	io_registry_walk(root, dump_one, &dc);
}

struct notify_existing {
	struct io_notifier *ne_n;
	struct io_service *ne_list[256];
	unsigned ne_count;
};

static void
collect_existing(struct io_service *s, unsigned depth, void *arg)
{
	struct notify_existing *ne = arg;

	if ((s->is_state & (IOS_REGISTERED | IOS_TERMINATED)) == IOS_REGISTERED &&
	    io_service_is_class(s, ne->ne_n->in_class) && ne->ne_count < ARRAY_SIZE(ne->ne_list)) {
		io_service_retain(s);
		ne->ne_list[ne->ne_count++] = s;
	}
}

struct io_notifier *
io_notify_add(enum io_notify_type type, const char *cls, io_notify_fn fn, void *arg)
{
	struct io_notifier *n = kalloc_zero(sizeof(*n));
	struct notify_existing *ne;
	bool on;

	if (n == NULL || cls == NULL || fn == NULL) {
		kfree(n, sizeof(*n));
		return NULL;
	}
	n->in_type = type;
	copy_str(n->in_class, sizeof(n->in_class), cls);
	n->in_fn = fn;
	n->in_arg = arg;
	on = lck_spin_lock_irqsave(&io_reg_lock);
	n->in_next = io_notifiers;
	__atomic_store_n(&io_notifiers, n, __ATOMIC_RELEASE);
	lck_spin_unlock_irqrestore(&io_reg_lock, on);

	if (type != IO_NOTIFY_PUBLISH)
		return n;
	/* As in XNU, a publish notification first reports what is published already. */
	ne = kalloc(sizeof(*ne));
	if (ne == NULL) {
		klog(LOG_ERR, "iokit: no memory to report existing %s services\n", cls);
		return n;
	}
	ne->ne_n = n;
	ne->ne_count = 0;
	io_registry_walk(io_root, collect_existing, ne);
	for (unsigned i = 0; i < ne->ne_count; i++) {
		fn(ne->ne_list[i], arg);
		io_service_release(ne->ne_list[i]);
	}
	kfree(ne, sizeof(*ne));
	return n;
}

void
io_notify_remove(struct io_notifier *n)
{
	bool on;
	struct io_notifier **pp;

	if (n == NULL)
		return;
	on = lck_spin_lock_irqsave(&io_reg_lock);
	for (pp = &io_notifiers; *pp != NULL && *pp != n; pp = &(*pp)->in_next)
		;
	if (*pp == n)
		*pp = n->in_next;
	lck_spin_unlock_irqrestore(&io_reg_lock, on);
	kfree(n, sizeof(*n));
}
