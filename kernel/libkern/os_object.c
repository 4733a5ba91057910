/*
 * os_object.c — the libkern containers (os_object.h): reference counting, the six container
 * types, deep equality and ioreg-style text serialisation.
 *
 * Design: XNU libkern/c++ (OSString, OSNumber, OSBoolean, OSData, OSArray, OSDictionary), with
 * the class hierarchy flattened into a type tag. A dictionary is a pair of parallel arrays kept
 * in insertion order; the registry's dictionaries hold a few dozen keys, where a linear search
 * beats hashing.
 */
#include <libkern/os_object.h>
#include <mach/kern/kalloc.h>
#include <panic.h>

struct os_string {
	struct os_object os_base;
	size_t os_len;
	char *os_str; /* os_len + 1 bytes */
};

struct os_number {
	struct os_object on_base;
	uint64_t on_value;
	unsigned on_bits;
};

struct os_boolean {
	struct os_object ob_base;
	bool ob_value;
};

struct os_data {
	struct os_object od_base;
	size_t od_len;
	void *od_bytes; /* NULL when od_len is 0 */
};

struct os_array {
	struct os_object oa_base;
	unsigned oa_count, oa_cap;
	struct os_object **oa_items;
};

struct os_dict_entry {
	struct os_string *ode_key;
	struct os_object *ode_value;
};

struct os_dict {
	struct os_object odi_base;
	unsigned odi_count, odi_cap;
	struct os_dict_entry *odi_ents;
};

static struct os_boolean os_true = { { OS_TYPE_BOOLEAN, OS_REFS_IMMORTAL }, true };
static struct os_boolean os_false = { { OS_TYPE_BOOLEAN, OS_REFS_IMMORTAL }, false };

static void *
obj_alloc(size_t size, enum os_type type)
{
	struct os_object *o = kalloc_zero(size);

	if (o != NULL) {
		o->oo_type = type;
		o->oo_refs = 1;
	}
	return o;
}

struct os_object *
os_retain(struct os_object *o)
{
	if (o == NULL || o->oo_refs == OS_REFS_IMMORTAL)
		return o;
	uint32_t old = __atomic_fetch_add(&o->oo_refs, 1, __ATOMIC_RELAXED);
	if (old == 0 || old >= OS_REFS_IMMORTAL - 1)
		panic("os_retain: object %p of type %u has reference count %u", (void *)o,
		      o->oo_type, old);
	return o;
}

static void
obj_free(struct os_object *o)
{
	switch (o->oo_type) {
	case OS_TYPE_STRING: {
		struct os_string *s = (struct os_string *)o;
		kfree(s->os_str, s->os_len + 1);
		kfree(s, sizeof(*s));
		break;
	}
	case OS_TYPE_NUMBER:
		kfree(o, sizeof(struct os_number));
		break;
	case OS_TYPE_DATA: {
		struct os_data *d = (struct os_data *)o;
		kfree(d->od_bytes, d->od_len);
		kfree(d, sizeof(*d));
		break;
	}
	case OS_TYPE_ARRAY: {
		struct os_array *a = (struct os_array *)o;
		for (unsigned i = 0; i < a->oa_count; i++)
			os_release(a->oa_items[i]);
		kfree(a->oa_items, a->oa_cap * sizeof(*a->oa_items));
		kfree(a, sizeof(*a));
		break;
	}
	case OS_TYPE_DICTIONARY: {
		struct os_dict *d = (struct os_dict *)o;
		for (unsigned i = 0; i < d->odi_count; i++) {
			os_release(OS_OBJ(d->odi_ents[i].ode_key));
			os_release(d->odi_ents[i].ode_value);
		}
		kfree(d->odi_ents, d->odi_cap * sizeof(*d->odi_ents));
		kfree(d, sizeof(*d));
		break;
	}
	default:
		panic("os_release: object %p has bad type %u", (void *)o, o->oo_type);
	}
}

