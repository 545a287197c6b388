/* SPDX-License-Identifier: MIT */
/* contents: what the bytes of live blocks must hold, and what ASan must
 * think of them.
 *
 * Every live block carries the pattern contents_pattern()[tag + offset] in
 * its tracked bytes: all of its first 8 KiB and, beyond that, the first and
 * last 64 bytes of every page (where a neighbouring block would show a
 * stray write), so a 2 MiB block costs 64 KiB per check,
 * not 2 MiB.  The tracked set depends on the offset only, so it is the same
 * before and after a realloc.  calloc's zeroing and ASan's view of a new
 * block are checked on the same bytes.
 */
#ifndef VHF_CONTENTS_H
#define VHF_CONTENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* A new run: rotation and tags start over (and the pattern is built once
 * per process). */
void contents_reset(void);

/* The tag for the next new block (tags cycle through 0..250). */
unsigned contents_next_tag(void);

/* Writes the pattern of tag into the tracked bytes of [from, to) of the
 * block p of req bytes. */
void contents_fill(unsigned char *p, size_t req, unsigned tag, size_t from, size_t to);
/* Checks calloc's zeroing on the tracked bytes of a new block. */
void contents_check_zero(const unsigned char *p, size_t req);
/* Checks the tracked bytes of the first upto bytes of a block. */
void contents_check_block(const struct model_block *b, size_t upto);
/* Checks every live block of the model. */
void contents_check_all(void);
/* After a heap call: with few live blocks, all of them; with many, a slice
 * in rotation, and all of them every CONTENTS_SLICE calls, so a stray write
 * is found within CONTENTS_SLICE calls. */
void contents_check_after_call(void);

/* ASan's view of a live block: its tracked requested bytes addressable,
 * the byte after the request poisoned (when usable > req).  No-ops
 * without ASan. */
void contents_check_poison_live(const unsigned char *p, size_t req, size_t usable);
/* A freed block's first byte is poisoned. */
void contents_check_poison_freed(const unsigned char *p);
/* Hands the region back unpoisoned for the next run. */
void contents_unpoison_region(unsigned char *region, size_t size);

/* The pattern's storage: a static array no heap owns (a foreign pointer). */
const unsigned char *contents_pattern(void);

#endif /* VHF_CONTENTS_H */
