/*
 * os_object.h — libkern containers: reference-counted string, number, boolean, data, array and
 * dictionary objects, after XNU's libkern/c++ OSObject family but in C.
 *
 * The one idea: every container is a struct os_object with a type tag and a reference count.
 * Creating an object returns one reference that the caller owns; os_release() drops it and the
 * last release frees the object and releases what it holds. Putting an object in an array or a
 * dictionary retains it; getting it back lends it (no reference is returned). The containers are
 * not locked: the owner (the I/O Registry, a driver) serialises access to a mutable container.
 *
 * Portable: used by the kernel and by the hosted unit tests; memory comes from kalloc().
 */
#ifndef _LIBKERN_OS_OBJECT_H_
#define _LIBKERN_OS_OBJECT_H_

#include <libkern/libkern.h>
#include <mach/kern/kern_return.h>

enum os_type {
	OS_TYPE_STRING = 1,
	OS_TYPE_NUMBER,
	OS_TYPE_BOOLEAN,
	OS_TYPE_DATA,
	OS_TYPE_ARRAY,
	OS_TYPE_DICTIONARY,
};

struct os_object {
	uint32_t oo_type; /* enum os_type */
	uint32_t oo_refs; /* OS_REFS_IMMORTAL for the two booleans */
};
#define OS_REFS_IMMORTAL 0xffffffffu

struct os_string;
struct os_number;
struct os_boolean;
struct os_data;
struct os_array;
struct os_dict;

#define OS_OBJ(p) ((struct os_object *)(p))

/* os_retain: take one more reference to o (NULL is allowed). Returns o. */
struct os_object *os_retain(struct os_object *o);
/* os_release: drop one reference; the last one frees o and releases its contents. NULL: nop. */
void os_release(struct os_object *o);
enum os_type os_type(const struct os_object *o);
uint32_t os_refcount(const struct os_object *o);
/* os_type_name: "string", "number", ... for display. */
const char *os_type_name(const struct os_object *o);

/* Checked downcasts: the object as that type, or NULL when o is NULL or of another type. */
struct os_string *os_as_string(const struct os_object *o);
struct os_number *os_as_number(const struct os_object *o);
struct os_boolean *os_as_boolean(const struct os_object *o);
struct os_data *os_as_data(const struct os_object *o);
struct os_array *os_as_array(const struct os_object *o);
struct os_dict *os_as_dict(const struct os_object *o);

/* Strings: immutable, NUL-terminated copies. Return NULL when memory is short. */
struct os_string *os_string_create(const char *s);
struct os_string *os_string_create_len(const char *s, size_t len);
const char *os_string_cstr(const struct os_string *s);
size_t os_string_len(const struct os_string *s);

/* Numbers: an unsigned value of 8, 16, 32 or 64 bits (others are rounded up to those). */
struct os_number *os_number_create(uint64_t value, unsigned bits);
uint64_t os_number_value(const struct os_number *n);
unsigned os_number_bits(const struct os_number *n);

/* Booleans: two shared immortal objects; os_boolean_get() returns one (release is harmless). */
struct os_boolean *os_boolean_get(bool value);
bool os_boolean_value(const struct os_boolean *b);

/* Data: an immutable copy of len bytes (len may be 0). */
struct os_data *os_data_create(const void *bytes, size_t len);
const void *os_data_bytes(const struct os_data *d);
size_t os_data_len(const struct os_data *d);

/*
 * Arrays: ordered, growable. os_array_append() retains obj and returns KERN_SUCCESS,
 * KERN_INVALID_ARGUMENT (obj NULL or the array itself) or KERN_RESOURCE_SHORTAGE.
 * os_array_get() lends the object at i, or NULL past the end.
 */
struct os_array *os_array_create(unsigned capacity);
kern_return_t os_array_append(struct os_array *a, struct os_object *obj);
struct os_object *os_array_get(const struct os_array *a, unsigned i);
unsigned os_array_count(const struct os_array *a);
/* os_array_remove: release and remove the element at i; false when i is out of range. */
bool os_array_remove(struct os_array *a, unsigned i);
/* os_array_find: index of the first element os_equal() to obj, or -1. */
int os_array_find(const struct os_array *a, const struct os_object *obj);

/*
 * Dictionaries: string keys, kept in insertion order. os_dict_set() retains value, replaces
 * (and releases) any value under the same key, and returns KERN_SUCCESS, KERN_INVALID_ARGUMENT
 * (NULL key or value, or the dictionary itself) or KERN_RESOURCE_SHORTAGE.
 * os_dict_get() lends the value, or NULL when the key is absent.
 */
struct os_dict *os_dict_create(unsigned capacity);
kern_return_t os_dict_set(struct os_dict *d, const char *key, struct os_object *value);
struct os_object *os_dict_get(const struct os_dict *d, const char *key);
bool os_dict_remove(struct os_dict *d, const char *key);
unsigned os_dict_count(const struct os_dict *d);
/* Iteration in insertion order: key and value at index i (lent), or NULL past the end. */
const char *os_dict_key_at(const struct os_dict *d, unsigned i);
struct os_object *os_dict_value_at(const struct os_dict *d, unsigned i);

/* Shorthands: create the object, set it, drop the creation reference. Same returns as set. */
kern_return_t os_dict_set_string(struct os_dict *d, const char *key, const char *value);
kern_return_t os_dict_set_number(struct os_dict *d, const char *key, uint64_t value,
				 unsigned bits);
kern_return_t os_dict_set_bool(struct os_dict *d, const char *key, bool value);
kern_return_t os_dict_set_data(struct os_dict *d, const char *key, const void *bytes,
			       size_t len);
/* Typed lookups: NULL / false when the key is absent or holds another type. */
const char *os_dict_get_string(const struct os_dict *d, const char *key);
bool os_dict_get_number(const struct os_dict *d, const char *key, uint64_t *value);

/* os_equal: deep equality (same type and same contents; numbers compare by value only). */
bool os_equal(const struct os_object *a, const struct os_object *b);

/*
 * os_serialize: write o as text into buf (always NUL-terminated when len > 0), in the style of
 * ioreg: "string", 0x1af4, Yes/No, <00ff>, (a,b), {"key"=value;...}. Nesting deeper than
 * OS_SERIALIZE_DEPTH is written as "...".
 *   Returns: the length the full text needs, without the NUL (as snprintf).
 */
#define OS_SERIALIZE_DEPTH 16
size_t os_serialize(const struct os_object *o, char *buf, size_t len);

#endif /* _LIBKERN_OS_OBJECT_H_ */
