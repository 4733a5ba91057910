/*
 * vm_map.c — address maps: entries in a sorted list and a red-black tree, clipping, coalescing,
 * protection, inheritance, removal, copy-on-write copies of ranges and of whole maps (fork).
 * After Mach 3.0 vm/vm_map.c and XNU osfmk/vm/vm_map.c; the tree follows CLRS ch. 13 (insert
 * and delete with their fix-ups, NULL leaves standing for the black sentinel).
 *
 * The one idea: the list gives order (walks, neighbours, free gaps) and the tree gives
 * O(log n) lookup by address; every change goes through link/unlink, which keep both. Clipping
 * an entry splits it in two at an address, each a window on the same object, so any operation
 * on a range works on whole entries.
 */
#include <console.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/vm_map.h>
#include <mach/vm/vm_map_internal.h>
#include <mach/vm/vm_param.h>
#include <panic.h>

static zone_t vm_map_zone, vm_map_entry_zone;
uint64_t vm_map_entry_count;

void
vm_map_bootstrap(void)
{
	vm_map_zone = zinit(sizeof(struct vm_map), 0, 0, "vm.maps");
	vm_map_entry_zone = zinit(sizeof(struct vm_map_entry), 0, 0, "vm.map.entries");
	if (vm_map_zone == NULL || vm_map_entry_zone == NULL)
		panic("vm_map_bootstrap: no zones");
}

/*
 * The red-black tree.
 */

static void
rb_rotate_left(vm_map_t map, vm_map_entry_t x)
{
	vm_map_entry_t y = x->vme_right;

	x->vme_right = y->vme_left;
	if (y->vme_left != NULL)
		y->vme_left->vme_parent = x;
	y->vme_parent = x->vme_parent;
	if (x->vme_parent == NULL)
		map->vm_root = y;
	else if (x == x->vme_parent->vme_left)
		x->vme_parent->vme_left = y;
	else
		x->vme_parent->vme_right = y;
	y->vme_left = x;
	x->vme_parent = y;
}

static void
rb_rotate_right(vm_map_t map, vm_map_entry_t x)
{
	vm_map_entry_t y = x->vme_left;

	x->vme_left = y->vme_right;
	if (y->vme_right != NULL)
		y->vme_right->vme_parent = x;
	y->vme_parent = x->vme_parent;
	if (x->vme_parent == NULL)
		map->vm_root = y;
	else if (x == x->vme_parent->vme_right)
		x->vme_parent->vme_right = y;
	else
		x->vme_parent->vme_left = y;
	y->vme_right = x;
	x->vme_parent = y;
}

static bool
rb_red(vm_map_entry_t e)
{
	return e != NULL && e->vme_red;
}

static void
rb_insert(vm_map_t map, vm_map_entry_t z)
{
	vm_map_entry_t y = NULL, x = map->vm_root;

	while (x != NULL) {
		y = x;
		x = z->vme_start < x->vme_start ? x->vme_left : x->vme_right;
	}
	z->vme_parent = y;
	z->vme_left = z->vme_right = NULL;
	z->vme_red = true;
	if (y == NULL)
		map->vm_root = z;
	else if (z->vme_start < y->vme_start)
		y->vme_left = z;
	else
		y->vme_right = z;

	while (rb_red(z->vme_parent)) {
		vm_map_entry_t p = z->vme_parent, g = p->vme_parent, u;

		if (p == g->vme_left) {
			u = g->vme_right;
			if (rb_red(u)) {
				p->vme_red = u->vme_red = false;
				g->vme_red = true;
				z = g;
				continue;
			}
			if (z == p->vme_right) {
				z = p;
				rb_rotate_left(map, z);
				p = z->vme_parent;
			}
			p->vme_red = false;
			g->vme_red = true;
			rb_rotate_right(map, g);
		} else {
			u = g->vme_left;
			if (rb_red(u)) {
				p->vme_red = u->vme_red = false;
				g->vme_red = true;
				z = g;
				continue;
			}
			if (z == p->vme_left) {
				z = p;
				rb_rotate_right(map, z);
				p = z->vme_parent;
			}
			p->vme_red = false;
			g->vme_red = true;
			rb_rotate_left(map, g);
		}
	}
	map->vm_root->vme_red = false;
}

