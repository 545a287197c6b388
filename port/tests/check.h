/* SPDX-License-Identifier: MIT */
/* CHECK for the port/ test programs: counts a failure and goes on, so one
 * run reports every broken check; main exits non-zero when failures > 0. */
#ifndef VH_PORT_TESTS_CHECK_H
#define VH_PORT_TESTS_CHECK_H

#include <stdio.h>

static int failures;
#define CHECK(c)                                                                   \
    do {                                                                           \
        if (!(c)) {                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c);  \
            failures++;                                                            \
        }                                                                          \
    } while (0)

#endif
