/*
 * format.c — printf-style formatting for the kernel, written once and used by printf, klog,
 * ksnprintf and panic.
 *
 * Follows C11 §7.21.6.1 (the fprintf function) for the conversions d i u o x X c s p %, the flags
 * "-+ #0", field width and precision (also as '*'), and the length modifiers hh h l ll z j t.
 * Floating point is not supported: the kernel is built with -mgeneral-regs-only. %p prints
 * 0x followed by the hexadecimal address, as glibc does for non-null pointers.
 *
 * The engine writes through a sink callback in runs, so the console can send a long string
 * without copying it and ksnprintf can bound its buffer.
 */
#include <libkern/libkern.h>

struct fmt_spec {
	bool left, plus, space, alt, zero;
	int width;
	int prec; /* -1: none given */
};

struct fmt_out {
	format_sink_t sink;
	void *arg;
	int count;
};

static void
out_str(struct fmt_out *o, const char *s, size_t n)
{
	if (n == 0)
		return;
	o->sink(o->arg, s, n);
	o->count += (int)n;
}

static void
out_pad(struct fmt_out *o, char c, int n)
{
	char buf[16];

	memset(buf, c, sizeof(buf));
	while (n > 0) {
		int k = n > (int)sizeof(buf) ? (int)sizeof(buf) : n;
		out_str(o, buf, (size_t)k);
		n -= k;
	}
}

/*
 * Emit one integer conversion. digits holds the magnitude's digits (most significant first),
 * prefix the sign or 0x, and the spec decides zero padding and precision.
 */
static void
out_number(struct fmt_out *o, const struct fmt_spec *sp, const char *prefix, const char *digits,
	   int ndigits)
{
	int plen = (int)strlen(prefix);
	int zeros = 0, len, pad;

	if (sp->prec >= 0) {
		if (sp->prec > ndigits)
			zeros = sp->prec - ndigits;
	} else if (sp->zero && !sp->left) {
		int want = sp->width - plen - ndigits;
		if (want > 0)
			zeros = want;
	}
	len = plen + zeros + ndigits;
	pad = sp->width > len ? sp->width - len : 0;
	if (!sp->left)
		out_pad(o, ' ', pad);
	out_str(o, prefix, (size_t)plen);
	out_pad(o, '0', zeros);
	out_str(o, digits, (size_t)ndigits);
	if (sp->left)
		out_pad(o, ' ', pad);
}

static void
fmt_integer(struct fmt_out *o, const struct fmt_spec *sp, char conv, uint64_t mag, bool neg)
{
	static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
	const char *dig = conv == 'X' ? upper : lower;
	unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
	char buf[24], *p = buf + sizeof(buf);
	const char *prefix = "";
	int n;

	for (uint64_t v = mag; v != 0; v /= base)
		*--p = dig[v % base];
	n = (int)(buf + sizeof(buf) - p);
	/* C11: precision 0 with value 0 prints no digits; otherwise 0 prints "0". */
	if (n == 0 && sp->prec != 0) {
		*--p = '0';
		n = 1;
	}
	if (conv == 'd' || conv == 'i')
		prefix = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";
	else if (conv == 'p' || (sp->alt && mag != 0 && base == 16))
		prefix = conv == 'X' ? "0X" : "0x";
	else if (sp->alt && base == 8 && (n == 0 || *p != '0')) {
		*--p = '0';
		n++;
	}
	out_number(o, sp, prefix, p, n);
}

