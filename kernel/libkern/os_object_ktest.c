/*
 * os_object_ktest.c — self-test of the libkern containers over the kernel's own kalloc: build
 * a property dictionary, serialise it, and give every byte back.
 */
#include <console.h>
#include <ktest.h>
#include <libkern/os_object.h>

KTEST(os_object_dict_roundtrip)
{
	struct os_dict *d = os_dict_create(0);
	struct os_array *a = os_array_create(0);
	char buf[128];
	uint64_t v;

	KT_ASSERT(d != NULL && a != NULL);
	KT_ASSERT_EQ(os_dict_set_string(d, "IOClass", "IOPCIDevice"), KERN_SUCCESS);
	KT_ASSERT_EQ(os_dict_set_number(d, "device-id", 0x1041, 16), KERN_SUCCESS);
	KT_ASSERT_EQ(os_array_append(a, OS_OBJ(os_boolean_get(true))), KERN_SUCCESS);
	KT_ASSERT_EQ(os_dict_set(d, "flags", OS_OBJ(a)), KERN_SUCCESS);
	os_release(OS_OBJ(a));
	KT_ASSERT(os_dict_get_number(d, "device-id", &v));
	KT_ASSERT_EQ(v, 0x1041);
	os_serialize(OS_OBJ(d), buf, sizeof(buf));
	KT_ASSERT(strcmp(buf, "{\"IOClass\"=\"IOPCIDevice\";\"device-id\"=0x1041;\"flags\"=(Yes)}") ==
		  0);
	os_release(OS_OBJ(d));
}