void
os_release(struct os_object *o)
{
	if (o == NULL || o->oo_refs == OS_REFS_IMMORTAL)
		return;
	uint32_t old = __atomic_fetch_sub(&o->oo_refs, 1, __ATOMIC_ACQ_REL);
	if (old == 0)
		panic("os_release: object %p of type %u released too often", (void *)o,
		      o->oo_type);
	if (old == 1)
		obj_free(o);
}

enum os_type
os_type(const struct os_object *o)
{
	return (enum os_type)o->oo_type;
}

uint32_t
os_refcount(const struct os_object *o)
{
	return __atomic_load_n(&o->oo_refs, __ATOMIC_RELAXED);
}

const char *
os_type_name(const struct os_object *o)
{
	static const char *const names[] = { "?", "string", "number", "boolean",
					     "data", "array", "dictionary" };

	if (o == NULL || o->oo_type >= ARRAY_SIZE(names))
		return "?";
	return names[o->oo_type];
}

#define OS_AS(name, tag, type)                                                                  \
	type *name(const struct os_object *o)                                                   \
	{                                                                                       \
		return o != NULL && o->oo_type == (tag) ? (type *)o : NULL;                     \
	}
OS_AS(os_as_string, OS_TYPE_STRING, struct os_string)
OS_AS(os_as_number, OS_TYPE_NUMBER, struct os_number)
OS_AS(os_as_boolean, OS_TYPE_BOOLEAN, struct os_boolean)
OS_AS(os_as_data, OS_TYPE_DATA, struct os_data)
OS_AS(os_as_array, OS_TYPE_ARRAY, struct os_array)
OS_AS(os_as_dict, OS_TYPE_DICTIONARY, struct os_dict)

struct os_string *
os_string_create_len(const char *s, size_t len)
{
	struct os_string *str;

	if (s == NULL || len >= KALLOC_MAX_SIZE)
		return NULL;
	str = obj_alloc(sizeof(*str), OS_TYPE_STRING);
	if (str == NULL)
		return NULL;
	str->os_str = kalloc(len + 1);
	if (str->os_str == NULL) {
		kfree(str, sizeof(*str));
		return NULL;
	}
	memcpy(str->os_str, s, len);
	str->os_str[len] = '\0';
	str->os_len = len;
	return str;
}

struct os_string *
os_string_create(const char *s)
{
	return s == NULL ? NULL : os_string_create_len(s, strlen(s));
}

const char *
os_string_cstr(const struct os_string *s)
{
	return s->os_str;
}

size_t
os_string_len(const struct os_string *s)
{
	return s->os_len;
}

struct os_number *
os_number_create(uint64_t value, unsigned bits)
{
	struct os_number *n = obj_alloc(sizeof(*n), OS_TYPE_NUMBER);

	if (n == NULL)
		return NULL;
	n->on_bits = bits <= 8 ? 8 : bits <= 16 ? 16 : bits <= 32 ? 32 : 64;
	n->on_value = n->on_bits == 64 ? value : value & ((1ull << n->on_bits) - 1);
	return n;
}

uint64_t
os_number_value(const struct os_number *n)
{
	return n->on_value;
}

unsigned
os_number_bits(const struct os_number *n)
{
	return n->on_bits;
}

struct os_boolean *
os_boolean_get(bool value)
{
	return value ? &os_true : &os_false;
}

bool
os_boolean_value(const struct os_boolean *b)
{
	return b->ob_value;
}

struct os_data *
os_data_create(const void *bytes, size_t len)
{
	struct os_data *d;

	if ((bytes == NULL && len != 0) || len > KALLOC_MAX_SIZE)
		return NULL;
	d = obj_alloc(sizeof(*d), OS_TYPE_DATA);
	if (d == NULL || len == 0)
		return d;
	d->od_bytes = kalloc(len);
	if (d->od_bytes == NULL) {
		kfree(d, sizeof(*d));
		return NULL;
	}
	memcpy(d->od_bytes, bytes, len);
	d->od_len = len;
	return d;
}

const void *
os_data_bytes(const struct os_data *d)
{
	return d->od_bytes;
}

size_t
os_data_len(const struct os_data *d)
{
	return d->od_len;
}

