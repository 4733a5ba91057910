/*
 * vfs_lookup.c — namei: path name to vnode (4.4BSD kern/vfs_lookup.c; POSIX XBD 4.13 path
 * resolution), through the name cache (vfs_cache.c) and across mount points.
 *
 * The one idea: the walk holds exactly one use reference, on the directory it is in; each step
 * takes the next vnode's reference before dropping the directory's. A symlink is resolved by
 * splicing its target in front of the rest of the path in the working buffer, and starting
 * again from the symlink's directory (or from / for an absolute target).
 */
#include <bsd/sys/mount.h>
#include <bsd/sys/namei.h>
#include <console.h>
#include <mach/kern/kalloc.h>

/* The name cache's tryref: a use reference, unless the vnode is being recycled. */
static bool
namei_tryref(void *p)
{
	vnode_t vp = p;

	if (vp->v_flag & (VRECLAIM | VDEAD))
		return false;
	vnode_ref(vp);
	return true;
}

/* Look one component up in dp (a directory), through the cache. */
static int
namei_step(vnode_t dp, const char *comp, size_t len, vnode_t *vpp)
{
	void *hit;
	int err;

	if (dp->v_mount->mnt_flag & MNT_NOCACHE)
		return VOP_LOOKUP(dp, comp, len, vpp);
	switch (nc_lookup(dp, comp, len, namei_tryref, &hit)) {
	case NC_HIT:
		*vpp = hit;
		return 0;
	case NC_NEGATIVE:
		return ENOENT;
	case NC_MISS:
		break;
	}
	err = VOP_LOOKUP(dp, comp, len, vpp);
	if (err == 0 && !(len == 2 && comp[0] == '.' && comp[1] == '.'))
		nc_enter(dp, comp, len, *vpp);
	else if (err == ENOENT)
		nc_enter(dp, comp, len, NULL);
	return err;
}

/* The symlink vp's target into buf (NUL-terminated). */
static int
namei_readlink(vnode_t vp, char *buf, size_t cap, size_t *lenp)
{
	struct iovec iov;
	struct uio uio;
	int err;

	uio_init_sys(&uio, &iov, buf, cap - 1, 0, UIO_READ);
	if ((err = VOP_READLINK(vp, &uio)) != 0)
		return err;
	*lenp = cap - 1 - uio.uio_resid;
	buf[*lenp] = '\0';
	return *lenp == 0 ? ENOENT : 0;
}

int
namei(struct nameidata *nd)
{
	size_t plen = strnlen(nd->ni_path, PATH_MAX + 1), len, rest, llen;
	char *buf = NULL, *link = NULL;
	const char *p, *comp;
	vnode_t dp, vp = NULL;
	unsigned loops = 0;
	int err = 0;

	nd->ni_vp = nd->ni_dvp = NULL;
	nd->ni_name[0] = '\0';
	nd->ni_namelen = 0;
	if (plen > PATH_MAX)
		return ENAMETOOLONG;
	if (plen == 0)
		return ENOENT;
	if (rootvnode == NULL)
		return ENOENT;
	buf = kalloc(PATH_MAX + 1);
	link = kalloc(PATH_MAX + 1);
	if (buf == NULL || link == NULL) {
		err = ENOMEM;
		goto out;
	}
	memcpy(buf, nd->ni_path, plen + 1);
	dp = (buf[0] == '/' || nd->ni_startdir == NULL) ? rootvnode : nd->ni_startdir;
	vnode_ref(dp);
	p = buf;
	for (;;) {
		const char *q;
		bool last, slash;

		if (!vfs_path_next(&p, &comp, &len)) {
			/* The path names dp itself ("/", or it ended in "." / ".."). */
			nd->ni_vp = dp;
			if (nd->ni_flags & WANTPARENT) {
				vnode_ref(dp);
				nd->ni_dvp = dp;
			}
			nd->ni_name[0] = '.';
			nd->ni_name[1] = '\0';
			nd->ni_namelen = 1;
			goto out;
		}
		if (len > NAME_MAX) {
			err = ENAMETOOLONG;
			break;
		}
		for (q = p; *q == '/'; q++)
			;
		last = *q == '\0';
		slash = *p == '/';
		if (dp->v_type != VDIR) {
			err = ENOTDIR;
			break;
		}
		if (len == 2 && comp[0] == '.' && comp[1] == '.') {
			/* Up from a mount's root: to the directory it covers, then "..". */
			while (dp != rootvnode && (dp->v_flag & VROOT) &&
			       dp->v_mount->mnt_vnodecovered != NULL) {
				vnode_t c = dp->v_mount->mnt_vnodecovered;

				vnode_ref(c);
				vnode_rele(dp);
				dp = c;
			}
			if (dp == rootvnode) {
				vnode_ref(dp);
				vp = dp;
			} else {
				err = namei_step(dp, comp, len, &vp);
			}
		} else if (len == 1 && comp[0] == '.') {
			vnode_ref(dp);
			vp = dp;
		} else {
			err = namei_step(dp, comp, len, &vp);
		}
		if (err == ENOENT && last && (nd->ni_op == CREATE || nd->ni_op == RENAME)) {
			/* The name is free: hand back its directory. */
			memcpy(nd->ni_name, comp, len);
			nd->ni_name[len] = '\0';
			nd->ni_namelen = len;
			nd->ni_dvp = dp;
			err = 0;
			goto out;
		}
		if (err != 0)
			break;
		/* Down into what is mounted here. */
		while (vp->v_type == VDIR && vp->v_mountedhere != NULL) {
			vnode_t r = vp->v_mountedhere->mnt_root;

			vnode_ref(r);
			vnode_rele(vp);
			vp = r;
		}
		if (vp->v_type == VLNK && (!last || slash || (nd->ni_flags & FOLLOW))) {
			err = ++loops > MAXSYMLINKS ? ELOOP
						    : namei_readlink(vp, link, PATH_MAX + 1, &llen);
			vnode_rele(vp);
			vp = NULL;
			if (err != 0)
				break;
			rest = strlen(p);
			if (llen + rest > PATH_MAX) {
				err = ENAMETOOLONG;
				break;
			}
			/* buf = target + rest (p points into buf: move the rest first; it is
			 * empty or starts with its slash). */
			memmove(buf + llen, p, rest + 1);
			memcpy(buf, link, llen);
			p = buf;
			if (buf[0] == '/') {
				vnode_rele(dp);
				dp = rootvnode;
				vnode_ref(dp);
			}
			continue;
		}
		if (last) {
			if (slash && vp->v_type != VDIR) {
				vnode_rele(vp);
				err = ENOTDIR;
				break;
			}
			memcpy(nd->ni_name, comp, len);
			nd->ni_name[len] = '\0';
			nd->ni_namelen = len;
			nd->ni_vp = vp;
			if (nd->ni_flags & WANTPARENT)
				nd->ni_dvp = dp;
			else
				vnode_rele(dp);
			goto out;
		}
		vnode_rele(dp);
		dp = vp;
		vp = NULL;
	}
	vnode_rele(dp);
out:
	if (buf != NULL)
		kfree(buf, PATH_MAX + 1);
	if (link != NULL)
		kfree(link, PATH_MAX + 1);
	return err;
}

void
namei_done(struct nameidata *nd)
{
	if (nd->ni_vp != NULL)
		vnode_rele(nd->ni_vp);
	if (nd->ni_dvp != NULL)
		vnode_rele(nd->ni_dvp);
	nd->ni_vp = nd->ni_dvp = NULL;
}
