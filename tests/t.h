/* SPDX-License-Identifier: MIT */
/* Minimal test framework: TEST(name) registers a test; CHECK fails it with
 * the file, line and expression.  The runner ends with "N passed, N failed". */
#ifndef VH_T_H
#define VH_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef void (*t_fn)(void);
void t_register(const char *name, t_fn fn);
void t_fail(const char *file, int line, const char *expr);
bool t_failed(void);

#define TEST(name)                                                                                 \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void name##_reg(void) { t_register(#name, name); }         \
    static void name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            t_fail(__FILE__, __LINE__, #cond);                                                     \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        unsigned long long t_a_ = (unsigned long long)(a), t_b_ = (unsigned long long)(b);         \
        if (t_a_ != t_b_) {                                                                        \
            char t_msg_[256];                                                                      \
            snprintf(t_msg_, sizeof t_msg_, "%s == %s (%llu vs %llu)", #a, #b, t_a_, t_b_);        \
            t_fail(__FILE__, __LINE__, t_msg_);                                                    \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* Deterministic PRNG (xorshift64*). */
static inline uint64_t t_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* A region of size bytes whose start is misalign bytes past a 4 KiB
 * boundary; free with t_region_free. */
unsigned char *t_region(size_t size, size_t misalign);
void t_region_free(unsigned char *r);

#endif
