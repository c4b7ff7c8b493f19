/*
 * The demo benchmark: main -> process -> parse_record -> checksum (FNV-1a
 * over a 4 KiB line, the hot path) plus process -> format_output (cold).
 * CHECKSUM_PASSES is what the demo's history changes to plant a slowdown.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CHECKSUM_PASSES
#define CHECKSUM_PASSES 1
#endif

static char line[4096];

__attribute__((noinline)) static uint32_t checksum(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (int pass = 0; pass < CHECKSUM_PASSES; pass++)
		for (size_t i = 0; i < n; i++) {
			h ^= (unsigned char)s[i];
			h *= 16777619u;
		}
	return h;
}

__attribute__((noinline)) static uint32_t parse_record(int i)
{
	line[i % sizeof(line)] = (char)('a' + i % 26);
	return checksum(line, sizeof(line));
}

__attribute__((noinline)) static int format_output(char *out, size_t n, uint32_t v)
{
	return snprintf(out, n, "%08x", v);
}

__attribute__((noinline)) static uint32_t process(int records)
{
	char out[32];
	uint32_t acc = 0;

	for (int i = 0; i < records; i++) {
		acc ^= parse_record(i);
		if (i % 64 == 0)
			format_output(out, sizeof(out), acc);
	}
	return acc;
}

int main(int argc, char **argv)
{
	int records = argc > 1 ? atoi(argv[1]) : 20000;

	memset(line, 'x', sizeof(line));
	printf("%08x\n", process(records));
	return 0;
}
