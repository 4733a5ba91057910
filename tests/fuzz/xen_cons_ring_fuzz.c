/*
 * xen_cons_ring_fuzz.c — libFuzzer harness for pv/xen_cons_ring.c: the console page is shared
 * with the backend, which may write anything into it at any time. The input is a script: each
 * step sets the backend's indices (out_cons, in_prod) from 8 input bytes, then the guest puts
 * and gets. The ring sits in a heap block of exactly its size, so ASan catches any access
 * outside it; after every step the guest's own indices must stay within a ring of the others.
 */
// fuzz-deps: pv/xen_cons_ring.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pv/xen_cons_ring.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xencons_interface *r = malloc(sizeof(*r));
	char buf[4096];
	bool corrupt;

	if (r == NULL)
		return 0;
	memset(r, 0, sizeof(*r));
	memset(buf, 'o', sizeof(buf));
	while (size >= 10) {
		uint32_t oc, ip;
		size_t put, got;

		memcpy(&oc, data, 4);
		memcpy(&ip, data + 4, 4);
		r->out_cons = oc;
		r->in_prod = ip;
		corrupt = false;
		put = xencons_ring_put(r, buf, data[8] * 16u, &corrupt);
		if (!corrupt && (uint32_t)(r->out_prod - r->out_cons) > sizeof(r->out))
			abort();
		if (put > data[8] * 16u)
			abort();
		corrupt = false;
		got = xencons_ring_get(r, buf, data[9] * 16u, &corrupt);
		if (got > sizeof(r->in) || (corrupt && r->in_cons != r->in_prod))
			abort();
		data += 10;
		size -= 10;
	}
	free(r);
	return 0;
}
