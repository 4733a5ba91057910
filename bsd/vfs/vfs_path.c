/*
 * vfs_path.c — scanning path names into components (portable: unit-tested on the host).
 * POSIX path resolution (XBD 4.13): components are separated by one or more slashes; a
 * trailing slash names the directory itself.
 */
#include <bsd/sys/namei.h>

bool
vfs_path_next(const char **p, const char **comp, size_t *len)
{
	const char *s = *p;

	while (*s == '/')
		s++;
	if (*s == '\0') {
		*p = s;
		return false;
	}
	*comp = s;
	while (*s != '\0' && *s != '/')
		s++;
	*len = (size_t)(s - *comp);
	*p = s;
	return true;
}

int
vfs_path_split(const char *path, char *dirbuf, size_t dirlen, const char **name,
	       size_t *namelen)
{
	size_t end = strlen(path), start, dend;

	while (end > 1 && path[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	*name = path + start;
	*namelen = end - start;
	if (end == 1 && path[0] == '/') {
		*namelen = 0;
		*name = path + 1;
	}
	if (*namelen > NAME_MAX)
		return ENAMETOOLONG;
	if (start == 0) {
		if (dirlen < 2)
			return ENAMETOOLONG;
		dirbuf[0] = '.';
		dirbuf[1] = '\0';
		return 0;
	}
	dend = start;
	while (dend > 1 && path[dend - 1] == '/')
		dend--;
	if (dend + 1 > dirlen)
		return ENAMETOOLONG;
	memcpy(dirbuf, path, dend);
	dirbuf[dend] = '\0';
	return 0;
}
