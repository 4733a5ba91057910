/*
 * io_service_test.c — unit tests for kernel/iokit/io_service.c: personality matching (each
 * key), scoring and probe, start failure falling back to the next driver, termination order,
 * notifications, late drivers, and the registry dump.
 */
// unit-deps: tests/unit/shim/kalloc_malloc.c kernel/libkern/os_object.c kernel/libkern/format.c
#include <criterion/criterion.h>
#include <stdio.h>
#include <iokit/io_service.h>

#include "../../shim/kalloc_malloc.h"

static char events[1024];

static void
ev(const char *fmt, const char *a)
{
	size_t n = strlen(events);
	snprintf(events + n, sizeof(events) - n, fmt, a);
}

static struct io_service *
nub(const char *cls, const char *name, uint16_t vendor, uint16_t device)
{
	struct io_service *s = io_service_create(cls, name, "1", NULL);

	cr_assert_not_null(s);
	if (vendor != 0) {
		os_dict_set_number(io_service_props(s), kIOPCIVendorKey, vendor, 16);
		os_dict_set_number(io_service_props(s), kIOPCIDeviceKey, device, 16);
	}
	return s;
}

static struct io_service *root;

static void
setup(void)
{
	events[0] = '\0';
	root = io_service_create("IOPlatformExpertDevice", "Root", "", NULL);
	cr_assert_eq(io_service_register(root), KERN_SUCCESS);
}

static void
teardown(void)
{
	io_catalog_reset();
	io_service_release(root);
	cr_expect_eq(kalloc_shim_live, 0, "leaked %zu bytes", kalloc_shim_live);
}

TestSuite(io_service, .init = setup, .fini = teardown);

static kern_return_t
start_ok(struct io_service *self, struct io_service *prov)
{
	ev("start:%s;", io_service_name(self));
	return KERN_SUCCESS;
}

static kern_return_t
start_fail(struct io_service *self, struct io_service *prov)
{
	ev("startfail:%s;", io_service_name(self));
	return KERN_FAILURE;
}

static void
stop_log(struct io_service *self, struct io_service *prov)
{
	ev("stop:%s;", io_service_name(self));
}

static kern_return_t
probe_boost(struct io_service *self, struct io_service *prov, int32_t *score)
{
	*score += 1000;
	return KERN_SUCCESS;
}

static kern_return_t
probe_refuse(struct io_service *self, struct io_service *prov, int32_t *score)
{
	return KERN_FAILURE;
}

Test(io_service, personality_keys)
{
	struct io_service *n = nub("IOPCIDevice", "pci1af4,1044", 0x1af4, 0x1044);
	int32_t sc = -1;

	os_dict_set_string(io_service_props(n), "IOName", "rng");
	os_dict_set_number(io_service_props(n), kIOVirtioDeviceKey, 4, 32);
	os_dict_set_string(io_service_props(n), "compat", "yes");

	struct io_match m = { .im_provider_class = "IOPCIDevice", .im_score = 7 };
	cr_expect(io_match_personality(&m, n, &sc));
	cr_expect_eq(sc, 7);
	m.im_provider_class = "IOService";
	cr_expect(io_match_personality(&m, n, &sc));
	m.im_provider_class = "IOPCI";
	cr_expect_not(io_match_personality(&m, n, &sc));
	m.im_provider_class = NULL;
	cr_expect_not(io_match_personality(&m, n, &sc));

	struct io_match nm = { .im_provider_class = "IOPCIDevice", .im_name_match = "rng" };
	cr_expect(io_match_personality(&nm, n, &sc));
	nm.im_name_match = "pci1af4,1044"; /* IOName wins over the registry name */
	cr_expect_not(io_match_personality(&nm, n, &sc));

	struct io_match pm = { .im_provider_class = "IOPCIDevice", .im_prop_key = "compat",
			       .im_prop_str = "yes" };
	cr_expect(io_match_personality(&pm, n, &sc));
	pm.im_prop_str = "no";
	cr_expect_not(io_match_personality(&pm, n, &sc));
	pm.im_prop_key = kIOVirtioDeviceKey;
	pm.im_prop_str = NULL;
	pm.im_prop_num = 4;
	cr_expect(io_match_personality(&pm, n, &sc));

	struct io_match pci = { .im_provider_class = "IOPCIDevice",
				.im_pci_match = 0x10401af4, .im_pci_mask = 0xffc0ffff };
	cr_expect(io_match_personality(&pci, n, &sc)); /* 0x1044 & 0xffc0 == 0x1040 */
	pci.im_pci_mask = 0xffffffff;
	cr_expect_not(io_match_personality(&pci, n, &sc));
	pci.im_pci_match = 0x10441af4;
	cr_expect(io_match_personality(&pci, n, &sc));

	struct io_match vm = { .im_provider_class = "IOPCIDevice", .im_virtio_type = 4 };
	cr_expect(io_match_personality(&vm, n, &sc));
	vm.im_virtio_type = 3;
	cr_expect_not(io_match_personality(&vm, n, &sc));
	io_service_release(n);
}