static void
rb_transplant(vm_map_t map, vm_map_entry_t u, vm_map_entry_t v)
{
	if (u->vme_parent == NULL)
		map->vm_root = v;
	else if (u == u->vme_parent->vme_left)
		u->vme_parent->vme_left = v;
	else
		u->vme_parent->vme_right = v;
	if (v != NULL)
		v->vme_parent = u->vme_parent;
}

static void
rb_delete_fixup(vm_map_t map, vm_map_entry_t x, vm_map_entry_t xp)
{
	while (x != map->vm_root && !rb_red(x)) {
		vm_map_entry_t w;

		if (x == xp->vme_left) {
			w = xp->vme_right;
			if (rb_red(w)) {
				w->vme_red = false;
				xp->vme_red = true;
				rb_rotate_left(map, xp);
				w = xp->vme_right;
			}
			if (!rb_red(w->vme_left) && !rb_red(w->vme_right)) {
				w->vme_red = true;
				x = xp;
				xp = x->vme_parent;
			} else {
				if (!rb_red(w->vme_right)) {
					w->vme_left->vme_red = false;
					w->vme_red = true;
					rb_rotate_right(map, w);
					w = xp->vme_right;
				}
				w->vme_red = xp->vme_red;
				xp->vme_red = false;
				if (w->vme_right != NULL)
					w->vme_right->vme_red = false;
				rb_rotate_left(map, xp);
				x = map->vm_root;
			}
		} else {
			w = xp->vme_left;
			if (rb_red(w)) {
				w->vme_red = false;
				xp->vme_red = true;
				rb_rotate_right(map, xp);
				w = xp->vme_left;
			}
			if (!rb_red(w->vme_right) && !rb_red(w->vme_left)) {
				w->vme_red = true;
				x = xp;
				xp = x->vme_parent;
			} else {
				if (!rb_red(w->vme_left)) {
					w->vme_right->vme_red = false;
					w->vme_red = true;
					rb_rotate_left(map, w);
					w = xp->vme_left;
				}
				w->vme_red = xp->vme_red;
				xp->vme_red = false;
				if (w->vme_left != NULL)
					w->vme_left->vme_red = false;
				rb_rotate_right(map, xp);
				x = map->vm_root;
			}
		}
	}
	if (x != NULL)
		x->vme_red = false;
}

static void
rb_delete(vm_map_t map, vm_map_entry_t z)
{
	vm_map_entry_t x, xp, y = z;
	bool y_red = y->vme_red;

	if (z->vme_left == NULL) {
		x = z->vme_right;
		xp = z->vme_parent;
		rb_transplant(map, z, z->vme_right);
	} else if (z->vme_right == NULL) {
		x = z->vme_left;
		xp = z->vme_parent;
		rb_transplant(map, z, z->vme_left);
	} else {
		y = z->vme_right;
		while (y->vme_left != NULL)
			y = y->vme_left;
		y_red = y->vme_red;
		x = y->vme_right;
		if (y->vme_parent == z) {
			xp = y;
		} else {
			xp = y->vme_parent;
			rb_transplant(map, y, y->vme_right);
			y->vme_right = z->vme_right;
			y->vme_right->vme_parent = y;
		}
		rb_transplant(map, z, y);
		y->vme_left = z->vme_left;
		y->vme_left->vme_parent = y;
		y->vme_red = z->vme_red;
	}
	if (!y_red)
		rb_delete_fixup(map, x, xp);
}

/*
 * Entries.
 */

vm_map_entry_t
vm_map_entry_create(void)
{
	vm_map_entry_t e = zalloc(vm_map_entry_zone);

	if (e != NULL) {
		memset(e, 0, sizeof(*e));
		__atomic_fetch_add(&vm_map_entry_count, 1, __ATOMIC_RELAXED);
	}
	return e;
}

void
vm_map_entry_dispose(vm_map_entry_t e)
{
	__atomic_fetch_sub(&vm_map_entry_count, 1, __ATOMIC_RELAXED);
	zfree(vm_map_entry_zone, e);
}

