/*
 * os_object_test.c — unit tests for kernel/libkern/os_object.c: reference counting, each
 * container, equality, serialisation, and behaviour when kalloc fails.
 */
// unit-deps: tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <criterion/criterion.h>
#include <stdio.h>
#include <libkern/os_object.h>

#include "../../shim/kalloc_malloc.h"

static size_t live_at_start;

static void
setup(void)
{
	live_at_start = kalloc_shim_live;
	kalloc_shim_fail_after = ~0u;
}

static void
teardown(void)
{
	kalloc_shim_fail_after = ~0u;
	cr_expect_eq(kalloc_shim_live, live_at_start, "leaked %zu bytes",
		     kalloc_shim_live - live_at_start);
}

TestSuite(os_object, .init = setup, .fini = teardown);

Test(os_object, string_basics)
{
	struct os_string *s = os_string_create("virtio");

	cr_assert_not_null(s);
	cr_expect_str_eq(os_string_cstr(s), "virtio");
	cr_expect_eq(os_string_len(s), 6);
	cr_expect_eq(os_type(OS_OBJ(s)), OS_TYPE_STRING);
	cr_expect_eq(os_refcount(OS_OBJ(s)), 1);
	os_retain(OS_OBJ(s));
	cr_expect_eq(os_refcount(OS_OBJ(s)), 2);
	os_release(OS_OBJ(s));
	os_release(OS_OBJ(s));
	cr_expect_null(os_string_create(NULL));
}

Test(os_object, number_truncates_to_width)
{
	struct os_number *n = os_number_create(0x12345, 16);

	cr_expect_eq(os_number_value(n), 0x2345);
	cr_expect_eq(os_number_bits(n), 16);
	os_release(OS_OBJ(n));
	n = os_number_create(~0ull, 64);
	cr_expect_eq(os_number_value(n), ~0ull);
	os_release(OS_OBJ(n));
	n = os_number_create(0x1ff, 3);
	cr_expect_eq(os_number_bits(n), 8);
	cr_expect_eq(os_number_value(n), 0xff);
	os_release(OS_OBJ(n));
}

Test(os_object, booleans_are_shared_and_immortal)
{
	struct os_boolean *t = os_boolean_get(true);

	cr_expect_eq(t, os_boolean_get(true));
	cr_expect_neq(t, os_boolean_get(false));
	os_release(OS_OBJ(t));
	os_release(OS_OBJ(t));
	cr_expect(os_boolean_value(os_boolean_get(true)));
	cr_expect_not(os_boolean_value(os_boolean_get(false)));
}

Test(os_object, data_copies_bytes)
{
	uint8_t b[3] = { 1, 2, 3 };
	struct os_data *d = os_data_create(b, 3);

	b[0] = 9;
	cr_expect_eq(os_data_len(d), 3);
	cr_expect_eq(((const uint8_t *)os_data_bytes(d))[0], 1);
	os_release(OS_OBJ(d));
	d = os_data_create(NULL, 0);
	cr_assert_not_null(d);
	cr_expect_eq(os_data_len(d), 0);
	os_release(OS_OBJ(d));
	cr_expect_null(os_data_create(NULL, 4));
}

Test(os_object, array_retains_and_releases)
{
	struct os_array *a = os_array_create(0);
	struct os_string *s = os_string_create("x");

	for (int i = 0; i < 100; i++)
		cr_assert_eq(os_array_append(a, OS_OBJ(s)), KERN_SUCCESS);
	cr_expect_eq(os_array_count(a), 100);
	cr_expect_eq(os_refcount(OS_OBJ(s)), 101);
	cr_expect_eq(os_array_get(a, 99), OS_OBJ(s));
	cr_expect_null(os_array_get(a, 100));
	cr_expect(os_array_remove(a, 0));
	cr_expect_not(os_array_remove(a, 99));
	cr_expect_eq(os_refcount(OS_OBJ(s)), 100);
	cr_expect_eq(os_array_append(a, OS_OBJ(a)), KERN_INVALID_ARGUMENT);
	cr_expect_eq(os_array_append(a, NULL), KERN_INVALID_ARGUMENT);
	cr_expect_eq(os_array_find(a, OS_OBJ(s)), 0);
	os_release(OS_OBJ(a));
	cr_expect_eq(os_refcount(OS_OBJ(s)), 1);
	os_release(OS_OBJ(s));
}

Test(os_object, array_remove_keeps_order)
{
	struct os_array *a = os_array_create(2);

	for (int i = 0; i < 5; i++) {
		struct os_number *n = os_number_create((uint64_t)i, 32);
		os_array_append(a, OS_OBJ(n));
		os_release(OS_OBJ(n));
	}
	os_array_remove(a, 2);
	cr_expect_eq(os_number_value(os_as_number(os_array_get(a, 2))), 3);
	cr_expect_eq(os_number_value(os_as_number(os_array_get(a, 3))), 4);
	os_release(OS_OBJ(a));
}