static const struct io_match m_low[] = { { .im_provider_class = "IOPCIDevice", .im_score = 10 } };
static const struct io_match m_high[] = {
	{ .im_provider_class = "IOPCIDevice", .im_score = 5 },
	{ .im_provider_class = "IOPCIDevice", .im_pci_match = 0x1af4, .im_pci_mask = 0xffff,
	  .im_score = 50 },
};
static const struct io_driver d_low = { "Low", NULL, m_low, 1, 0, NULL, start_ok, stop_log };
static const struct io_driver d_high = { "High", NULL, m_high, 2, 16, NULL, start_ok,
					 stop_log };
static const struct io_driver d_boost = { "Boost", NULL, m_low, 1, 0, probe_boost, start_ok,
					  stop_log };
static const struct io_driver d_refuse = { "Refuse", NULL, m_high, 2, 0, probe_refuse,
					   start_ok, stop_log };
static const struct io_driver d_fail = { "Fail", NULL, m_high, 2, 0, probe_boost, start_fail,
					 stop_log };

Test(io_service, highest_score_wins)
{
	struct io_service *n = nub("IOPCIDevice", "dev", 0x1af4, 1);

	cr_assert_eq(io_catalog_add(&d_low), KERN_SUCCESS);
	cr_assert_eq(io_catalog_add(&d_high), KERN_SUCCESS);
	cr_expect_eq(io_catalog_add(&d_high), KERN_NAME_EXISTS);
	io_service_attach(n, root);
	io_service_register(n);
	cr_assert_not_null(io_service_client(n));
	cr_expect_str_eq(io_service_name(io_service_client(n)), "High");
	cr_expect_not_null(io_service_softc(io_service_client(n)));
	cr_expect_str_eq(events, "start:High;");
	cr_expect(io_service_state(n) & IOS_MATCHED);
	io_service_release(n);
}

Test(io_service, probe_changes_score_and_refuses)
{
	struct io_service *n = nub("IOPCIDevice", "dev", 0x1af4, 1);

	io_catalog_add(&d_high);
	io_catalog_add(&d_refuse);
	io_catalog_add(&d_boost);
	io_service_attach(n, root);
	io_service_register(n);
	cr_expect_str_eq(io_service_name(io_service_client(n)), "Boost");
	uint64_t sc = 0;
	cr_expect(os_dict_get_number(io_service_props(io_service_client(n)), kIOProbeScoreKey,
				     &sc));
	cr_expect_eq(sc, 1010);
	io_service_release(n);
}

Test(io_service, start_failure_falls_back)
{
	struct io_service *n = nub("IOPCIDevice", "dev", 0x1af4, 1);

	io_catalog_add(&d_fail);
	io_catalog_add(&d_low);
	io_service_attach(n, root);
	io_service_register(n);
	cr_expect_str_eq(events, "startfail:Fail;start:Low;");
	cr_expect_str_eq(io_service_name(io_service_client(n)), "Low");
	io_service_release(n);
}

