/*
 * inflate.c — DEFLATE (RFC 1951) and gzip (RFC 1952) decompression; see inflate.h.
 *
 * The one idea: a Huffman code of DEFLATE is canonical, so it is fully described by how many
 * codes there are of each length (1..15) and the symbols in code order; decoding reads one bit
 * at a time and, at each length, asks whether the code read so far falls among that length's
 * codes (the first code of a length is (first code of the previous length + its count) << 1).
 * That needs no tables beyond those two arrays and cannot index outside them. Bits come least
 * significant first from each byte (RFC 1951 §3.1.1); Huffman codes are read most significant
 * bit first, extra bits and header fields least significant first.
 */
#include <bsd/kern/inflate.h>
#include <bsd/sys/errno.h>
#include <iokit/part_table.h>

#define INF_MAXBITS  15
#define INF_MAXLCODE 286	/* literal/length codes that may occur (RFC 1951 §3.2.5) */
#define INF_MAXDCODE 30
#define INF_FIXLCODE 288	/* the fixed code describes 288 literal/length symbols */

struct inf_huff {
	uint16_t ih_count[INF_MAXBITS + 1]; /* codes of each length */
	uint16_t ih_sym[INF_FIXLCODE];	    /* symbols in canonical order */
};

struct inf_state {
	const uint8_t *is_in;
	size_t is_inlen, is_inpos;
	uint32_t is_bitbuf;	/* bits not yet used, least significant first */
	unsigned is_bitcnt;
	uint8_t *is_out;
	size_t is_outcap, is_outpos;
	int is_err;		/* the first error; once set, bits read as 0 */
};

/* RFC 1951 §3.2.5: base lengths and extra bits of length codes 257..285, and of distances. */
static const uint16_t inf_lbase[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27,
					31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227,
					258 };
