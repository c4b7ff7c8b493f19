/* A small benchmark with known hot functions, for tests/e2e/t045*.sh.
 * Built with -DSLOW_CHECKSUM, checksum does twice the work. */
#include <stdio.h>
#include <stdlib.h>

static unsigned char buf[4096];

__attribute__((noinline)) unsigned checksum(const unsigned char *p, size_t n)
{
	unsigned h = 2166136261u;
	int rounds = 2;
#ifdef SLOW_CHECKSUM
	rounds = 4;
#endif
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < n; i++)
			h = (h ^ p[i]) * 16777619u;
	return h;
}

__attribute__((noinline)) unsigned parse_record(unsigned seed)
{
	unsigned x = seed;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	return x;
}

__attribute__((noinline)) unsigned process(long iters)
{
	unsigned acc = 0;
	for (long k = 0; k < iters; k++) {
		acc += parse_record((unsigned)k);
		acc ^= checksum(buf, sizeof(buf));
	}
	return acc;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 20000;
	printf("%u\n", process(iters));
	return 0;
}
