/* SPDX-License-Identifier: MIT */
/* Hosted example: a program that puts the global heap on memory it got from
 * the OS and lets several threads use it (pthread-mutex build of
 * port/vheap_global.c).
 *
 * Four threads each build a sorted linked list of 5000 words from the heap,
 * merge-count them, and hand the lists to main, which frees them: every
 * block is freed by a thread other than the one that allocated it.  Prints
 * the per-thread totals and the heap's stats; exit status 0 when the
 * results are right and the heap ends empty and consistent.
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "vheap_global.h"

#define NTHREADS 4
#define NWORDS 5000

struct node {
    struct node *next;
    size_t len;
    char word[]; /* len + 1 bytes */
};

struct job {
    unsigned seed;
    struct node *list;
    size_t count, bytes;
};

static void *build(void *arg)
{
    struct job *j = arg;
    unsigned s = j->seed;
    for (int i = 0; i < NWORDS; i++) {
        char w[40];
        s = s * 1103515245u + 12345u;
        size_t len = 3 + (s >> 16) % 30;
        for (size_t k = 0; k < len; k++) {
            s = s * 1103515245u + 12345u;
            w[k] = (char)('a' + (s >> 16) % 26);
        }
        w[len] = '\0';
        struct node *n = vh_global_alloc(sizeof *n + len + 1);
        if (n == NULL)
            return NULL;
        n->len = len;
        memcpy(n->word, w, len + 1);
        /* Insert sorted (O(n^2) on purpose: many short-lived lookups). */
        struct node **at = &j->list;
        while (*at != NULL && strcmp((*at)->word, n->word) < 0)
            at = &(*at)->next;
        n->next = *at;
        *at = n;
        j->count++;
        j->bytes += len;
    }
    return j;
}

int main(void)
{
    size_t size = 16u << 20;
    void *region = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED || vh_global_init(region, size) != 0) {
        fprintf(stderr, "hosted: cannot set up the heap\n");
        return 1;
    }
    pthread_t t[NTHREADS];
    struct job jobs[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        jobs[i] = (struct job){(unsigned)i * 7919u + 1u, NULL, 0, 0};
        if (pthread_create(&t[i], NULL, build, &jobs[i]) != 0)
            return 1;
    }
    int ok = 1;
    for (int i = 0; i < NTHREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        ok = ok && r != NULL;
    }
    for (int i = 0; i < NTHREADS; i++) {
        size_t n = 0, bytes = 0;
        const char *prev = "";
        for (struct node *p = jobs[i].list, *next; p != NULL; p = next) {
            next = p->next;
            ok = ok && strcmp(prev, p->word) <= 0 && strlen(p->word) == p->len;
            n++;
            bytes += p->len;
            prev = p->word;
            ok = ok && vh_global_usable_size(p) >= sizeof *p + p->len + 1;
        }
        for (struct node *p = jobs[i].list, *next; p != NULL; p = next) {
            next = p->next;
            ok = ok && vh_global_free(p) == 0; /* freed by main, allocated by thread i */
        }
        printf("thread %d: %zu words, %zu letters, sorted%s\n", i, n, bytes, n == NWORDS ? "" : " (count wrong)");
        ok = ok && n == NWORDS && bytes == jobs[i].bytes;
    }
    vh_stats st;
    vh_global_stats(&st);
    int check = vh_global_check();
    printf("heap (%s): %zu allocations, %zu frees, %zu bytes used at end, check %d\n",
           vh_global_lock_name(), st.allocations, st.deallocations, st.used_bytes, check);
    ok = ok && check == 0 && st.used_bytes == 0 && st.allocations == NTHREADS * NWORDS &&
         st.deallocations == st.allocations;
    printf("hosted example: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
