/* SPDX-License-Identifier: MIT */
/* hooks: the lock and error hooks the fuzzed heap gets (mode VHF_HOOKS_*,
 * from the input's header), recording what the heap did with them, and the
 * checks on that record after every call: the lock taken and released in
 * pairs, never nested, on_error never called under the lock, and on_error
 * called exactly for the misuses the model expected, with their code and
 * pointer.
 */
#ifndef VHF_HOOKS_H
#define VHF_HOOKS_H

#include <stdbool.h>

#include <vheap.h>

/* A new run in hooks mode (VHF_HOOKS_*): clears the record; returns the
 * hooks to give vh_init (NULL for VHF_HOOKS_NONE). */
const vh_hooks *hooks_reset(unsigned mode);

/* Whether this run's hooks include on_error. */
bool hooks_report_errors(void);

/* A misuse with this code and pointer was reported: with on_error, it must
 * have been called once more, with exactly these. */
void hooks_expect_error(int code, const void *ptr);

/* After every call: lock discipline and the on_error count. */
void hooks_check_after_call(void);

#endif /* VHF_HOOKS_H */
