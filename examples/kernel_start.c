/* SPDX-License-Identifier: MIT */
/* Entry point of the freestanding example on x86-64 Linux without libc:
 * _start calls kernel_main and reports through raw write/exit system calls
 * (what a kernel would do with its console).  Nothing here is libc. */
#include <stddef.h>

int kernel_main(void);

static long sys3(long n, long a, long b, long c)
{
    long ret;
    __asm__ __volatile__("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}

static void say(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    sys3(1 /* write */, 2, (long)s, (long)n);
}

/* The kernel enters with a 16-byte aligned stack and no return address:
 * realign as a called function expects. */
__attribute__((force_align_arg_pointer, noreturn)) void _start(void)
{
    int rc = kernel_main();
    if (rc == 0) {
        say("kernel_heap (freestanding, c11-spinlock, no libc): all steps passed\n");
    } else {
        char msg[] = "kernel_heap: step 00 failed\n";
        msg[18] = (char)('0' + rc / 10 % 10);
        msg[19] = (char)('0' + rc % 10);
        say(msg);
    }
    sys3(60 /* exit */, rc, 0, 0);
    for (;;) {
    }
}