static const uint8_t inf_lext[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
				      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t inf_dbase[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129,
					193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
					6145, 8193, 12289, 16385, 24577 };
static const uint8_t inf_dext[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
				      6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };
/* §3.2.7: the order in which code-length code lengths are sent. */
static const uint8_t inf_clorder[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
					 11, 4, 12, 3, 13, 2, 14, 1, 15 };

/* n (0..16) bits, least significant first; 0 with is_err set when the input ends. */
static uint32_t
inf_bits(struct inf_state *s, unsigned n)
{
	uint32_t v;

	while (s->is_bitcnt < n) {
		if (s->is_inpos >= s->is_inlen) {
			if (s->is_err == 0)
				s->is_err = EINVAL;
			return 0;
		}
		s->is_bitbuf |= (uint32_t)s->is_in[s->is_inpos++] << s->is_bitcnt;
		s->is_bitcnt += 8;
	}
	v = s->is_bitbuf & ((1u << n) - 1);
	s->is_bitbuf = n < 32 ? s->is_bitbuf >> n : 0;
	s->is_bitcnt -= n;
	return v;
}

/*
 * Build h from the code lengths of n symbols. Returns 0, or EINVAL when the lengths ask for
 * more codes than there are (over-subscribed); an incomplete code is accepted, and decoding a
 * code it lacks is an error.
 */
static int
inf_build(struct inf_huff *h, const uint8_t *lengths, unsigned n)
{
	uint16_t offs[INF_MAXBITS + 1];
	int left = 1;

	memset(h->ih_count, 0, sizeof(h->ih_count));
	for (unsigned i = 0; i < n; i++)
		h->ih_count[lengths[i]]++;
	for (unsigned len = 1; len <= INF_MAXBITS; len++) {
		left <<= 1;
		left -= h->ih_count[len];
		if (left < 0)
			return EINVAL;
	}
	offs[1] = 0;
	for (unsigned len = 1; len < INF_MAXBITS; len++)
		offs[len + 1] = (uint16_t)(offs[len] + h->ih_count[len]);
	for (unsigned i = 0; i < n; i++)
		if (lengths[i] != 0)
			h->ih_sym[offs[lengths[i]]++] = (uint16_t)i;
	return 0;
}

/* One symbol of h, or -1 (is_err set) for a code h does not have or the end of input. */
static int
inf_decode(struct inf_state *s, const struct inf_huff *h)
{
	int code = 0, first = 0, index = 0;

	for (unsigned len = 1; len <= INF_MAXBITS; len++) {
		int count = h->ih_count[len];

		code |= (int)inf_bits(s, 1);
		if (s->is_err != 0)
			return -1;
		if (code - count < first)
			return h->ih_sym[index + (code - first)];
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	s->is_err = EINVAL;
	return -1;
}

/* §3.2.4: a stored block: the rest of the current byte dropped, LEN, ~LEN, LEN bytes. */
static int
inf_stored(struct inf_state *s)
{
	size_t len;

	s->is_bitbuf = 0; /* fewer than 8 bits are left, all of the byte already started */
	s->is_bitcnt = 0;
	if (s->is_inlen - s->is_inpos < 4)
		return EINVAL;
	len = s->is_in[s->is_inpos] | (size_t)s->is_in[s->is_inpos + 1] << 8;
	if ((s->is_in[s->is_inpos + 2] ^ 0xff) != (len & 0xff) ||
	    (s->is_in[s->is_inpos + 3] ^ 0xff) != (len >> 8))
		return EINVAL;
	s->is_inpos += 4;
	if (len > s->is_inlen - s->is_inpos)
		return EINVAL;
	if (len > s->is_outcap - s->is_outpos)
		return E2BIG;
	memcpy(s->is_out + s->is_outpos, s->is_in + s->is_inpos, len);
	s->is_inpos += len;
	s->is_outpos += len;
	return 0;
}

/* §3.2.5: literals and length/distance pairs until the end-of-block code. */
static int
inf_codes(struct inf_state *s, const struct inf_huff *lit, const struct inf_huff *dist)
{
	for (;;) {
		int sym = inf_decode(s, lit);
		size_t len, d;

		if (sym < 0)
			return s->is_err;
		if (sym < 256) {
			if (s->is_outpos >= s->is_outcap)
				return E2BIG;
			s->is_out[s->is_outpos++] = (uint8_t)sym;
			continue;
		}
		if (sym == 256)
			return 0;
		sym -= 257;
		if (sym >= 29)
			return EINVAL; /* 286, 287: never sent */
		len = inf_lbase[sym] + inf_bits(s, inf_lext[sym]);
		sym = inf_decode(s, dist);
		if (sym < 0)
			return s->is_err;
		if (sym >= 30)
			return EINVAL;
		d = inf_dbase[sym] + inf_bits(s, inf_dext[sym]);
		if (s->is_err != 0)
			return s->is_err;
		if (d > s->is_outpos)
			return EINVAL; /* before the start of the output */
		if (len > s->is_outcap - s->is_outpos)
			return E2BIG;
		/* Byte by byte: the copy may overlap what it writes (a run). */
		for (uint8_t *o = s->is_out + s->is_outpos; len > 0; len--, o++, s->is_outpos++)
			*o = o[-(ptrdiff_t)d];
	}
}

/* §3.2.6: the fixed codes. */
static int
inf_fixed(struct inf_state *s)
{
	struct inf_huff lit, dist;
	uint8_t l[INF_FIXLCODE];
	unsigned i;

	for (i = 0; i < 144; i++)
		l[i] = 8;
	for (; i < 256; i++)
		l[i] = 9;
	for (; i < 280; i++)
		l[i] = 7;
	for (; i < INF_FIXLCODE; i++)
		l[i] = 8;
	(void)inf_build(&lit, l, INF_FIXLCODE);
	for (i = 0; i < INF_MAXDCODE; i++)
		l[i] = 5;
	(void)inf_build(&dist, l, INF_MAXDCODE);
	return inf_codes(s, &lit, &dist);
}

/* §3.2.7: codes sent in the block, themselves described with a code-length code. */
static int
inf_dynamic(struct inf_state *s)
{
	struct inf_huff lit, dist, cl;
	uint8_t l[INF_MAXLCODE + INF_MAXDCODE];
	unsigned nlen, ndist, ncode, i;

	nlen = inf_bits(s, 5) + 257;
	ndist = inf_bits(s, 5) + 1;
	ncode = inf_bits(s, 4) + 4;
	if (s->is_err != 0)
		return s->is_err;
	if (nlen > INF_MAXLCODE || ndist > INF_MAXDCODE)
		return EINVAL;
	memset(l, 0, 19);
	for (i = 0; i < ncode; i++)
		l[inf_clorder[i]] = (uint8_t)inf_bits(s, 3);
	if (s->is_err != 0 || inf_build(&cl, l, 19) != 0)
		return EINVAL;
	for (i = 0; i < nlen + ndist;) {
		int sym = inf_decode(s, &cl);
		unsigned rep, val = 0;

		if (sym < 0)
			return s->is_err;
		if (sym < 16) {
			l[i++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16) {
			if (i == 0)
				return EINVAL; /* nothing to repeat */
			val = l[i - 1];
			rep = 3 + inf_bits(s, 2);
		} else if (sym == 17) {
			rep = 3 + inf_bits(s, 3);
		} else {
			rep = 11 + inf_bits(s, 7);
		}
		if (s->is_err != 0)
			return s->is_err;
		if (rep > nlen + ndist - i)
			return EINVAL;
		while (rep-- > 0)
			l[i++] = (uint8_t)val;
	}
	if (l[256] == 0)
		return EINVAL; /* no end-of-block code */
	if (inf_build(&lit, l, nlen) != 0 || inf_build(&dist, l + nlen, ndist) != 0)
		return EINVAL;
	return inf_codes(s, &lit, &dist);
}

int
inflate_raw(const void *src, size_t srclen, void *dst, size_t dstcap, size_t *outlen,
	    size_t *inused)
{
	struct inf_state s = { .is_in = src, .is_inlen = srclen, .is_out = dst,
			       .is_outcap = dstcap };
	unsigned last, type;
	int err;

	do {
		last = inf_bits(&s, 1);
		type = inf_bits(&s, 2);
		if (s.is_err != 0)
			return s.is_err;
		if (type == 0)
			err = inf_stored(&s);
		else if (type == 1)
			err = inf_fixed(&s);
		else if (type == 2)
			err = inf_dynamic(&s);
		else
			err = EINVAL;
		if (err != 0)
			return err;
	} while (!last);
	*outlen = s.is_outpos;
	/* Whole bytes loaded but not used go back: the stream ends inside the last one taken. */
	*inused = s.is_inpos - s.is_bitcnt / 8;
	return 0;
}

#define GZ_FTEXT    0x01
#define GZ_FHCRC    0x02
#define GZ_FEXTRA   0x04
#define GZ_FNAME    0x08
#define GZ_FCOMMENT 0x10
#define GZ_FRESERVED 0xe0

static uint32_t
gz_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool
gzip_is(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

uint32_t
gzip_size_hint(const void *buf, size_t len)
{
	return len >= 18 ? gz_le32((const uint8_t *)buf + len - 4) : 0;
}

/* A NUL-terminated field from *pos on: *pos goes past its NUL. Returns 0, or EINVAL. */
static int
gz_skip_string(const uint8_t *p, size_t len, size_t *pos)
{
	while (*pos < len && p[*pos] != 0)
		(*pos)++;
	if (*pos >= len)
		return EINVAL;
	(*pos)++;
	return 0;
}

int
gzip_inflate(const void *src, size_t srclen, void *dst, size_t dstcap, size_t *outlen,
	     size_t *inused)
{
	const uint8_t *p = src;
	size_t pos = 10, n, used;
	uint8_t flg;
	int err;

	/* RFC 1952 §2.3: ID1 ID2 CM FLG MTIME(4) XFL OS, then the optional fields. */
	if (srclen < 18 || !gzip_is(p, srclen) || p[2] != 8)
		return EINVAL;
	flg = p[3];
	if (flg & GZ_FRESERVED)
		return EINVAL;
	if (flg & GZ_FEXTRA) {
		if (srclen - pos < 2)
			return EINVAL;
		n = p[pos] | (size_t)p[pos + 1] << 8;
		pos += 2;
		if (n > srclen - pos)
			return EINVAL;
		pos += n;
	}
	if ((flg & GZ_FNAME) && gz_skip_string(p, srclen, &pos) != 0)
		return EINVAL;
	if ((flg & GZ_FCOMMENT) && gz_skip_string(p, srclen, &pos) != 0)
		return EINVAL;
	if (flg & GZ_FHCRC) {
		if (srclen - pos < 2)
			return EINVAL;
		pos += 2;
	}
	err = inflate_raw(p + pos, srclen - pos, dst, dstcap, outlen, &used);
	if (err != 0)
		return err;
	pos += used;
	if (srclen - pos < 8)
		return EINVAL;
	if (gz_le32(p + pos) != pt_crc32(dst, *outlen) ||
	    gz_le32(p + pos + 4) != (uint32_t)*outlen)
		return EINVAL;
	*inused = pos + 8;
	return 0;
}
