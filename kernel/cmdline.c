/*
 * cmdline.c — parse the kernel command line once into key/value pairs.
 *
 * The format is the one ARCHITECTURE.md promises to scripts and users (space-separated
 * key=value, bare flags, repeatable keys, unknown keys passed to init), with Linux's double
 * quotes around values. Parsing copies into a fixed buffer and never fails: a command line comes
 * from whoever launched the VM and is only as right as they made it.
 */
#include <cmdline.h>

struct cmdline boot_cmdline;

static const char *const known_keys[] = {
	"console", "root", "init", "ktest", "loglevel", "quiet",
};

static bool
is_known(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(known_keys); i++)
		if (strcmp(known_keys[i], key) == 0)
			return true;
	return false;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Skip the rest of a word that is not kept. Quotes are followed as the copy follows them, so a
 * quoted value's spaces do not split the remainder into words of its own.
 */
static const char *
skip_word(const char *s, bool quoted)
{
	while (*s != '\0' && (quoted || !is_space(*s))) {
		if (*s == '"')
			quoted = !quoted;
		s++;
	}
	return s;
}

void
cmdline_parse(struct cmdline *cl, const char *s)
{
	size_t out = 0;

	memset(cl, 0, sizeof(*cl));
	while (*s != '\0') {
		struct cmdline_arg *a;
		bool quoted = false, full = false;
		size_t start;

		while (is_space(*s))
			s++;
		if (*s == '\0')
			break;
		if (cl->nargs == CMDLINE_MAX_ARGS || out + 2 >= sizeof(cl->buf)) {
			cl->dropped++;
			s = skip_word(s, false);
			continue;
		}

		/* Copy one word, removing quotes; '=' outside the key splits key from value. */
		start = out;
		a = &cl->args[cl->nargs];
		a->key = &cl->buf[start];
		a->value = NULL;
		while (*s != '\0' && (quoted || !is_space(*s))) {
			if (*s == '"') {
				quoted = !quoted;
				s++;
				continue;
			}
			if (out + 2 >= sizeof(cl->buf)) {
				full = true;
				break;
			}
			if (*s == '=' && a->value == NULL) {
				cl->buf[out++] = '\0';
				a->value = &cl->buf[out];
				s++;
				continue;
			}
			cl->buf[out++] = *s++;
		}
		if (full) {
			/* The word did not fit: drop it whole rather than keep half a value. */
			cl->dropped++;
			out = start;
			s = skip_word(s, quoted);
			continue;
		}
		cl->buf[out++] = '\0';
		if (a->key[0] == '\0') {
			out = start; /* "=value" names nothing */
			cl->dropped++;
			continue;
		}
		a->known = is_known(a->key);
		cl->nargs++;
	}
}

const char *
cmdline_next(const struct cmdline *cl, const char *key, unsigned *pos)
{
	for (; *pos < cl->nargs; (*pos)++) {
		const struct cmdline_arg *a = &cl->args[*pos];
		if (strcmp(a->key, key) == 0) {
			(*pos)++;
			return a->value != NULL ? a->value : "";
		}
	}
	return NULL;
}

const char *
cmdline_get(const struct cmdline *cl, const char *key)
{
	const char *v, *last = NULL;
	unsigned pos = 0;

	while ((v = cmdline_next(cl, key, &pos)) != NULL)
		last = v;
	return last;
}

bool
cmdline_has(const struct cmdline *cl, const char *key)
{
	return cmdline_get(cl, key) != NULL;
}

bool
cmdline_get_uint(const struct cmdline *cl, const char *key, uint64_t min, uint64_t max,
		 uint64_t *out)
{
	const char *v = cmdline_get(cl, key);
	uint64_t n;
	size_t len;

	if (v == NULL)
		return false;
	len = strlen(v);
	if (!kstrtou64(v, len, len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X') ? 16 : 10,
		       &n))
		return false;
	if (n < min || n > max)
		return false;
	*out = n;
	return true;
}

bool
cmdline_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (list != NULL && *list != '\0') {
		const char *comma = strchr(list, ',');
		size_t len = comma != NULL ? (size_t)(comma - list) : strlen(list);
		if (len == n && strncmp(list, name, n) == 0)
			return true;
		list = comma != NULL ? comma + 1 : NULL;
	}
	return false;
}