/* Grow a vector of *cap elements of esize bytes to at least need; false when memory is short. */
static bool
vec_grow(void **vec, unsigned *cap, unsigned need, size_t esize)
{
	unsigned ncap = *cap == 0 ? 4 : *cap;
	void *nv;

	if (need <= *cap)
		return true;
	while (ncap < need) {
		if (ncap > (1u << 16))
			return false;
		ncap *= 2;
	}
	nv = kalloc((vm_size_t)ncap * esize);
	if (nv == NULL)
		return false;
	if (*cap != 0) {
		memcpy(nv, *vec, *cap * esize);
		kfree(*vec, *cap * esize);
	}
	*vec = nv;
	*cap = ncap;
	return true;
}

struct os_array *
os_array_create(unsigned capacity)
{
	struct os_array *a = obj_alloc(sizeof(*a), OS_TYPE_ARRAY);

	if (a != NULL && !vec_grow((void **)&a->oa_items, &a->oa_cap, capacity,
				   sizeof(*a->oa_items))) {
		kfree(a, sizeof(*a));
		return NULL;
	}
	return a;
}

kern_return_t
os_array_append(struct os_array *a, struct os_object *obj)
{
	if (obj == NULL || obj == OS_OBJ(a))
		return KERN_INVALID_ARGUMENT;
	if (!vec_grow((void **)&a->oa_items, &a->oa_cap, a->oa_count + 1, sizeof(*a->oa_items)))
		return KERN_RESOURCE_SHORTAGE;
	a->oa_items[a->oa_count++] = os_retain(obj);
	return KERN_SUCCESS;
}

struct os_object *
os_array_get(const struct os_array *a, unsigned i)
{
	return i < a->oa_count ? a->oa_items[i] : NULL;
}

unsigned
os_array_count(const struct os_array *a)
{
	return a->oa_count;
}

bool
os_array_remove(struct os_array *a, unsigned i)
{
	struct os_object *o;

	if (i >= a->oa_count)
		return false;
	o = a->oa_items[i];
	memmove(&a->oa_items[i], &a->oa_items[i + 1],
		(a->oa_count - i - 1) * sizeof(*a->oa_items));
	a->oa_count--;
	os_release(o);
	return true;
}

int
os_array_find(const struct os_array *a, const struct os_object *obj)
{
	for (unsigned i = 0; i < a->oa_count; i++)
		if (os_equal(a->oa_items[i], obj))
			return (int)i;
	return -1;
}

struct os_dict *
os_dict_create(unsigned capacity)
{
	struct os_dict *d = obj_alloc(sizeof(*d), OS_TYPE_DICTIONARY);

	if (d != NULL && !vec_grow((void **)&d->odi_ents, &d->odi_cap, capacity,
				   sizeof(*d->odi_ents))) {
		kfree(d, sizeof(*d));
		return NULL;
	}
	return d;
}

static int
dict_index(const struct os_dict *d, const char *key)
{
	for (unsigned i = 0; i < d->odi_count; i++)
		if (strcmp(d->odi_ents[i].ode_key->os_str, key) == 0)
			return (int)i;
	return -1;
}

kern_return_t
os_dict_set(struct os_dict *d, const char *key, struct os_object *value)
{
	struct os_string *k;
	int i;

	if (key == NULL || value == NULL || value == OS_OBJ(d))
		return KERN_INVALID_ARGUMENT;
	i = dict_index(d, key);
	if (i >= 0) {
		struct os_object *old = d->odi_ents[i].ode_value;
		d->odi_ents[i].ode_value = os_retain(value);
		os_release(old);
		return KERN_SUCCESS;
	}
	if (!vec_grow((void **)&d->odi_ents, &d->odi_cap, d->odi_count + 1, sizeof(*d->odi_ents)))
		return KERN_RESOURCE_SHORTAGE;
	k = os_string_create(key);
	if (k == NULL)
		return KERN_RESOURCE_SHORTAGE;
	d->odi_ents[d->odi_count].ode_key = k;
	d->odi_ents[d->odi_count].ode_value = os_retain(value);
	d->odi_count++;
	return KERN_SUCCESS;
}