Test(os_object, dict_set_get_replace_remove)
{
	struct os_dict *d = os_dict_create(1);
	uint64_t v = 0;

	cr_assert_eq(os_dict_set_string(d, "IOProviderClass", "IOPCIDevice"), KERN_SUCCESS);
	cr_assert_eq(os_dict_set_number(d, "vendor-id", 0x1af4, 16), KERN_SUCCESS);
	cr_assert_eq(os_dict_set_bool(d, "msix", true), KERN_SUCCESS);
	cr_expect_eq(os_dict_count(d), 3);
	cr_expect_str_eq(os_dict_get_string(d, "IOProviderClass"), "IOPCIDevice");
	cr_expect(os_dict_get_number(d, "vendor-id", &v));
	cr_expect_eq(v, 0x1af4);
	cr_expect_null(os_dict_get_string(d, "vendor-id"));
	cr_expect_not(os_dict_get_number(d, "nope", &v));
	cr_expect_eq(os_dict_set_number(d, "vendor-id", 0x8086, 16), KERN_SUCCESS);
	cr_expect_eq(os_dict_count(d), 3);
	os_dict_get_number(d, "vendor-id", &v);
	cr_expect_eq(v, 0x8086);
	cr_expect_str_eq(os_dict_key_at(d, 1), "vendor-id");
	cr_expect(os_dict_remove(d, "IOProviderClass"));
	cr_expect_not(os_dict_remove(d, "IOProviderClass"));
	cr_expect_str_eq(os_dict_key_at(d, 0), "vendor-id");
	cr_expect_null(os_dict_key_at(d, 2));
	cr_expect_eq(os_dict_set(d, "self", OS_OBJ(d)), KERN_INVALID_ARGUMENT);
	cr_expect_eq(os_dict_set(d, NULL, OS_OBJ(os_boolean_get(true))), KERN_INVALID_ARGUMENT);
	os_release(OS_OBJ(d));
}

Test(os_object, dict_grows_past_capacity)
{
	struct os_dict *d = os_dict_create(0);
	char key[16];
	uint64_t v;

	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		cr_assert_eq(os_dict_set_number(d, key, (uint64_t)i, 32), KERN_SUCCESS);
	}
	cr_expect_eq(os_dict_count(d), 200);
	cr_expect(os_dict_get_number(d, "k137", &v));
	cr_expect_eq(v, 137);
	os_release(OS_OBJ(d));
}

Test(os_object, deep_equality)
{
	struct os_dict *a = os_dict_create(0), *b = os_dict_create(0);
	struct os_array *xa = os_array_create(0), *xb = os_array_create(0);

	os_dict_set_string(a, "name", "pci");
	os_dict_set_string(b, "name", "pci");
	os_dict_set_number(a, "n", 5, 8);
	os_dict_set_number(b, "n", 5, 32); /* width does not matter, value does */
	os_array_append(xa, OS_OBJ(a));
	os_array_append(xb, OS_OBJ(b));
	cr_expect(os_equal(OS_OBJ(xa), OS_OBJ(xb)));
	os_dict_set_data(b, "d", "\x01", 1);
	cr_expect_not(os_equal(OS_OBJ(xa), OS_OBJ(xb)));
	os_dict_set_data(a, "d", "\x02", 1);
	cr_expect_not(os_equal(OS_OBJ(a), OS_OBJ(b)));
	cr_expect_not(os_equal(OS_OBJ(a), NULL));
	cr_expect_not(os_equal(OS_OBJ(os_boolean_get(true)), OS_OBJ(os_boolean_get(false))));
	os_release(OS_OBJ(xa));
	os_release(OS_OBJ(xb));
	os_release(OS_OBJ(a));
	os_release(OS_OBJ(b));
}

Test(os_object, serialize_text)
{
	struct os_dict *d = os_dict_create(0);
	struct os_array *a = os_array_create(0);
	struct os_string *s = os_string_create("a\"b\n");
	char buf[256];
	size_t n;

	os_array_append(a, OS_OBJ(s));
	os_array_append(a, OS_OBJ(os_boolean_get(false)));
	os_dict_set_number(d, "vendor-id", 0x1af4, 16);
	os_dict_set_data(d, "reg", "\x00\xff", 2);
	os_dict_set(d, "list", OS_OBJ(a));
	os_dict_set_bool(d, "on", true);
	n = os_serialize(OS_OBJ(d), buf, sizeof(buf));
	cr_expect_str_eq(buf, "{\"vendor-id\"=0x1af4;\"reg\"=<00ff>;\"list\"=(\"a\\\"b\\x0a\",No);"
			      "\"on\"=Yes}");
	cr_expect_eq(n, strlen(buf));
	/* Truncation: NUL-terminated, and the return says how much was needed. */
	cr_expect_eq(os_serialize(OS_OBJ(d), buf, 5), n);
	cr_expect_str_eq(buf, "{\"ve");
	os_release(OS_OBJ(s));
	os_release(OS_OBJ(a));
	os_release(OS_OBJ(d));
}

Test(os_object, serialize_depth_is_bounded)
{
	struct os_array *top = os_array_create(0), *cur = top;
	char buf[512];

	for (int i = 0; i < 40; i++) {
		struct os_array *n = os_array_create(0);
		os_array_append(cur, OS_OBJ(n));
		os_release(OS_OBJ(n));
		cur = n;
	}
	os_serialize(OS_OBJ(top), buf, sizeof(buf));
	cr_expect_not_null(strstr(buf, "..."));
	cr_expect_lt(strlen(buf), 2 * OS_SERIALIZE_DEPTH + 4);
	os_release(OS_OBJ(top));
}

Test(os_object, allocation_failure_is_reported_not_fatal)
{
	struct os_dict *d = os_dict_create(0);

	for (unsigned k = 0; k < 16; k++) {
		kalloc_shim_fail_after = k;
		kern_return_t kr = os_dict_set_string(d, "key", "value");
		kalloc_shim_fail_after = ~0u;
		if (kr == KERN_SUCCESS)
			break;
		cr_expect_eq(kr, KERN_RESOURCE_SHORTAGE);
		cr_expect_eq(os_dict_count(d), 0);
	}
	cr_expect_str_eq(os_dict_get_string(d, "key"), "value");
	kalloc_shim_fail_after = 0;
	cr_expect_null(os_string_create("x"));
	cr_expect_null(os_array_create(4));
	kalloc_shim_fail_after = ~0u;
	os_release(OS_OBJ(d));
}
