/* SPDX-License-Identifier: MIT */
/* exec_counter: with VH_FUZZ_STATS=FILE set, every execution adds one to a
 * 64-bit counter in FILE, shared by every process of the engine (AFL's
 * forked children included), for `make fuzz`'s progress lines (AFL++
 * writes its own stats only about once a minute).  Used by the libFuzzer
 * and AFL drivers; without VH_FUZZ_STATS both calls do nothing. */
#ifndef VHF_EXEC_COUNTER_H
#define VHF_EXEC_COUNTER_H

/* Maps the counter file.  Call before forking (AFL's fork server) so the
 * children share the mapping; vhf_exec_counter_tick opens it otherwise. */
void vhf_exec_counter_open(void);

/* One more execution. */
void vhf_exec_counter_tick(void);

#endif /* VHF_EXEC_COUNTER_H */