/* Put e after prev in the list and into the tree. */
void
vm_map_link(vm_map_t map, vm_map_entry_t prev, vm_map_entry_t e)
{
	e->vme_prev = prev;
	e->vme_next = prev->vme_next;
	prev->vme_next->vme_prev = e;
	prev->vme_next = e;
	rb_insert(map, e);
	map->vm_nentries++;
	map->vm_size += e->vme_end - e->vme_start;
}

static void
vm_map_unlink(vm_map_t map, vm_map_entry_t e)
{
	e->vme_prev->vme_next = e->vme_next;
	e->vme_next->vme_prev = e->vme_prev;
	rb_delete(map, e);
	map->vm_nentries--;
	map->vm_size -= e->vme_end - e->vme_start;
}

bool
vm_map_lookup_entry(vm_map_t map, vaddr_t addr, vm_map_entry_t *entry)
{
	vm_map_entry_t best = NULL;

	for (vm_map_entry_t x = map->vm_root; x != NULL;) {
		if (x->vme_start <= addr) {
			best = x;
			x = x->vme_right;
		} else {
			x = x->vme_left;
		}
	}
	if (best != NULL && addr < best->vme_end) {
		*entry = best;
		return true;
	}
	*entry = best != NULL ? best : &map->vm_header;
	return false;
}

/*
 * Split e at addr (strictly inside it): e keeps [addr, end), a new entry before it takes
 * [start, addr). The new entry holds its own reference on the object. Returns false when no
 * entry could be had (nothing changed).
 */
static bool
vm_map_clip_start(vm_map_t map, vm_map_entry_t e, vaddr_t addr)
{
	vm_map_entry_t n;

	if (addr <= e->vme_start || addr >= e->vme_end)
		return true;
	if ((n = vm_map_entry_create()) == NULL)
		return false;
	*n = *e;
	n->vme_end = addr;
	e->vme_offset += addr - e->vme_start;
	e->vme_start = addr;
	map->vm_size -= n->vme_end - n->vme_start; /* vm_map_link adds it back */
	vm_object_reference(n->vme_object);
	vm_map_link(map, e->vme_prev, n);
	return true;
}

/* Split e at addr: e keeps [start, addr), a new entry after it takes [addr, end). */
bool
vm_map_clip_end(vm_map_t map, vm_map_entry_t e, vaddr_t addr)
{
	vm_map_entry_t n;

	if (addr <= e->vme_start || addr >= e->vme_end)
		return true;
	if ((n = vm_map_entry_create()) == NULL)
		return false;
	*n = *e;
	n->vme_start = addr;
	n->vme_offset += addr - e->vme_start;
	e->vme_end = addr;
	map->vm_size -= n->vme_end - n->vme_start;
	vm_object_reference(n->vme_object);
	vm_map_link(map, e, n);
	return true;
}

/*
 * Maps.
 */

vm_map_t
vm_map_create(pmap_t pmap, vaddr_t min, vaddr_t max)
{
	vm_map_t map = zalloc(vm_map_zone);

	if (map == NULL)
		return NULL;
	memset(map, 0, sizeof(*map));
	map->vm_header.vme_next = map->vm_header.vme_prev = &map->vm_header;
	map->vm_header.vme_start = map->vm_header.vme_end = max;
	lck_spin_init(&map->vm_lock);
	map->vm_refs = 1;
	map->vm_min = min;
	map->vm_max = max;
	map->vm_pmap = pmap;
	return map;
}

void
vm_map_reference(vm_map_t map)
{
	__atomic_fetch_add(&map->vm_refs, 1, __ATOMIC_RELAXED);
}

