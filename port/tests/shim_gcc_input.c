/* SPDX-License-Identifier: MIT */
/* Compiled by gcc under the malloc shim (port/tests/shim-programs.sh): a
 * small program with some of everything (structs, recursion, qsort, stdio),
 * whose object file and output must be the same as when gcc runs on glibc's
 * malloc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct item {
    unsigned key;
    char name[12];
};

static int by_key(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

static unsigned long fib(unsigned n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(void)
{
    enum { N = 50000 };
    struct item *v = malloc(N * sizeof *v);
    unsigned char *sieve = calloc(N, 1);
    if (v == NULL || sieve == NULL)
        return 1;
    unsigned s = 1, primes = 0;
    for (unsigned i = 0; i < N; i++) {
        s = s * 1664525u + 1013904223u;
        v[i].key = s;
        snprintf(v[i].name, sizeof v[i].name, "k%u", i);
    }
    qsort(v, N, sizeof *v, by_key);
    for (unsigned i = 2; i < N; i++) {
        if (sieve[i])
            continue;
        primes++;
        for (unsigned j = 2 * i; j < N; j += i)
            sieve[j] = 1;
    }
    unsigned long h = 5381;
    for (unsigned i = 0; i < N; i++)
        for (const char *c = v[i].name; *c; c++)
            h = h * 33 + (unsigned char)*c;
    printf("primes below %d: %u; fib(25) = %lu; sorted-name hash %lx; first %s last %s\n", N, primes,
           fib(25), h, v[0].name, v[N - 1].name);
    free(v);
    free(sieve);
    return 0;
}
