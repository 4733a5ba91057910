/*
 * vfs_cache_test.c — unit tests for bsd/vfs/vfs_cache.c, the name cache: hits, negative
 * entries, replacement of an entry, forgetting a name (remove/rename) and a vnode (recycle),
 * a refused reference (a vnode being recycled), long names never cached, and LRU eviction when
 * the pool is full.
 */
// unit-deps: tests/unit/shim/kalloc_malloc.c
#include <criterion/criterion.h>
#include <bsd/sys/namei.h>
#include <stdio.h>

static int dirs[4], files[64];
static unsigned refs;

static bool
take_ref(void *vp)
{
	refs++;
	return true;
}

static bool
refuse_ref(void *vp)
{
	return false;
}

static enum nc_result
look(void *dvp, const char *name, void **vpp)
{
	return nc_lookup(dvp, name, strlen(name), take_ref, vpp);
}

static void
setup(void)
{
	cr_assert_eq(nc_init(16), 0);
	refs = 0;
}

TestSuite(vfs_cache, .init = setup);

Test(vfs_cache, rejects_a_size_that_is_not_a_power_of_two)
{
	cr_assert_eq(nc_init(12), EINVAL);
}

Test(vfs_cache, hit_after_enter_takes_a_reference)
{
	void *vp;

	cr_assert_eq(look(&dirs[0], "a", &vp), NC_MISS);
	nc_enter(&dirs[0], "a", 1, &files[0]);
	cr_assert_eq(look(&dirs[0], "a", &vp), NC_HIT);
	cr_assert_eq(vp, &files[0]);
	cr_assert_eq(refs, 1);
	/* Same name, other directory: a miss. */
	cr_assert_eq(look(&dirs[1], "a", &vp), NC_MISS);
	cr_assert_eq(look(&dirs[0], "ab", &vp), NC_MISS);
}

Test(vfs_cache, negative_entry_then_replaced_by_a_create)
{
	void *vp;

	nc_enter(&dirs[0], "ghost", 5, NULL);
	cr_assert_eq(look(&dirs[0], "ghost", &vp), NC_NEGATIVE);
	cr_assert_null(vp);
	cr_assert_eq(refs, 0);
	nc_enter(&dirs[0], "ghost", 5, &files[1]);
	cr_assert_eq(look(&dirs[0], "ghost", &vp), NC_HIT);
	cr_assert_eq(vp, &files[1]);
	cr_assert_eq(nc_stats.ncs_neghits, 1);
}

Test(vfs_cache, remove_forgets_the_name_only)
{
	void *vp;

	nc_enter(&dirs[0], "x", 1, &files[0]);
	nc_enter(&dirs[0], "y", 1, &files[1]);
	nc_remove(&dirs[0], "x", 1);
	cr_assert_eq(look(&dirs[0], "x", &vp), NC_MISS);
	cr_assert_eq(look(&dirs[0], "y", &vp), NC_HIT);
}

Test(vfs_cache, purge_forgets_a_vnode_as_target_and_as_directory)
{
	void *vp;

	nc_enter(&dirs[0], "f", 1, &files[2]);
	nc_enter(&dirs[1], "hardlink", 8, &files[2]);
	nc_enter(&files[2], "child", 5, &files[3]); /* files[2] used as a directory */
	nc_enter(&dirs[0], "other", 5, &files[4]);
	nc_purge(&files[2]);
	cr_assert_eq(look(&dirs[0], "f", &vp), NC_MISS);
	cr_assert_eq(look(&dirs[1], "hardlink", &vp), NC_MISS);
	cr_assert_eq(look(&files[2], "child", &vp), NC_MISS);
	cr_assert_eq(look(&dirs[0], "other", &vp), NC_HIT);
	nc_purge_all();
	cr_assert_eq(look(&dirs[0], "other", &vp), NC_MISS);
}

Test(vfs_cache, refused_reference_is_a_miss)
{
	void *vp = &files[0];

	nc_enter(&dirs[0], "dying", 5, &files[5]);
	cr_assert_eq(nc_lookup(&dirs[0], "dying", 5, refuse_ref, &vp), NC_MISS);
	cr_assert_null(vp);
}

Test(vfs_cache, long_names_are_not_cached)
{
	char name[NC_NAMELEN + 2];
	void *vp;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	nc_enter(&dirs[0], name, strlen(name), &files[0]);
	cr_assert_eq(look(&dirs[0], name, &vp), NC_MISS);
	name[NC_NAMELEN] = '\0'; /* exactly NC_NAMELEN: cached */
	nc_enter(&dirs[0], name, strlen(name), &files[0]);
	cr_assert_eq(look(&dirs[0], name, &vp), NC_HIT);
}

Test(vfs_cache, full_pool_evicts_the_least_recently_used)
{
	char name[16];
	void *vp;

	for (int i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		nc_enter(&dirs[2], name, strlen(name), &files[i]);
	}
	/* Touch f0: f1 is now the oldest. */
	cr_assert_eq(look(&dirs[2], "f0", &vp), NC_HIT);
	nc_enter(&dirs[2], "new", 3, &files[20]);
	cr_assert_eq(look(&dirs[2], "f1", &vp), NC_MISS);
	cr_assert_eq(look(&dirs[2], "f0", &vp), NC_HIT);
	cr_assert_eq(look(&dirs[2], "new", &vp), NC_HIT);
	for (int i = 2; i < 16; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		cr_assert_eq(look(&dirs[2], name, &vp), NC_HIT, "f%d", i);
	}
}

Test(vfs_cache, many_names_in_one_directory_stay_consistent)
{
	char name[16];
	void *vp;

	/* More names than entries, with removes mixed in: every answer is right or a miss. */
	for (int round = 0; round < 200; round++) {
		int i = (round * 7) % 64;

		snprintf(name, sizeof(name), "n%d", i);
		if (round % 5 == 0)
			nc_remove(&dirs[3], name, strlen(name));
		else
			nc_enter(&dirs[3], name, strlen(name), &files[i]);
		for (int j = 0; j < 64; j++) {
			snprintf(name, sizeof(name), "n%d", j);
			if (look(&dirs[3], name, &vp) == NC_HIT)
				cr_assert_eq(vp, &files[j]);
		}
	}
}