Test(io_service, late_driver_matches_waiting_nub)
{
	struct io_service *n = nub("IOPCIDevice", "dev", 0x8086, 1);

	io_service_attach(n, root);
	io_service_register(n);
	cr_expect_null(io_service_client(n));
	io_catalog_add(&d_high); /* matches by its class-only personality, score 5 */
	cr_assert_not_null(io_service_client(n));
	cr_expect_str_eq(io_service_name(io_service_client(n)), "High");
	io_service_release(n);
}

/* A bus driver that publishes two nubs of its own class "Child" when it starts. */
static kern_return_t
start_bus(struct io_service *self, struct io_service *prov)
{
	for (int i = 0; i < 2; i++) {
		struct io_service *c = io_service_create("ChildNub", i ? "c1" : "c0", "", NULL);
		io_service_attach(c, self);
		io_service_register(c);
		io_service_release(c);
	}
	return KERN_SUCCESS;
}

static const struct io_match m_bus[] = { { .im_provider_class = "IOPCIDevice" } };
static const struct io_match m_child[] = { { .im_provider_class = "ChildNub" } };
static const struct io_driver d_bus = { "Bus", NULL, m_bus, 1, 0, NULL, start_bus, stop_log };
static const struct io_driver d_child = { "Leaf", NULL, m_child, 1, 0, NULL, start_ok,
					  stop_log };

static int npub, nterm;
static void
on_pub(struct io_service *s, void *arg)
{
	npub++;
	ev("pub:%s;", io_service_name(s));
}

static void
on_term(struct io_service *s, void *arg)
{
	nterm++;
	ev("term:%s;", io_service_name(s));
}

Test(io_service, tree_terminate_order_and_notifications)
{
	struct io_service *n = nub("IOPCIDevice", "dev", 0x1af4, 1);

	io_catalog_add(&d_bus);
	io_catalog_add(&d_child);
	io_service_attach(n, root);
	npub = nterm = 0;
	struct io_notifier *p = io_notify_add(IO_NOTIFY_PUBLISH, "Leaf", on_pub, NULL);
	struct io_notifier *t = io_notify_add(IO_NOTIFY_TERMINATE, "ChildNub", on_term, NULL);
	io_service_register(n);
	cr_expect_eq(npub, 2);
	events[0] = '\0';
	io_service_terminate(n);
	/* Leaves stop before the bus driver; the nubs' terminate notifications follow. */
	cr_expect_str_eq(events, "stop:Leaf;term:c0;stop:Leaf;term:c1;stop:Bus;");
	cr_expect_eq(nterm, 2);
	cr_expect(io_service_state(n) & IOS_TERMINATED);
	cr_expect_null(io_service_client(n));
	cr_expect_null(io_service_provider(n));
	cr_expect_eq(io_service_register(n), KERN_INVALID_ARGUMENT);
	/* Existing services are reported to a new publish notification. */
	struct io_service *m = nub("IOPCIDevice", "dev2", 0x1af4, 1);
	io_service_attach(m, root);
	io_service_register(m);
	npub = 0;
	struct io_notifier *p2 = io_notify_add(IO_NOTIFY_PUBLISH, "ChildNub", on_pub, NULL);
	cr_expect_eq(npub, 2);
	io_notify_remove(p);
	io_notify_remove(t);
	io_notify_remove(p2);
	io_service_release(n);
	io_service_release(m);
}

static char dump[4096];
static void
pr(const char *line, void *arg)
{
	strncat(dump, line, sizeof(dump) - strlen(dump) - 2);
	strcat(dump, "\n");
}

Test(io_service, dump_shows_tree_and_properties)
{
	struct io_service *n = nub("IOPCIDevice", "pci1af4,1005", 0x1af4, 0x1005);

	io_catalog_add(&d_high);
	io_service_attach(n, root);
	io_service_register(n);
	dump[0] = '\0';
	io_registry_dump(root, true, pr, NULL);
	cr_expect_not_null(strstr(dump, "+-o Root  <class IOPlatformExpertDevice"), "%s", dump);
	cr_expect_not_null(strstr(dump, "| +-o pci1af4,1005@1  <class IOPCIDevice"), "%s", dump);
	cr_expect_not_null(strstr(dump, "\"vendor-id\" = 0x1af4"), "%s", dump);
	cr_expect_not_null(strstr(dump, "| | +-o High  <class High"), "%s", dump);
	cr_expect_not_null(strstr(dump, "\"IOClass\" = \"High\""), "%s", dump);
	dump[0] = '\0';
	io_registry_dump(root, false, pr, NULL);
	cr_expect_null(strstr(dump, "vendor-id"), "%s", dump);
	cr_expect_not_null(strstr(dump, "| | +-o High  <class High"), "%s", dump);
	io_service_release(n);
}

