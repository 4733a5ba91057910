/*
 * namei.h — path name lookup (4.4BSD sys/namei.h): the request (struct nameidata), the
 * path-component scanner, and the name cache of (directory, name) → vnode, negative entries
 * included.
 *
 * The one idea: the name cache holds no references. A cached vnode is only returned after a
 * reference was taken on it under the cache lock (nc_lookup's tryref), and a vnode being
 * recycled refuses that reference and then purges itself from the cache, so a stale entry can
 * never hand out a recycled vnode.
 */
#ifndef _BSD_SYS_NAMEI_H_
#define _BSD_SYS_NAMEI_H_

#include <bsd/sys/vnode.h>
#include <libkern/libkern.h>

#define NAME_MAX    255
#define PATH_MAX    4096
#define MAXSYMLINKS 32

/* ni_op */
enum namei_op { LOOKUP, CREATE, DELETE, RENAME };

/* ni_flags */
#define FOLLOW	   0x1 /* follow a symlink in the last component */
#define WANTPARENT 0x2 /* return the parent directory in ni_dvp (with a use) */

struct nameidata {
	const char *ni_path;	/* in: the path (kernel memory) */
	enum namei_op ni_op;	/* in */
	uint32_t ni_flags;	/* in */
	vnode_t ni_startdir;	/* in: where relative paths start (NULL: the root) */
	vnode_t ni_dvp;		/* out (WANTPARENT): the last component's directory */
	vnode_t ni_vp;		/* out: the vnode; NULL for CREATE/RENAME of a free name */
	char ni_name[NAME_MAX + 1]; /* out: the last component ("" for "/") */
	size_t ni_namelen;
};

/*
 * namei: resolve nd->ni_path. Every component but the last must be a directory; symlinks are
 * followed (in the last component only with FOLLOW), at most MAXSYMLINKS in all; ".." at a
 * file system's root crosses to the covered directory, and at / stays at /.
 *   Refs:    on success ni_vp (if not NULL) and ni_dvp (with WANTPARENT) carry a use each:
 *            give them back with namei_done().
 *   Returns: 0; ENOENT (a component is missing; for CREATE/RENAME only a missing last one is
 *            success with ni_vp NULL); ENOTDIR; ENAMETOOLONG (a component over NAME_MAX or the
 *            path over PATH_MAX); ELOOP; EIO and other file system errors.
 */
int namei(struct nameidata *nd);
void namei_done(struct nameidata *nd);

/*
 * vfs_path_next: the next component of a path at *p: skips slashes, sets *comp and *len, and
 * advances *p past it. Returns false at the end of the path. Portable.
 */
bool vfs_path_next(const char **p, const char **comp, size_t *len);

/*
 * vfs_path_split: the directory and the last component of path (trailing slashes ignored):
 * "/a/b/" → dir "/a", name "b"; "b" → dir ".", name "b"; "/" → dir "/", name "". dir is
 * written to dirbuf (dirlen bytes). Returns 0, ENAMETOOLONG.
 */
int vfs_path_split(const char *path, char *dirbuf, size_t dirlen, const char **name,
		   size_t *namelen);

/* Name cache (vfs_cache.c). Names longer than NC_NAMELEN are never cached. */
#define NC_NAMELEN 39

/* nc_lookup answers */
enum nc_result { NC_MISS, NC_HIT, NC_NEGATIVE };

struct nc_stats {
	uint64_t ncs_hits, ncs_neghits, ncs_misses, ncs_enters, ncs_purges;
};
extern struct nc_stats nc_stats;

/* nc_init: allocate the cache of nentries entries (a power of two). Returns 0, ENOMEM. */
int nc_init(unsigned nentries);

/*
 * nc_lookup: look name up in dvp's entries. On a positive entry, tryref(vp) runs under the
 * cache lock and must take a reference (or refuse: the answer is then NC_MISS).
 *   Returns: NC_HIT (*vpp referenced), NC_NEGATIVE (the name is known not to exist), NC_MISS.
 */
enum nc_result nc_lookup(void *dvp, const char *name, size_t len, bool (*tryref)(void *vp),
			 void **vpp);

/* nc_enter: remember name in dvp as vp (NULL: a negative entry). Replaces an older entry. */
void nc_enter(void *dvp, const char *name, size_t len, void *vp);

/* nc_remove: forget name in dvp (remove, rename, create over a negative entry). */
void nc_remove(void *dvp, const char *name, size_t len);

/* nc_purge: forget every entry that names vp, as the directory or as the target. */
void nc_purge(void *vp);

/* nc_purge_all: forget everything (unmount). */
void nc_purge_all(void);

#endif /* _BSD_SYS_NAMEI_H_ */