struct os_object *
os_dict_get(const struct os_dict *d, const char *key)
{
	int i = key == NULL ? -1 : dict_index(d, key);

	return i < 0 ? NULL : d->odi_ents[i].ode_value;
}

bool
os_dict_remove(struct os_dict *d, const char *key)
{
	struct os_dict_entry e;
	int i = key == NULL ? -1 : dict_index(d, key);

	if (i < 0)
		return false;
	e = d->odi_ents[i];
	memmove(&d->odi_ents[i], &d->odi_ents[i + 1],
		(d->odi_count - (unsigned)i - 1) * sizeof(*d->odi_ents));
	d->odi_count--;
	os_release(OS_OBJ(e.ode_key));
	os_release(e.ode_value);
	return true;
}

unsigned
os_dict_count(const struct os_dict *d)
{
	return d->odi_count;
}

const char *
os_dict_key_at(const struct os_dict *d, unsigned i)
{
	return i < d->odi_count ? d->odi_ents[i].ode_key->os_str : NULL;
}

struct os_object *
os_dict_value_at(const struct os_dict *d, unsigned i)
{
	return i < d->odi_count ? d->odi_ents[i].ode_value : NULL;
}

/* Set a freshly created object (NULL: memory was short) and drop the creation reference. */
static kern_return_t
dict_set_new(struct os_dict *d, const char *key, struct os_object *o)
{
	kern_return_t kr;

	if (o == NULL)
		return KERN_RESOURCE_SHORTAGE;
	kr = os_dict_set(d, key, o);
	os_release(o);
	return kr;
}

kern_return_t
os_dict_set_string(struct os_dict *d, const char *key, const char *value)
{
	return dict_set_new(d, key, OS_OBJ(os_string_create(value)));
}

kern_return_t
os_dict_set_number(struct os_dict *d, const char *key, uint64_t value, unsigned bits)
{
	return dict_set_new(d, key, OS_OBJ(os_number_create(value, bits)));
}

kern_return_t
os_dict_set_bool(struct os_dict *d, const char *key, bool value)
{
	return os_dict_set(d, key, OS_OBJ(os_boolean_get(value)));
}

kern_return_t
os_dict_set_data(struct os_dict *d, const char *key, const void *bytes, size_t len)
{
	return dict_set_new(d, key, OS_OBJ(os_data_create(bytes, len)));
}

const char *
os_dict_get_string(const struct os_dict *d, const char *key)
{
	struct os_string *s = os_as_string(os_dict_get(d, key));

	return s == NULL ? NULL : s->os_str;
}

bool
os_dict_get_number(const struct os_dict *d, const char *key, uint64_t *value)
{
	struct os_number *n = os_as_number(os_dict_get(d, key));

	if (n == NULL)
		return false;
	*value = n->on_value;
	return true;
}

static bool
equal_depth(const struct os_object *a, const struct os_object *b, unsigned depth)
{
	if (a == b)
		return true;
	if (a == NULL || b == NULL || a->oo_type != b->oo_type || depth > OS_SERIALIZE_DEPTH)
		return false;
	switch (a->oo_type) {
	case OS_TYPE_STRING: {
		const struct os_string *x = (const void *)a, *y = (const void *)b;
		return x->os_len == y->os_len && memcmp(x->os_str, y->os_str, x->os_len) == 0;
	}
	case OS_TYPE_NUMBER:
		return ((const struct os_number *)a)->on_value ==
		       ((const struct os_number *)b)->on_value;
	case OS_TYPE_BOOLEAN:
		return ((const struct os_boolean *)a)->ob_value ==
		       ((const struct os_boolean *)b)->ob_value;
	case OS_TYPE_DATA: {
		const struct os_data *x = (const void *)a, *y = (const void *)b;
		return x->od_len == y->od_len &&
		       (x->od_len == 0 || memcmp(x->od_bytes, y->od_bytes, x->od_len) == 0);
	}
	case OS_TYPE_ARRAY: {
		const struct os_array *x = (const void *)a, *y = (const void *)b;
		if (x->oa_count != y->oa_count)
			return false;
		for (unsigned i = 0; i < x->oa_count; i++)
			if (!equal_depth(x->oa_items[i], y->oa_items[i], depth + 1))
				return false;
		return true;
	}
	case OS_TYPE_DICTIONARY: {
		const struct os_dict *x = (const void *)a, *y = (const void *)b;
		if (x->odi_count != y->odi_count)
			return false;
		for (unsigned i = 0; i < x->odi_count; i++) {
			const struct os_object *v = os_dict_get(y, x->odi_ents[i].ode_key->os_str);
			if (!equal_depth(x->odi_ents[i].ode_value, v, depth + 1))
				return false;
		}
		return true;
	}
	}
	return false;
}