void
vm_map_deallocate(vm_map_t map)
{
	if (__atomic_sub_fetch(&map->vm_refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	(void)vm_map_remove(map, map->vm_min, map->vm_max);
	assert(map->vm_nentries == 0);
	zfree(vm_map_zone, map);
}

/* The lowest free range of size bytes at or above hint. Map lock held. */
bool
vm_map_find_space(vm_map_t map, vaddr_t hint, vm_size_t size, vaddr_t *addr)
{
	vaddr_t start = MAX(hint, map->vm_min);
	vm_map_entry_t e;

	/* XXX: linear in the entries; a gap-augmented tree would make this O(log n). */
	if (vm_map_lookup_entry(map, start, &e))
		start = e->vme_end;
	for (;;) {
		vm_map_entry_t next = e->vme_next;
		vaddr_t limit = next == &map->vm_header ? map->vm_max : next->vme_start;

		if (start <= limit && limit - start >= size) {
			*addr = start;
			return true;
		}
		if (next == &map->vm_header)
			return false;
		start = MAX(start, next->vme_end);
		e = next;
	}
}

kern_return_t
vm_map_enter(vm_map_t map, vaddr_t *addr, vm_size_t size, int flags, vm_object_t object,
	     vm_object_offset_t offset, bool needs_copy, vm_prot_t cur_prot, vm_prot_t max_prot,
	     vm_inherit_t inherit)
{
	vm_map_entry_t prev, n;
	vaddr_t start = *addr;
	bool st;

	if (size == 0 || (size & PAGE_MASK) != 0 || (start & PAGE_MASK) != 0 ||
	    (offset & PAGE_MASK) != 0 || (cur_prot & ~max_prot) != 0 ||
	    (max_prot & ~VM_PROT_ALL) != 0 || inherit > VM_INHERIT_NONE)
		return KERN_INVALID_ARGUMENT;
	st = pmap_spin_lock_irqsave(&map->vm_lock);
	if (flags & VM_FLAGS_ANYWHERE) {
		if (!vm_map_find_space(map, start, size, &start)) {
			lck_spin_unlock_irqrestore(&map->vm_lock, st);
			return KERN_NO_SPACE;
		}
	} else if (start < map->vm_min || start > map->vm_max || map->vm_max - start < size) {
		lck_spin_unlock_irqrestore(&map->vm_lock, st);
		return KERN_NO_SPACE;
	}
	if (vm_map_lookup_entry(map, start, &prev) ||
	    (prev->vme_next != &map->vm_header && prev->vme_next->vme_start < start + size)) {
		lck_spin_unlock_irqrestore(&map->vm_lock, st);
		return KERN_NO_SPACE;
	}
	/* Coalesce: zero fill continuing a zero-fill entry just like it. */
	if (object == NULL && prev != &map->vm_header && prev->vme_end == start &&
	    prev->vme_object == NULL && !prev->vme_needs_copy && prev->vme_wired == 0 &&
	    prev->vme_prot == cur_prot && prev->vme_max_prot == max_prot &&
	    prev->vme_inherit == inherit) {
		prev->vme_end += size;
		map->vm_size += size;
		lck_spin_unlock_irqrestore(&map->vm_lock, st);
		*addr = start;
		return KERN_SUCCESS;
	}
	if ((n = vm_map_entry_create()) == NULL) {
		lck_spin_unlock_irqrestore(&map->vm_lock, st);
		return KERN_RESOURCE_SHORTAGE;
	}
	n->vme_start = start;
	n->vme_end = start + size;
	n->vme_object = object;
	n->vme_offset = offset;
	n->vme_needs_copy = needs_copy;
	n->vme_prot = cur_prot;
	n->vme_max_prot = max_prot;
	n->vme_inherit = inherit;
	vm_map_link(map, prev, n);
	lck_spin_unlock_irqrestore(&map->vm_lock, st);
	*addr = start;
	return KERN_SUCCESS;
}

/*
 * Find the first entry of [start, end) and clip it to start. Returns the entry (or the header
 * when none lies in the range), NULL when clipping ran out of memory.
 */
vm_map_entry_t
vm_map_range_first(vm_map_t map, vaddr_t start, vaddr_t end)
{
	vm_map_entry_t e;

	if (vm_map_lookup_entry(map, start, &e)) {
		if (!vm_map_clip_start(map, e, start))
			return NULL;
	} else {
		e = e->vme_next;
	}
	return e != &map->vm_header && e->vme_start < end ? e : &map->vm_header;
}

kern_return_t
vm_map_remove(vm_map_t map, vaddr_t start, vaddr_t end)
{
	vm_map_entry_t e;
	bool st;

	if (start > end || start < map->vm_min || end > map->vm_max)
		return KERN_INVALID_ARGUMENT;
	start = trunc_page(start);
	end = round_page(end);
	st = pmap_spin_lock_irqsave(&map->vm_lock);
	e = vm_map_range_first(map, start, end);
	while (e != NULL && e != &map->vm_header && e->vme_start < end) {
		vm_map_entry_t next;

		if (!vm_map_clip_end(map, e, end)) {
			e = NULL;
			break;
		}
		next = e->vme_next;
		if (map->vm_pmap != NULL)
			pmap_remove(map->vm_pmap, e->vme_start, e->vme_end);
		vm_map_unlink(map, e);
		vm_object_deallocate(e->vme_object);
		vm_map_entry_dispose(e);
		e = next;
	}
	lck_spin_unlock_irqrestore(&map->vm_lock, st);
	/* XXX: out of map entries while clipping leaves the range partly removed. */
	return e == NULL ? KERN_RESOURCE_SHORTAGE : KERN_SUCCESS;
}

/* Whether [start, end) is mapped without holes. Map lock held. */
static bool
vm_map_range_mapped(vm_map_t map, vaddr_t start, vaddr_t end)
{
	vm_map_entry_t e;
	vaddr_t at = start;

	if (!vm_map_lookup_entry(map, start, &e))
		return false;
	while (at < end) {
		if (e == &map->vm_header || e->vme_start > at)
			return false;
		at = e->vme_end;
		e = e->vme_next;
	}
	return true;
}

kern_return_t
vm_map_protect(vm_map_t map, vaddr_t start, vaddr_t end, vm_prot_t new_prot, bool set_max)
{
	kern_return_t kr = KERN_SUCCESS;
	vm_map_entry_t e;
	bool st;

	if ((new_prot & ~VM_PROT_ALL) != 0)
		return KERN_INVALID_ARGUMENT;
	start = trunc_page(start);
	end = round_page(end);
	if (start >= end)
		return KERN_SUCCESS;
	st = pmap_spin_lock_irqsave(&map->vm_lock);
	if (!vm_map_range_mapped(map, start, end)) {
		kr = KERN_INVALID_ADDRESS;
		goto out;
	}
	for (vm_map_lookup_entry(map, start, &e); e != &map->vm_header && e->vme_start < end;
	     e = e->vme_next) {
		if (!set_max && (new_prot & ~e->vme_max_prot) != 0) {
			kr = KERN_PROTECTION_FAILURE;
			goto out;
		}
	}
	e = vm_map_range_first(map, start, end);
	for (; e != NULL && e != &map->vm_header && e->vme_start < end; e = e->vme_next) {
		vm_prot_t old = e->vme_prot, eff;

		if (!vm_map_clip_end(map, e, end)) {
			e = NULL;
			break;
		}
		if (set_max) {
			e->vme_max_prot = new_prot;
			e->vme_prot &= new_prot;
		} else {
			e->vme_prot = new_prot;
		}
		/* Mappings only ever lose rights here; gained ones come with the next fault. */
		eff = e->vme_prot & old;
		if (e->vme_needs_copy)
			eff &= ~VM_PROT_WRITE;
		if (map->vm_pmap != NULL && eff != old)
			pmap_protect(map->vm_pmap, e->vme_start, e->vme_end, eff);
	}
	if (e == NULL)
		kr = KERN_RESOURCE_SHORTAGE;
out:
	lck_spin_unlock_irqrestore(&map->vm_lock, st);
	return kr;
}

kern_return_t
vm_map_inherit(vm_map_t map, vaddr_t start, vaddr_t end, vm_inherit_t inherit)
{
	vm_map_entry_t e;
	bool st;

	if (inherit > VM_INHERIT_NONE)
		return KERN_INVALID_ARGUMENT;
	start = trunc_page(start);
	end = round_page(end);
	st = pmap_spin_lock_irqsave(&map->vm_lock);
	e = vm_map_range_first(map, start, end);
	for (; e != NULL && e != &map->vm_header && e->vme_start < end; e = e->vme_next) {
		if (!vm_map_clip_end(map, e, end)) {
			e = NULL;
			break;
		}
		e->vme_inherit = inherit;
	}
	lck_spin_unlock_irqrestore(&map->vm_lock, st);
	return e == NULL ? KERN_RESOURCE_SHORTAGE : KERN_SUCCESS;
}

/*
 * Make e's object a copy for a new entry template *n. Symmetric copy-on-write: both get
 * needs_copy and the source loses write access in its pmap. An object shared as itself
 * (TRUE_SHARE) keeps being written in place by its sharers: n gets a delayed copy of it
 * instead (vm_object.h) and e is left alone. Source map lock held.
 * Returns false (n not set up) when memory is short.
 */
bool
vm_map_entry_share_cow(vm_map_t map, vm_map_entry_t e, vm_map_entry_t n)
{
	*n = *e;
	if (e->vme_object == NULL)
		return true; /* zero fill on both sides: nothing shared yet */
	/*
	 * A needs_copy entry over a TRUE_SHARE object is a piece clipped off before the object
	 * was shared: nobody writes its range of the object in place, so symmetric copies do.
	 */
	if ((e->vme_object->vo_flags & VM_OBJECT_TRUE_SHARE) && !e->vme_needs_copy) {
		if ((n->vme_object = vm_object_copy_delayed(e->vme_object)) == NULL)
			return false;
		n->vme_needs_copy = true; /* n's own writes go to a shadow of the copy */
		return true;
	}
	vm_object_copy_quickly(e->vme_object, e->vme_offset, e->vme_end - e->vme_start);
	if (!e->vme_needs_copy && map->vm_pmap != NULL && (e->vme_prot & VM_PROT_WRITE))
		pmap_protect(map->vm_pmap, e->vme_start, e->vme_end,
			     e->vme_prot & ~VM_PROT_WRITE);
	e->vme_needs_copy = true;
	n->vme_needs_copy = true;
	return true;
}

/*
 * Give e an object that can be shared as itself: make the zero-fill object now, or resolve a
 * pending copy-on-write with a shadow, and mark the object TRUE_SHARE. Map lock held.
 * Returns false when memory is short (e unchanged).
 */
bool
vm_map_entry_make_shared(vm_map_entry_t e)
{
	if (e->vme_object == NULL) {
		if ((e->vme_object = vm_object_allocate(e->vme_end - e->vme_start)) == NULL)
			return false;
		e->vme_offset = 0;
		e->vme_needs_copy = false;
	} else if (e->vme_needs_copy) {
		if (!vm_object_shadow(&e->vme_object, &e->vme_offset, e->vme_end - e->vme_start))
			return false;
		e->vme_needs_copy = false;
	}
	vm_object_share(e->vme_object);
	return true;
}

kern_return_t
vm_map_copy_region(vm_map_t src_map, vaddr_t src, vm_size_t size, vm_map_t dst_map,
		   vaddr_t *dst)
{
	vaddr_t end = src + size, base;
	vm_map_entry_t e;
	bool st, st2 = false;
	kern_return_t kr = KERN_SUCCESS;

	if (size == 0 || ((src | size) & PAGE_MASK) != 0 || end < src || src < src_map->vm_min ||
	    end > src_map->vm_max)
		return KERN_INVALID_ADDRESS;
	st = pmap_spin_lock_irqsave(&src_map->vm_lock);
	/* XXX: two map locks at once; with more CPUs this wants an order (by address). */
	if (dst_map != src_map)
		st2 = pmap_spin_lock_irqsave(&dst_map->vm_lock);
	if (!vm_map_find_space(dst_map, dst_map->vm_min, size, &base)) {
		kr = KERN_NO_SPACE;
		goto out;
	}
	e = vm_map_range_first(src_map, src, end);
	for (; e != NULL && e != &src_map->vm_header && e->vme_start < end; e = e->vme_next) {
		vm_map_entry_t n, prev;

		if (!vm_map_clip_end(src_map, e, end) || (n = vm_map_entry_create()) == NULL) {
			e = NULL;
			break;
		}
		if (!vm_map_entry_share_cow(src_map, e, n)) {
			vm_map_entry_dispose(n);
			e = NULL;
			break;
		}
		n->vme_start = base + (e->vme_start - src);
		n->vme_end = base + (e->vme_end - src);
		n->vme_wired = 0;
		(void)vm_map_lookup_entry(dst_map, n->vme_start, &prev);
		vm_map_link(dst_map, prev, n);
	}
	if (e == NULL)
		kr = KERN_RESOURCE_SHORTAGE; /* XXX: the part copied stays mapped */
	*dst = base;
out:
	if (dst_map != src_map)
		lck_spin_unlock_irqrestore(&dst_map->vm_lock, st2);
	lck_spin_unlock_irqrestore(&src_map->vm_lock, st);
	return kr;
}

vm_map_t
vm_map_fork(vm_map_t old, pmap_t pmap)
{
	vm_map_t map = vm_map_create(pmap, old->vm_min, old->vm_max);
	bool st;

	if (map == NULL)
		return NULL;
	st = pmap_spin_lock_irqsave(&old->vm_lock);
	for (vm_map_entry_t e = old->vm_header.vme_next; e != &old->vm_header; e = e->vme_next) {
		vm_map_entry_t n;

		if (e->vme_inherit == VM_INHERIT_NONE)
			continue;
		if ((n = vm_map_entry_create()) == NULL)
			break; /* XXX: a partial child; the caller cannot tell yet */
		if (e->vme_inherit == VM_INHERIT_SHARE) {
			/* Sharing needs one object both see, written in place by both. */
			if (!vm_map_entry_make_shared(e)) {
				vm_map_entry_dispose(n);
				break; /* XXX: as above */
			}
			*n = *e;
			vm_object_reference(n->vme_object);
		} else if (!vm_map_entry_share_cow(old, e, n)) {
			vm_map_entry_dispose(n);
			break; /* XXX: as above */
		}
		n->vme_wired = 0;
		vm_map_link(map, map->vm_header.vme_prev, n);
	}
	lck_spin_unlock_irqrestore(&old->vm_lock, st);
	return map;
}

/*
 * Invariants.
 */

/* Black height of the subtree at x, or -1 when it breaks a red-black rule. */
static int
rb_check(vm_map_entry_t x, vm_map_entry_t parent, unsigned *count)
{
	int l, r;

	if (x == NULL)
		return 1;
	if (x->vme_parent != parent || (x->vme_red && (rb_red(x->vme_left) ||
						       rb_red(x->vme_right))))
		return -1;
	if ((x->vme_left != NULL && x->vme_left->vme_start >= x->vme_start) ||
	    (x->vme_right != NULL && x->vme_right->vme_start <= x->vme_start))
		return -1;
	(*count)++;
	l = rb_check(x->vme_left, x, count);
	r = rb_check(x->vme_right, x, count);
	if (l < 0 || r < 0 || l != r)
		return -1;
	return l + (x->vme_red ? 0 : 1);
}

bool
vm_map_check(vm_map_t map)
{
	vaddr_t last = map->vm_min;
	unsigned n = 0, tn = 0;
	vm_size_t size = 0;
	vm_map_entry_t f;

	for (vm_map_entry_t e = map->vm_header.vme_next; e != &map->vm_header; e = e->vme_next) {
		if (e->vme_start >= e->vme_end || e->vme_start < last || e->vme_end > map->vm_max ||
		    e->vme_next->vme_prev != e) {
			klog(LOG_ERR, "vm_map_check: entry [%#lx, %#lx) out of order\n",
			     (unsigned long)e->vme_start, (unsigned long)e->vme_end);
			return false;
		}
		if (!vm_map_lookup_entry(map, e->vme_start, &f) || f != e ||
		    !vm_map_lookup_entry(map, e->vme_end - 1, &f) || f != e) {
			klog(LOG_ERR, "vm_map_check: the tree does not find [%#lx, %#lx)\n",
			     (unsigned long)e->vme_start, (unsigned long)e->vme_end);
			return false;
		}
		last = e->vme_end;
		size += e->vme_end - e->vme_start;
		n++;
	}
	if (rb_red(map->vm_root) || rb_check(map->vm_root, NULL, &tn) < 0) {
		klog(LOG_ERR, "vm_map_check: the tree breaks a red-black rule\n");
		return false;
	}
	if (n != map->vm_nentries || tn != n || size != map->vm_size) {
		klog(LOG_ERR, "vm_map_check: %u listed, %u in the tree, %u counted\n", n, tn,
		     map->vm_nentries);
		return false;
	}
	return true;
}
