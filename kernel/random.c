/*
 * random.c — a small entropy pool (random.h). Input is folded into a 256-bit state with a
 * strong 64-bit mixer (the splitmix64 finaliser over rotating lanes); output is drawn by
 * mixing a counter with the state and folding the result back, so two reads never repeat and
 * an observer of the output cannot step the state backwards without inverting the mixer.
 *
 * XXX: the mixer is not a cryptographic construction. Replace it with ChaCha20 keyed from the
 * pool (as Linux and the BSDs do) before anything security-relevant draws from it.
 */
#include <mach/kern/locks.h>
#include <random.h>

#define POOL_WORDS 4

static lck_spin_t random_lock = LCK_SPIN_INITIALIZER;
static uint64_t random_pool[POOL_WORDS] = { 0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull,
					    0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull };
static uint64_t random_counter;
static uint64_t random_credited;

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void
stir(uint64_t in)
{
	for (unsigned i = 0; i < POOL_WORDS; i++) {
		in = mix64(in ^ random_pool[i] ^ ((uint64_t)i << 56));
		random_pool[i] = (random_pool[i] << 23 | random_pool[i] >> 41) ^ in;
	}
}

void
random_add_entropy(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	bool s = lck_spin_lock_irqsave(&random_lock);

	for (size_t i = 0; i < len; i += 8) {
		uint64_t w = 0;
		memcpy(&w, p + i, MIN((size_t)8, len - i));
		stir(w);
	}
	random_credited += len;
	lck_spin_unlock_irqrestore(&random_lock, s);
}

void
random_read(void *buf, size_t len)
{
	uint8_t *p = buf;
	bool s = lck_spin_lock_irqsave(&random_lock);

	for (size_t i = 0; i < len; i += 8) {
		uint64_t w = mix64(random_pool[0] ^ mix64(random_pool[2] + ++random_counter));
		stir(w ^ 0x5bd1e9955bd1e995ull);
		memcpy(p + i, &w, MIN((size_t)8, len - i));
	}
	lck_spin_unlock_irqrestore(&random_lock, s);
}

uint64_t
random_entropy_bytes(void)
{
	return __atomic_load_n(&random_credited, __ATOMIC_RELAXED);
}