int
kvformat(format_sink_t sink, void *arg, const char *fmt, va_list ap)
{
	struct fmt_out o = { sink, arg, 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt != '\0') {
		struct fmt_spec sp = { .prec = -1 };
		const char *start = fmt;
		int lng = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long, 3 size/intmax/ptrdiff */
		char conv;

		while (*fmt != '\0' && *fmt != '%')
			fmt++;
		out_str(&o, start, (size_t)(fmt - start));
		if (*fmt == '\0')
			break;
		start = fmt++;

		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '+')
				sp.plus = true;
			else if (*fmt == ' ')
				sp.space = true;
			else if (*fmt == '#')
				sp.alt = true;
			else if (*fmt == '0')
				sp.zero = true;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(args, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9' && sp.width < 100000)
				sp.width = sp.width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			sp.prec = 0;
			if (*fmt == '*') {
				sp.prec = va_arg(args, int);
				if (sp.prec < 0)
					sp.prec = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9' && sp.prec < 100000)
					sp.prec = sp.prec * 10 + (*fmt++ - '0');
			}
		}
		switch (*fmt) {
		case 'h':
			lng = fmt[1] == 'h' ? -2 : -1;
			fmt += lng == -2 ? 2 : 1;
			break;
		case 'l':
			lng = fmt[1] == 'l' ? 2 : 1;
			fmt += lng;
			break;
		case 'z':
		case 'j':
		case 't':
			lng = 3;
			fmt++;
			break;
		}

		conv = *fmt;
		if (conv == '\0') {
			/* A lone '%' at the end: print what we consumed rather than lose it. */
			out_str(&o, start, (size_t)(fmt - start));
			break;
		}
		fmt++;
		switch (conv) {
		case 'd':
		case 'i': {
			int64_t v;
			if (lng >= 1)
				v = lng == 1 ? va_arg(args, long) : va_arg(args, long long);
			else
				v = va_arg(args, int);
			if (lng == -1)
				v = (short)v;
			else if (lng == -2)
				v = (signed char)v;
			fmt_integer(&o, &sp, conv, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
			break;
		}
		case 'u':
		case 'o':
		case 'x':
		case 'X': {
			uint64_t v;
			if (lng >= 1)
				v = lng == 1 ? va_arg(args, unsigned long) : va_arg(args, unsigned long long);
			else
				v = va_arg(args, unsigned int);
			if (lng == -1)
				v = (unsigned short)v;
			else if (lng == -2)
				v = (unsigned char)v;
			fmt_integer(&o, &sp, conv, v, false);
			break;
		}
		case 'p': {
			uintptr_t v = (uintptr_t)va_arg(args, void *);
			if (v == 0) {
				struct fmt_spec s2 = sp;
				s2.prec = -1;
				s2.zero = false;
				out_number(&o, &s2, "", "(nil)", 5);
			} else {
				fmt_integer(&o, &sp, 'p', v, false);
			}
			break;
		}
		case 'c': {
			char c = (char)va_arg(args, int);
			struct fmt_spec s2 = sp;
			s2.prec = -1;
			s2.zero = false;
			out_number(&o, &s2, "", &c, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(args, const char *);
			struct fmt_spec s2 = sp;
			size_t n;
			if (s == NULL)
				s = "(null)";
			n = sp.prec >= 0 ? strnlen(s, (size_t)sp.prec) : strlen(s);
			s2.prec = -1;
			s2.zero = false;
			out_number(&o, &s2, "", s, (int)n);
			break;
		}
		case '%':
			out_str(&o, "%", 1);
			break;
		default:
			/* Unknown conversion: print it verbatim so the mistake is visible. */
			out_str(&o, start, (size_t)(fmt - start));
			break;
		}
	}
	va_end(args);
	return o.count;
}

struct snbuf {
	char *buf;
	size_t size, len;
};

static void
snbuf_sink(void *arg, const char *s, size_t n)
{
	struct snbuf *b = arg;

	if (b->len + 1 < b->size) {
		size_t room = b->size - 1 - b->len;
		memcpy(b->buf + b->len, s, n < room ? n : room);
	}
	b->len += n;
}

int
kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct snbuf b = { buf, size, 0 };
	int n = kvformat(snbuf_sink, &b, fmt, ap);

	if (size > 0)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n;
}

int
ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

bool
kstrtou64(const char *s, size_t len, unsigned base, uint64_t *out)
{
	uint64_t v = 0;

	if (base == 16 && len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	if (len == 0 || (base != 10 && base != 16))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d;
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}