bool
os_equal(const struct os_object *a, const struct os_object *b)
{
	return equal_depth(a, b, 0);
}

struct ser {
	char *buf;
	size_t len, pos;
};

static void
ser_put(struct ser *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++, s->pos++)
		if (s->pos + 1 < s->len)
			s->buf[s->pos] = p[i];
}

static void
ser_str(struct ser *s, const char *p)
{
	ser_put(s, p, strlen(p));
}

static void
ser_quoted(struct ser *s, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	ser_put(s, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			ser_put(s, e, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			ser_put(s, e, 4);
		} else {
			ser_put(s, (const char *)&c, 1);
		}
	}
	ser_put(s, "\"", 1);
}

static void
ser_obj(struct ser *s, const struct os_object *o, unsigned depth)
{
	static const char hex[] = "0123456789abcdef";
	char num[24];

	if (o == NULL) {
		ser_str(s, "NULL");
		return;
	}
	if (depth >= OS_SERIALIZE_DEPTH) {
		ser_str(s, "...");
		return;
	}
	switch (o->oo_type) {
	case OS_TYPE_STRING: {
		const struct os_string *x = (const void *)o;
		ser_quoted(s, x->os_str, x->os_len);
		break;
	}
	case OS_TYPE_NUMBER:
		ksnprintf(num, sizeof(num), "%#llx",
			  (unsigned long long)((const struct os_number *)o)->on_value);
		ser_str(s, num);
		break;
	case OS_TYPE_BOOLEAN:
		ser_str(s, ((const struct os_boolean *)o)->ob_value ? "Yes" : "No");
		break;
	case OS_TYPE_DATA: {
		const struct os_data *x = (const void *)o;
		const uint8_t *b = x->od_bytes;
		ser_put(s, "<", 1);
		for (size_t i = 0; i < x->od_len; i++) {
			char e[2] = { hex[b[i] >> 4], hex[b[i] & 15] };
			ser_put(s, e, 2);
		}
		ser_put(s, ">", 1);
		break;
	}
	case OS_TYPE_ARRAY: {
		const struct os_array *x = (const void *)o;
		ser_put(s, "(", 1);
		for (unsigned i = 0; i < x->oa_count; i++) {
			if (i != 0)
				ser_put(s, ",", 1);
			ser_obj(s, x->oa_items[i], depth + 1);
		}
		ser_put(s, ")", 1);
		break;
	}
	case OS_TYPE_DICTIONARY: {
		const struct os_dict *x = (const void *)o;
		ser_put(s, "{", 1);
		for (unsigned i = 0; i < x->odi_count; i++) {
			const struct os_string *k = x->odi_ents[i].ode_key;
			if (i != 0)
				ser_put(s, ";", 1);
			ser_quoted(s, k->os_str, k->os_len);
			ser_put(s, "=", 1);
			ser_obj(s, x->odi_ents[i].ode_value, depth + 1);
		}
		ser_put(s, "}", 1);
		break;
	}
	default:
		ser_str(s, "?");
	}
}

size_t
os_serialize(const struct os_object *o, char *buf, size_t len)
{
	struct ser s = { buf, len, 0 };

	ser_obj(&s, o, 0);
	if (len > 0)
		buf[MIN(s.pos, len - 1)] = '\0';
	return s.pos;
}
