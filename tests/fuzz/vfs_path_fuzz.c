/*
 * vfs_path_fuzz.c — libFuzzer harness for bsd/vfs/vfs_path.c: path names come from users (and
 * from symlink targets on disk), so any string must scan without a fault.
 *
 * The input is the path (up to its first NUL). Checked on every input: each component lies
 * inside the path, is not empty and holds no slash, and the components plus the slashes
 * account for every byte; vfs_path_split answers within its buffer, with a last name inside the
 * path that holds no slash, and ENAMETOOLONG exactly when that name is over NAME_MAX or the
 * directory does not fit.
 */
// fuzz-deps: bsd/vfs/vfs_path.c
#include <bsd/sys/namei.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = malloc(size + 1), dir[64];
	const char *p, *comp, *name;
	size_t len, total = 0, namelen, plen;
	int err;

	if (path == NULL)
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	plen = strlen(path);
	p = path;
	while (vfs_path_next(&p, &comp, &len)) {
		if (comp < path || comp + len > path + plen || len == 0 ||
		    memchr(comp, '/', len) != NULL)
			abort();
		total += len;
	}
	for (size_t i = 0; i < plen; i++)
		total += path[i] == '/';
	if (total != plen || *p != '\0')
		abort();

	err = vfs_path_split(path, dir, sizeof(dir), &name, &namelen);
	if (err != 0 && err != ENAMETOOLONG)
		abort();
	if (name < path || name + namelen > path + plen || memchr(name, '/', namelen) != NULL)
		abort();
	if (err == 0 && (namelen > NAME_MAX || strnlen(dir, sizeof(dir)) >= sizeof(dir)))
		abort();
	if (err == ENAMETOOLONG && namelen <= NAME_MAX && plen < sizeof(dir))
		abort(); /* the directory is shorter than the path: it fitted */
	free(path);
	return 0;
}