Test(io_service, attach_rules)
{
	struct io_service *a = nub("X", "a", 0, 0), *b = nub("X", "b", 0, 0);

	cr_expect_eq(io_service_attach(a, root), KERN_SUCCESS);
	cr_expect_eq(io_service_attach(a, b), KERN_INVALID_ARGUMENT);
	cr_expect_eq(io_service_attach(b, b), KERN_INVALID_ARGUMENT);
	cr_expect_eq(io_service_register(b), KERN_INVALID_ARGUMENT); /* not attached, not root */
	io_service_terminate(a);
	cr_expect_eq(io_service_attach(b, a), KERN_INVALID_ARGUMENT);
	io_service_release(a);
	io_service_release(b);
}

static int nkick, nquiet;

static void
count_kick(void)
{
	nkick++;
}

static void
count_quiet(void)
{
	nquiet++;
}

/* With a matching thread (here: the test, through the kick), registration only queues; the
 * drain matches in FIFO order, including nubs a starting bus driver publishes, and reports the
 * registry quiet once at the end. */
Test(io_service, matching_is_queued_until_drained)
{
	struct io_service *a = nub("IOPCIDevice", "a", 0x1af4, 1);
	struct io_service *b = nub("IOPCIDevice", "b", 0x1af4, 2);

	cr_assert_eq(io_catalog_add(&d_bus), KERN_SUCCESS);
	cr_assert_eq(io_catalog_add(&d_child), KERN_SUCCESS);
	nkick = nquiet = 0;
	io_matching_set_hooks(count_kick, count_quiet);
	io_service_attach(a, root);
	io_service_attach(b, root);
	io_service_register(a);
	io_service_register(b);
	cr_expect_eq(nkick, 2);
	cr_expect_eq(io_matching_busy(), 2);
	cr_expect_null(io_service_client(a), "matched in the caller, not on the drain");
	cr_expect_str_eq(events, "");

	io_matching_drain();
	io_matching_set_hooks(NULL, NULL);
	cr_expect_eq(io_matching_busy(), 0);
	cr_expect_eq(nquiet, 1);
	cr_expect_eq(nkick, 6, "each child nub published by the bus driver kicks too");
	cr_expect_str_eq(events, "start:Leaf;start:Leaf;start:Leaf;start:Leaf;");
	cr_expect_not_null(io_service_client(a));
	cr_expect_not_null(io_service_client(b));
	io_service_release(a);
	io_service_release(b);
}

/* A termination asked for from a context that must not stop drivers waits for the drain. */
Test(io_service, terminate_async_waits_for_the_drain)
{
	struct io_service *n = nub("IOPCIDevice", "dev", 0x1af4, 1);

	cr_assert_eq(io_catalog_add(&d_high), KERN_SUCCESS);
	io_service_attach(n, root);
	io_service_register(n);
	cr_assert_not_null(io_service_client(n));
	nkick = nquiet = 0;
	io_matching_set_hooks(count_kick, count_quiet);
	io_service_terminate_async(n);
	cr_expect_eq(nkick, 1);
	cr_expect_eq(io_matching_busy(), 1);
	cr_expect_not(io_service_state(n) & IOS_TERMINATED, "terminated in the caller");
	io_matching_drain();
	io_matching_set_hooks(NULL, NULL);
	cr_expect(io_service_state(n) & IOS_TERMINATED);
	cr_expect_null(io_service_client(n));
	cr_expect_eq(io_matching_busy(), 0);
	cr_expect_eq(nquiet, 1);
	cr_expect_str_eq(events, "start:High;stop:High;");
	io_service_release(n);
}
