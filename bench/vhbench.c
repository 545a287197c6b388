/* SPDX-License-Identifier: MIT */
/* vhbench: vheap against glibc malloc, jemalloc, mimalloc and tcmalloc.
 *
 * One program, four modes:
 *   vhbench bench|smoke [--preload NAME=LIB]... --out DIR
 *       the driver: runs every case for every allocator, round by round
 *       (allocator order rotated each round), each run a fresh worker process
 *       (hosted allocators through LD_PRELOAD), then the callgrind instruction
 *       counts and the memory measures; writes DIR/report.md and plot data.
 *       Exit status 0 only if every operation of every run succeeded and
 *       every figure of the report was measured.
 *   vhbench run ALLOC CASE PROFILE
 *       a worker: one allocator, one case; prints "key value" lines.
 *   vhbench icount CASE PROFILE NOPS [total]
 *       vheap under callgrind: dumps the cost of each of the first NOPS
 *       measured operations ("total": one profile of them all, no dumps)
 *   vhbench seqhash CASE PROFILE     (debug) the request sequence's hash
 *
 * Every allocator replays the same pre-generated, seeded request sequence
 * (its hash is checked across workers).  Each block gets a tag written at
 * its first and last 8 bytes and checked before it is freed, identically for
 * every allocator, so overlapping or corrupted blocks are found.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <valgrind/callgrind.h>
#include <vheap.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

/* ------------------------------------------------------------------ */
/* Utilities                                                           */

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
#include <stdarg.h>
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "vhbench: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

/* Memory for the harness's own arrays comes straight from mmap so that it
 * never goes through the allocator under test. */
static void *xmap(size_t n)
{
    void *p = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("mmap %zu: %s", n, strerror(errno));
    return p;
}

static double now_thread_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double now_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline uint64_t cycles(void)
{
#if defined(__x86_64__) || defined(__i386__)
    _mm_lfence();
    uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
#elif defined(__aarch64__)
    uint64_t t;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
    return t;
#else
    return (uint64_t)now_mono_ns();
#endif
}

static size_t proc_status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    size_t v = 0, kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0)
            v = strtoull(line + kl, NULL, 10);
    fclose(f);
    return v;
}

static uint64_t rng_state;
static uint64_t rng(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static uint32_t rng_range(uint32_t lo, uint32_t hi) /* inclusive */
{
    return lo + (uint32_t)(rng() % ((uint64_t)hi - lo + 1u));
}
static uint32_t rng_logsize(uint32_t lo_shift, uint32_t hi_shift)
{
    double u = (double)(rng() >> 11) / 9007199254740992.0;
    double s = ldexp(1.0, (int)lo_shift) * exp2(u * (double)(hi_shift - lo_shift));
    uint32_t v = (uint32_t)s;
    if (v > (1u << hi_shift))
        v = 1u << hi_shift;
    return v;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}
static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static double median(double *v, int n)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_dbl);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ------------------------------------------------------------------ */
/* Cases and request sequences                                          */

enum kind { K_CHURN, K_LIFO, K_MIXED, K_WORST };

struct casedef {
    const char *name;  /* case id */
    const char *title; /* for the report */
    enum kind kind;
    size_t heap;       /* vheap region bytes (hosted allocators ignore it) */
    uint32_t live;     /* live objects (churn, mixed) */
    int scaling;       /* part of the heap-size scaling series */
};

#define MiB ((size_t)1 << 20)
#define GiB ((size_t)1 << 30)
static const struct casedef cases[] = {
    {"churn", "10,000 live, 16..2048 B", K_CHURN, 64 * MiB, 10000, 0},
    {"lifo", "LIFO batches of 1..1024, 16..2048 B", K_LIFO, 64 * MiB, 0, 0},
    {"mixed", "1,000 live, log-uniform 16 B..1 MiB", K_MIXED, 1 * GiB, 1000, 0},
    {"worst", "one 4 KiB block on an empty heap", K_WORST, 64 * MiB, 0, 1},
    {"worst-1M", "one 4 KiB block on an empty heap", K_WORST, 1 * MiB, 0, 1},
    {"worst-1G", "one 4 KiB block on an empty heap", K_WORST, 1 * GiB, 0, 1},
    {"churn200-1M", "churn, 200 live, 16..2048 B", K_CHURN, 1 * MiB, 200, 1},
    {"churn200-64M", "churn, 200 live, 16..2048 B", K_CHURN, 64 * MiB, 200, 1},
    {"churn200-1G", "churn, 200 live, 16..2048 B", K_CHURN, 1 * GiB, 200, 1},
};
#define NCASES (sizeof cases / sizeof cases[0])

/* Measured steps (alloc+free pairs) per case kind, by profile. */
struct profile {
    const char *name;
    size_t steps_churn, steps_lifo, steps_mixed, steps_worst;
    int rounds;
    size_t icount_ops; /* operations recorded one by one under callgrind */
};
static const struct profile prof_bench = {"bench", 200000, 200000, 20000, 200000, 7, 20000};
static const struct profile prof_smoke = {"smoke", 3000, 3000, 600, 3000, 2, 1200};

static const struct profile *profile_named(const char *n)
{
    if (strcmp(n, "bench") == 0)
        return &prof_bench;
    if (strcmp(n, "smoke") == 0)
        return &prof_smoke;
    die("unknown profile %s", n);
}

static const struct casedef *case_named(const char *n)
{
    for (size_t i = 0; i < NCASES; i++)
        if (strcmp(cases[i].name, n) == 0)
            return &cases[i];
    die("unknown case %s", n);
}

/* size == 0: free the slot; otherwise allocate size bytes into it. */
struct op {
    uint32_t slot;
    uint32_t size;
};

struct seq {
    struct op *ops;
    size_t nops, cap;
    size_t mstart, mend; /* measured ops: [mstart, mend) */
    uint32_t nslots;
    size_t pairs;        /* measured alloc+free pairs */
    uint64_t peak_live;  /* largest sum of live requested bytes */
    uint64_t hash;
    uint32_t *live_size; /* generation scratch */
    uint64_t live_bytes;
};

static void seq_push(struct seq *s, uint32_t slot, uint32_t size)
{
    if (s->nops == s->cap)
        die("sequence overflow");
    s->ops[s->nops++] = (struct op){slot, size};
    if (size) {
        s->live_size[slot] = size;
        s->live_bytes += size;
        if (s->live_bytes > s->peak_live)
            s->peak_live = s->live_bytes;
    } else {
        s->live_bytes -= s->live_size[slot];
        s->live_size[slot] = 0;
    }
}

static uint32_t gen_size(enum kind k)
{
    return k == K_MIXED ? rng_logsize(4, 20) : rng_range(16, 2048);
}

static void seq_build(struct seq *s, const struct casedef *c, const struct profile *pf)
{
    memset(s, 0, sizeof *s);
    size_t steps = c->kind == K_CHURN ? pf->steps_churn
                 : c->kind == K_LIFO  ? pf->steps_lifo
                 : c->kind == K_MIXED ? pf->steps_mixed
                                      : pf->steps_worst;
    s->nslots = c->kind == K_LIFO ? 1024 : c->kind == K_WORST ? 1 : c->live;
    s->cap = 2 * steps + 2 * (size_t)s->nslots + 16;
    s->ops = xmap(s->cap * sizeof *s->ops);
    s->live_size = xmap(s->nslots * sizeof *s->live_size);
    rng_state = 0x5eed0000u + (uint64_t)c->kind * 7919u + c->live;
    switch (c->kind) {
    case K_CHURN:
    case K_MIXED:
        for (uint32_t i = 0; i < s->nslots; i++)
            seq_push(s, i, gen_size(c->kind));
        s->mstart = s->nops;
        for (size_t i = 0; i < steps; i++) {
            uint32_t r = (uint32_t)(rng() % s->nslots);
            seq_push(s, r, 0);
            seq_push(s, r, gen_size(c->kind));
        }
        s->pairs = steps;
        break;
    case K_LIFO:
        s->mstart = 0;
        for (size_t done = 0; done < steps;) {
            uint32_t b = rng_range(1, 1024);
            if (b > steps - done)
                b = (uint32_t)(steps - done);
            for (uint32_t i = 0; i < b; i++)
                seq_push(s, i, gen_size(c->kind));
            for (uint32_t i = b; i-- > 0;)
                seq_push(s, i, 0);
            done += b;
        }
        s->pairs = steps;
        break;
    case K_WORST:
        seq_push(s, 0, 4096);
        s->mstart = s->nops;
        for (size_t i = 0; i < steps; i++) {
            seq_push(s, 0, 0);
            seq_push(s, 0, 4096);
        }
        s->pairs = steps;
        break;
    }
    s->mend = s->nops;
    for (uint32_t i = 0; i < s->nslots; i++)
        if (s->live_size[i])
            seq_push(s, i, 0);
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < s->nops; i++) {
        h = (h ^ s->ops[i].slot) * 1099511628211ull;
        h = (h ^ s->ops[i].size) * 1099511628211ull;
    }
    s->hash = h;
}

/* ------------------------------------------------------------------ */
/* Workers                                                              */

static vh_heap *H;
static size_t vh_fail_free; /* vh_free returned non-zero */

struct runstate {
    void **slot;
    uint32_t *size;
    int touch; /* write every requested byte (memory pass) */
    size_t fails; /* allocations that returned NULL */
    size_t bad;   /* tags found overwritten */
};

static inline uint64_t tag_of(const void *p)
{
    return ((uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull) ^ 0xa5a5a5a5a5a5a5a5ull;
}
static inline void tag_write(void *p, uint32_t n)
{
    uint64_t t = tag_of(p);
    memcpy(p, &t, 8);
    memcpy((char *)p + n - 8, &t, 8);
}
static inline int tag_ok(const void *p, uint32_t n)
{
    uint64_t t = tag_of(p), a, b;
    memcpy(&a, p, 8);
    memcpy(&b, (const char *)p + n - 8, 8);
    return a == t && b == t;
}

#define VH_ALLOC(n) vh_alloc(H, (n))
#define VH_FREE(p) (vh_free(H, (p)) != 0 ? (void)vh_fail_free++ : (void)0)
#define MA_ALLOC(n) malloc(n)
#define MA_FREE(p) free(p)

/* Replays ops [from, to).  LAT: record each operation's cycle count. */
#define DEFINE_REPLAY(NAME, ALLOC, FREE)                                                          \
    static void NAME(const struct seq *s, size_t from, size_t to, struct runstate *st,          \
                     uint32_t *lat_a, size_t *na, uint32_t *lat_f, size_t *nf)                   \
    {                                                                                            \
        for (size_t i = from; i < to; i++) {                                                     \
            struct op o = s->ops[i];                                                             \
            if (o.size) {                                                                        \
                uint64_t t0 = lat_a ? cycles() : 0;                                              \
                void *p = ALLOC(o.size);                                                         \
                if (lat_a)                                                                       \
                    lat_a[(*na)++] = (uint32_t)(cycles() - t0);                                  \
                st->slot[o.slot] = p;                                                            \
                st->size[o.slot] = o.size;                                                       \
                if (p == NULL) {                                                                 \
                    st->fails++;                                                                 \
                    continue;                                                                    \
                }                                                                                \
                if (st->touch)                                                                   \
                    memset(p, 0x5a, o.size);                                                     \
                tag_write(p, o.size);                                                            \
            } else {                                                                             \
                void *p = st->slot[o.slot];                                                      \
                if (p == NULL)                                                                   \
                    continue;                                                                    \
                if (!tag_ok(p, st->size[o.slot]))                                                \
                    st->bad++;                                                                   \
                uint64_t t0 = lat_f ? cycles() : 0;                                              \
                FREE(p);                                                                         \
                if (lat_f)                                                                       \
                    lat_f[(*nf)++] = (uint32_t)(cycles() - t0);                                  \
                st->slot[o.slot] = NULL;                                                         \
            }                                                                                    \
        }                                                                                        \
    }
DEFINE_REPLAY(replay_vh, VH_ALLOC, VH_FREE)
DEFINE_REPLAY(replay_ma, MA_ALLOC, MA_FREE)

/* Which malloc is actually in this process (checks that LD_PRELOAD took). */
static const char *active_malloc(void)
{
    if (dlsym(RTLD_DEFAULT, "mallocx"))
        return "jemalloc";
    if (dlsym(RTLD_DEFAULT, "mi_malloc"))
        return "mimalloc";
    if (dlsym(RTLD_DEFAULT, "tc_malloc"))
        return "tcmalloc";
    return "glibc";
}

static void *map_region(size_t n)
{
    void *r = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED)
        die("mmap region %zu: %s", n, strerror(errno));
    return r;
}

static void pct(uint32_t *v, size_t n, double ns_per_tick, const char *pre)
{
    static const double q[] = {0.50, 0.99, 0.999, 0.9999};
    static const char *qn[] = {"p50", "p99", "p999", "p9999"};
    qsort(v, n, sizeof *v, cmp_u32);
    for (int i = 0; i < 4; i++) {
        size_t k = n ? (size_t)ceil(q[i] * (double)n) - 1 : 0;
        if (n && k >= n)
            k = n - 1;
        printf("%s_%s %.1f\n", pre, qn[i], n ? v[k] * ns_per_tick : NAN);
    }
}

static int worker(const char *alloc, const struct casedef *c, const struct profile *pf)
{
    int is_vh = strcmp(alloc, "vheap") == 0;
    const char *active = active_malloc();
    if (!is_vh && strcmp(active, alloc) != 0)
        die("worker for %s runs with %s malloc (LD_PRELOAD not effective)", alloc, active);
    struct seq s;
    seq_build(&s, c, pf);
    struct runstate st = {xmap(s.nslots * sizeof(void *)), xmap(s.nslots * sizeof(uint32_t)), 0, 0, 0};
    size_t nm = s.mend - s.mstart;
    uint32_t *la = xmap(nm * sizeof(uint32_t)), *lf = xmap(nm * sizeof(uint32_t));
    size_t na = 0, nf = 0;

    size_t rss0 = proc_status_kb("VmRSS:");
    void *region = NULL;
    if (is_vh) {
        region = map_region(c->heap);
        H = vh_init(region, c->heap, NULL);
        if (!H)
            die("vh_init %zu failed", c->heap);
    }
    void (*replay)(const struct seq *, size_t, size_t, struct runstate *, uint32_t *, size_t *,
                   uint32_t *, size_t *) = is_vh ? replay_vh : replay_ma;
    /* Pass 1, on the fresh allocator: every requested byte written; the
     * peak RSS growth is the footprint. */
    st.touch = 1;
    replay(&s, 0, s.nops, &st, NULL, NULL, NULL, NULL);
    size_t hwm = proc_status_kb("VmHWM:");
    st.touch = 0;
    /* Pass 2: setup, then the measured ops timed as a whole, teardown. */
    replay(&s, 0, s.mstart, &st, NULL, NULL, NULL, NULL);
    double t0 = now_thread_ns(), w0 = now_mono_ns();
    uint64_t c0 = cycles();
    replay(&s, s.mstart, s.mend, &st, NULL, NULL, NULL, NULL);
    uint64_t c1 = cycles();
    double t1 = now_thread_ns(), w1 = now_mono_ns();
    replay(&s, s.mend, s.nops, &st, NULL, NULL, NULL, NULL);
    double ns_per_tick = (w1 - w0) / (double)(c1 - c0 ? c1 - c0 : 1);

    /* Pass 3: the same sequence again, each operation timed alone. */
    replay(&s, 0, s.mstart, &st, NULL, NULL, NULL, NULL);
    replay(&s, s.mstart, s.mend, &st, la, &na, lf, &nf);
    replay(&s, s.mend, s.nops, &st, NULL, NULL, NULL, NULL);

    int check = 0;
    size_t live = 0;
    if (is_vh) {
        check = vh_check(H);
        vh_stats vs;
        vh_get_stats(H, &vs);
        live = vs.allocations - vs.deallocations;
        if (vs.errors)
            check = check ? check : -1;
    }
    printf("alloc %s\ncase %s\nactive %s\nhash %016llx\npairs %zu\n", alloc, c->name, is_vh ? "vheap" : active,
           (unsigned long long)s.hash, s.pairs);
    printf("ns_per_pair %.3f\n", (t1 - t0) / (double)s.pairs);
    printf("fails %zu\nbad %zu\nfree_errors %zu\ncheck %d\nleft_live %zu\n", st.fails, st.bad, vh_fail_free,
           check, live);
    printf("peak_live %llu\nfootprint %llu\n", (unsigned long long)s.peak_live,
           (unsigned long long)(hwm > rss0 ? (hwm - rss0) * 1024ull : 0));
    printf("nalloc %zu\nnfree %zu\nns_per_tick %.5f\n", na, nf, ns_per_tick);
    pct(la, na, ns_per_tick, "a");
    pct(lf, nf, ns_per_tick, "f");
    printf("end 1\n");
    fflush(stdout);
    return 0;
}

/* Under callgrind (--toggle-collect=vh_alloc --toggle-collect=vh_free
 * --collect-atstart=no --combine-dumps=yes): one dump per measured
 * operation, so each dump's total is exactly that call's instructions. */
static int icount(const struct casedef *c, const struct profile *pf, size_t nops, int dump)
{
    struct seq s;
    seq_build(&s, c, pf);
    struct runstate st = {xmap(s.nslots * sizeof(void *)), xmap(s.nslots * sizeof(uint32_t)), 0, 0, 0};
    H = vh_init(map_region(c->heap), c->heap, NULL);
    if (!H)
        die("vh_init failed");
    replay_vh(&s, 0, s.mstart, &st, NULL, NULL, NULL, NULL);
    size_t end = s.mstart + nops < s.mend ? s.mstart + nops : s.mend;
    CALLGRIND_ZERO_STATS;
    for (size_t i = s.mstart; i < end; i++) {
        replay_vh(&s, i, i + 1, &st, NULL, NULL, NULL, NULL);
        if (dump)
            CALLGRIND_DUMP_STATS;
    }
    printf("ops %zu\nfails %zu\nbad %zu\nfree_errors %zu\n", end - s.mstart, st.fails, st.bad, vh_fail_free);
    fflush(stdout);
    return st.fails || st.bad || vh_fail_free ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Driver                                                               */

#define NALLOC 5
static const char *alloc_names[NALLOC] = {"vheap", "glibc", "jemalloc", "mimalloc", "tcmalloc"};
static char *preload[NALLOC];

struct result {
    int ok;
    double ns;
    double lat[8]; /* a_p50 a_p99 a_p999 a_p9999 f_p50 ... */
    unsigned long long hash, peak_live, footprint;
};

static char self_exe[4096];
static int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "vhbench: FAIL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    failures++;
}

/* Runs argv with env LD_PRELOAD=preload (or none); returns its stdout. */
static int spawn_quiet; /* child's stderr to /dev/null */
static char *spawn(char *const argv[], const char *pre, int *status)
{
    int fd[2];
    if (pipe(fd) != 0)
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        dup2(fd[1], 1);
        if (spawn_quiet) {
            int dn = open("/dev/null", O_WRONLY);
            if (dn >= 0)
                dup2(dn, 2);
        }
        close(fd[0]);
        close(fd[1]);
        if (pre)
            setenv("LD_PRELOAD", pre, 1);
        else
            unsetenv("LD_PRELOAD");
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n + 4096 > cap)
            buf = realloc(buf, cap *= 2);
        ssize_t r = read(fd[0], buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    buf[n] = 0;
    close(fd[0]);
    waitpid(pid, status, 0);
    return buf;
}

static int kv(const char *out, const char *key, double *v)
{
    size_t kl = strlen(key);
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, kl) == 0 && l[kl] == ' ') {
            char *e;
            *v = strtod(l + kl + 1, &e);
            return e != l + kl + 1;
        }
    }
    return 0;
}

static const char *lat_keys[8] = {"a_p50", "a_p99", "a_p999", "a_p9999", "f_p50", "f_p99", "f_p999", "f_p9999"};

static struct result run_worker(int a, const struct casedef *c, const struct profile *pf)
{
    struct result r;
    memset(&r, 0, sizeof r);
    char *argv[] = {self_exe, "run", (char *)alloc_names[a], (char *)c->name, (char *)pf->name, NULL};
    int status;
    char *out = spawn(argv, preload[a], &status);
    double v, fails = -1, bad = -1, fe = -1, chk = -1, left = -1, end = 0, hash = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail("%s/%s: worker exit status %d", alloc_names[a], c->name, status);
    } else if (!kv(out, "fails", &fails) || !kv(out, "bad", &bad) || !kv(out, "free_errors", &fe) ||
               !kv(out, "check", &chk) || !kv(out, "left_live", &left) || !kv(out, "end", &end) ||
               fails != 0 || bad != 0 || fe != 0 || chk != 0 || left != 0) {
        fail("%s/%s: operations failed (fails %g, bad tags %g, free errors %g, vh_check %g, left live %g)",
             alloc_names[a], c->name, fails, bad, fe, chk, left);
    } else {
        r.ok = 1;
        if (!kv(out, "ns_per_pair", &r.ns) || !(r.ns > 0))
            r.ok = 0;
        for (int i = 0; i < 8; i++)
            if (!kv(out, lat_keys[i], &r.lat[i]) || isnan(r.lat[i]))
                r.ok = 0;
        if (kv(out, "peak_live", &v))
            r.peak_live = (unsigned long long)v;
        if (kv(out, "footprint", &v))
            r.footprint = (unsigned long long)v;
        const char *hl = strstr(out, "hash ");
        if (hl)
            r.hash = strtoull(hl + 5, NULL, 16);
        (void)hash;
        if (!r.ok)
            fail("%s/%s: incomplete result", alloc_names[a], c->name);
    }
    free(out);
    return r;
}

/* Instruction counts of one case from callgrind. */
struct icres {
    int ok;
    size_t n[4];       /* slab alloc, slab free, buddy alloc, buddy free */
    double sum[4];
    unsigned long max[4];
};

static struct icres run_icount(const struct casedef *c, const struct profile *pf, const char *dir)
{
    struct icres r;
    memset(&r, 0, sizeof r);
    char file[4200], nops[32], outopt[4300];
    snprintf(file, sizeof file, "%s/callgrind.%s.out", dir, c->name);
    snprintf(outopt, sizeof outopt, "--callgrind-out-file=%s", file);
    snprintf(nops, sizeof nops, "%zu", pf->icount_ops);
    char *argv[] = {"valgrind", "--tool=callgrind", "--quiet", "--collect-atstart=no",
                    "--toggle-collect=vh_alloc", "--toggle-collect=vh_free", "--combine-dumps=yes",
                    outopt, self_exe, "icount", (char *)c->name, (char *)pf->name, nops, NULL};
    int status;
    char *out = spawn(argv, NULL, &status);
    double ops = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !kv(out, "ops", &ops)) {
        fail("callgrind/%s: exit status %d", c->name, status);
        free(out);
        return r;
    }
    free(out);
    /* Map dump i to measured op i. */
    struct seq s;
    seq_build(&s, c, pf);
    FILE *f = fopen(file, "r");
    if (!f) {
        fail("callgrind/%s: no output file %s", c->name, file);
        return r;
    }
    uint32_t *sz = xmap(s.nslots * sizeof(uint32_t));
    for (size_t i = 0; i < s.mstart; i++)
        sz[s.ops[i].slot] = s.ops[i].size;
    char line[512];
    size_t i = 0;
    while (fgets(line, sizeof line, f) && i < (size_t)ops) {
        if (strncmp(line, "summary:", 8) != 0)
            continue;
        unsigned long v = strtoul(line + 8, NULL, 10);
        struct op o = s.ops[s.mstart + i];
        uint32_t bytes = o.size ? o.size : sz[o.slot];
        int cat = (bytes <= 2048 ? 0 : 2) + (o.size ? 0 : 1);
        if (o.size)
            sz[o.slot] = o.size;
        r.n[cat]++;
        r.sum[cat] += (double)v;
        if (v > r.max[cat])
            r.max[cat] = v;
        if (v == 0)
            fail("callgrind/%s: op %zu cost 0 instructions (not collected)", c->name, i);
        i++;
    }
    fclose(f);
    unlink(file); /* tens of MB; the figures are in the report */
    if (i != (size_t)ops || ops < 1)
        fail("callgrind/%s: %zu dumps for %g operations", c->name, i, ops);
    else
        r.ok = 1;
    return r;
}

/* A whole-run callgrind profile of one case (vheap calls only), kept as
 * DIR/callgrind.profile-CASE.out (for callgrind_annotate --auto=yes: line by
 * line), with the self cost of each function, split by the source file the
 * compiler inlined it from, in DIR/profile-CASE.txt: where the instructions
 * of vh_alloc/vh_free go, short enough to keep with the snapshot. */
static void run_profile(const struct casedef *c, const struct profile *pf, const char *dir)
{
    char file[4200], outopt[4300], nops[32], txt[4200];
    snprintf(file, sizeof file, "%s/callgrind.profile-%s.out", dir, c->name);
    snprintf(outopt, sizeof outopt, "--callgrind-out-file=%s", file);
    snprintf(nops, sizeof nops, "%zu", pf->icount_ops);
    char *argv[] = {"valgrind", "--tool=callgrind", "--quiet", "--collect-atstart=no",
                    "--toggle-collect=vh_alloc", "--toggle-collect=vh_free", "--dump-instr=yes",
                    outopt, self_exe, "icount", (char *)c->name, (char *)pf->name, nops, "total", NULL};
    int status;
    free(spawn(argv, NULL, &status));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail("profile/%s: callgrind exit status %d", c->name, status);
        return;
    }
    char *ann[] = {"callgrind_annotate", "--inclusive=no", "--threshold=100", "--auto=no", file, NULL};
    spawn_quiet = 1; /* it warns about sources it cannot find (libc) */
    char *text = spawn(ann, NULL, &status);
    spawn_quiet = 0;
    snprintf(txt, sizeof txt, "%s/profile-%s.txt", dir, c->name);
    FILE *f = fopen(txt, "w");
    if (!f || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || strlen(text) == 0)
        fail("profile/%s: callgrind_annotate failed", c->name);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    free(text);
}

/* ---- memory measures, vheap in this process ---- */

/* Whether the whole sequence runs on a region of n bytes. */
static int runs_on(const struct seq *s, void *region, size_t n)
{
    H = vh_init(region, n, NULL);
    if (!H)
        return 0;
    struct runstate st = {xmap(s->nslots * sizeof(void *)), xmap(s->nslots * sizeof(uint32_t)), 0, 0, 0};
    vh_fail_free = 0;
    replay_vh(s, 0, s->nops, &st, NULL, NULL, NULL, NULL);
    munmap(st.slot, s->nslots * sizeof(void *));
    munmap(st.size, s->nslots * sizeof(uint32_t));
    return st.fails == 0 && st.bad == 0 && vh_fail_free == 0 && vh_check(H) == 0;
}

static size_t min_region(const struct casedef *c, const struct profile *pf, void *region, size_t cap)
{
    struct seq s;
    seq_build(&s, c, pf);
    size_t lo = VH_MIN_REGION_SIZE / 4096, hi = cap / 4096; /* in pages */
    if (!runs_on(&s, region, hi * 4096))
        return 0;
    while (lo + 1 < hi) { /* runs_on(hi) holds */
        size_t mid = lo + (hi - lo) / 2;
        if (runs_on(&s, region, mid * 4096))
            hi = mid;
        else
            lo = mid;
    }
    munmap(s.ops, s.cap * sizeof *s.ops);
    return hi * 4096;
}

static const char *human(size_t b, char *buf)
{
    if (b >= GiB && b % GiB == 0)
        sprintf(buf, "%zu GiB", b / GiB);
    else if (b >= MiB && b % MiB == 0)
        sprintf(buf, "%zu MiB", b / MiB);
    else if (b >= MiB)
        sprintf(buf, "%.2f MiB", (double)b / MiB);
    else if (b >= 1024 && b % 1024 == 0)
        sprintf(buf, "%zu KiB", b / 1024);
    else
        sprintf(buf, "%zu B", b);
    return buf;
}

static FILE *rep;
static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(rep, fmt, ap);
    va_end(ap);
}

static int driver(const struct profile *pf, const char *dir)
{
    for (int a = 2; a < NALLOC; a++)
        if (!preload[a])
            die("no --preload %s=LIB given", alloc_names[a]);
    mkdir(dir, 0777);
    double t_start = now_mono_ns();

    /* ---- timed runs, alternating allocators round by round ---- */
    int R = pf->rounds;
    struct result (*res)[NCASES][NALLOC] = calloc((size_t)R, sizeof *res);
    for (int r = 0; r < R; r++) {
        fprintf(stderr, "vhbench: round %d/%d\n", r + 1, R);
        for (size_t ci = 0; ci < NCASES; ci++)
            for (int j = 0; j < NALLOC; j++) {
                int a = (j + r) % NALLOC;
                res[r][ci][a] = run_worker(a, &cases[ci], pf);
            }
    }
    /* same sequence everywhere */
    for (size_t ci = 0; ci < NCASES; ci++)
        for (int r = 0; r < R; r++)
            for (int a = 0; a < NALLOC; a++)
                if (res[r][ci][a].ok && res[r][ci][a].hash != res[0][ci][0].hash)
                    fail("%s: %s replayed a different sequence", cases[ci].name, alloc_names[a]);

    /* medians */
    double ratio[NCASES][NALLOC], ns[NCASES][NALLOC], lat[NCASES][NALLOC][8];
    double tmp[64];
    for (size_t ci = 0; ci < NCASES; ci++)
        for (int a = 0; a < NALLOC; a++) {
            int n = 0;
            for (int r = 0; r < R; r++)
                if (res[r][ci][a].ok && res[r][ci][1].ok)
                    tmp[n++] = res[r][ci][a].ns / res[r][ci][1].ns;
            ratio[ci][a] = n == R ? median(tmp, n) : NAN;
            n = 0;
            for (int r = 0; r < R; r++)
                if (res[r][ci][a].ok)
                    tmp[n++] = res[r][ci][a].ns;
            ns[ci][a] = n == R ? median(tmp, n) : NAN;
            for (int k = 0; k < 8; k++) {
                n = 0;
                for (int r = 0; r < R; r++)
                    if (res[r][ci][a].ok)
                        tmp[n++] = res[r][ci][a].lat[k];
                lat[ci][a][k] = n == R ? median(tmp, n) : NAN;
            }
        }

    /* ---- instruction counts (callgrind, vheap) ---- */
    fprintf(stderr, "vhbench: callgrind instruction counts\n");
    struct icres ic[NCASES];
    for (size_t ci = 0; ci < NCASES; ci++)
        ic[ci] = run_icount(&cases[ci], pf, dir);
    run_profile(case_named("churn"), pf, dir);
    run_profile(case_named("lifo"), pf, dir);
    run_profile(case_named("worst"), pf, dir);

    /* ---- memory ---- */
    fprintf(stderr, "vhbench: memory measures\n");
    void *big = map_region(GiB);
    size_t minreg[3];
    for (int ci = 0; ci < 3; ci++) {
        minreg[ci] = min_region(&cases[ci], pf, big, GiB);
        if (minreg[ci] == 0)
            fail("%s: does not run even on 1 GiB", cases[ci].name);
    }
    /* metadata share on a fresh heap */
    static const size_t msizes[3] = {1 * MiB, 64 * MiB, 1 * GiB};
    double meta[3];
    for (int i = 0; i < 3; i++) {
        vh_heap *h = vh_init(big, msizes[i], NULL);
        vh_stats st;
        vh_get_stats(h, &st);
        meta[i] = h ? (double)st.overhead_bytes / (double)st.total_bytes : NAN;
        if (!h || st.used_bytes != 0)
            fail("metadata: fresh heap of %zu not as expected", msizes[i]);
    }
    /* fill a fresh 64 MiB heap with one size until NULL */
    size_t fsizes[20];
    int nfs = 0;
    for (size_t z = 16; z <= VH_MAX_ALLOC; z *= 2)
        fsizes[nfs++] = z;
    double fill[20], fillpg[20];
    size_t fillcnt[20];
    for (int i = 0; i < nfs; i++) {
        vh_heap *h = vh_init(big, 64 * MiB, NULL);
        vh_stats st;
        vh_get_stats(h, &st);
        size_t pages_bytes = st.free_bytes, n = 0;
        while (vh_alloc(h, fsizes[i]) != NULL)
            n++;
        fillcnt[i] = n;
        fill[i] = (double)n * (double)fsizes[i] / (double)(64 * MiB);
        fillpg[i] = (double)n * (double)fsizes[i] / (double)pages_bytes;
        if (n == 0 || vh_check(h) != 0)
            fail("fill %zu: %zu blocks, vh_check %d", fsizes[i], n, vh_check(h));
    }
    munmap(big, GiB);

    /* ---- report ---- */
    char path[4200], b1[64], b2[64];
    snprintf(path, sizeof path, "%s/report.md", dir);
    rep = fopen(path, "w");
    if (!rep)
        die("cannot write %s", path);
    char cpu[600] = "unknown";
    FILE *ci_f = fopen("/proc/cpuinfo", "r");
    if (ci_f) {
        char line[512];
        while (fgets(line, sizeof line, ci_f))
            if (strncmp(line, "model name", 10) == 0) {
                char *p = strchr(line, ':');
                snprintf(cpu, sizeof cpu, "%s", p ? p + 2 : line);
                cpu[strcspn(cpu, "\n")] = 0;
                break;
            }
        fclose(ci_f);
    }
    out("# vheap benchmark report (profile `%s`)\n\n", pf->name);
    out("CPU: %s, %ld online CPUs. %d rounds; in each round every allocator runs every case in a fresh "
        "process (allocator order rotated per round); hosted allocators via LD_PRELOAD, vheap through "
        "vh_alloc/vh_free on a lazily mapped region (MAP_NORESERVE) of the size shown.\n\n",
        cpu, sysconf(_SC_NPROCESSORS_ONLN), R);

    out("## Time per alloc+free pair: median of same-round ratios to glibc (lower is better)\n\n");
    out("| case | vheap heap | pairs |");
    for (int a = 0; a < NALLOC; a++)
        out(" %s |", alloc_names[a]);
    out(" vheap ns/pair | glibc ns/pair |\n|---|---|---|");
    for (int a = 0; a <= NALLOC + 1; a++)
        out("---|");
    out("\n");
    for (size_t ci = 0; ci < NCASES; ci++) {
        struct seq s;
        seq_build(&s, &cases[ci], pf);
        out("| %s: %s | %s | %zu |", cases[ci].name, cases[ci].title, human(cases[ci].heap, b1), s.pairs);
        munmap(s.ops, s.cap * sizeof *s.ops);
        for (int a = 0; a < NALLOC; a++)
            out(" %.3f |", ratio[ci][a]);
        out(" %.1f | %.1f |\n", ns[ci][0], ns[ci][1]);
    }
    out("\nThread CPU time of the measured steps (initial fill excluded), divided by the number of pairs; "
        "each block's first and last 8 bytes are written at allocation and checked before it is freed, "
        "for every allocator.\n\n");

    out("## Instructions per call, vheap (callgrind, exact)\n\n");
    out("Each of the first %zu measured operations of a case was counted on its own (callgrind dump per "
        "call, collection toggled on vh_alloc/vh_free).\n\n",
        pf->icount_ops);
    out("| case | vheap heap | slab alloc mean/max | slab free mean/max | buddy alloc mean/max | buddy free "
        "mean/max |\n|---|---|---|---|---|---|\n");
    for (size_t ci = 0; ci < NCASES; ci++) {
        out("| %s | %s |", cases[ci].name, human(cases[ci].heap, b1));
        for (int k = 0; k < 4; k++) {
            if (!ic[ci].ok)
                out(" FAILED |");
            else if (ic[ci].n[k] == 0)
                out(" - |");
            else
                out(" %.1f / %lu |", ic[ci].sum[k] / (double)ic[ci].n[k], ic[ci].max[k]);
        }
        out("\n");
    }
    out("\nTargets: slab alloc <= 40 and free <= 45 on average; buddy alloc and free <= 150 even in the "
        "worst case; flat from 1 MiB to 1 GiB. Where the instructions go: `profile-churn.txt`, "
        "`profile-lifo.txt` and `profile-worst.txt` beside this report (callgrind_annotate, self cost "
        "by function and by the source file it was inlined from; the raw `callgrind.profile-*.out` "
        "in `build/bench` give it line by line with `--auto=yes`).\n\n");

    out("## Latency per operation, ns (cycle counter; median over rounds of each percentile)\n\n");
    out("| case | allocator | alloc p50 | p99 | p99.9 | p99.99 | free p50 | p99 | p99.9 | p99.99 |\n");
    out("|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t ci = 0; ci < 4; ci++)
        for (int a = 0; a < NALLOC; a++) {
            out("| %s | %s |", cases[ci].name, alloc_names[a]);
            for (int k = 0; k < 8; k++)
                out(" %.0f |", lat[ci][a][k]);
            out("\n");
        }
    out("\nEach operation timed alone (rdtsc, fenced; includes ~10-30 ns of timer overhead); ticks "
        "converted to ns with the rate measured in the same run. Maximum latency is not reported: "
        "preemption on a shared machine makes it meaningless.\n\n");

    out("## Memory\n\n");
    out("Peak footprint (peak RSS growth of the worker over a first pass, on the fresh allocator, that "
        "writes every requested byte; first round) / peak live requested bytes; for vheap also the smallest region on which the whole sequence still runs "
        "(binary search on the region size, in pages).\n\n");
    out("| case | peak live requested |");
    for (int a = 0; a < NALLOC; a++)
        out(" %s footprint |", alloc_names[a]);
    out(" vheap smallest region |\n|---|---|");
    for (int a = 0; a <= NALLOC; a++)
        out("---|");
    out("\n");
    for (int ci = 0; ci < 3; ci++) {
        unsigned long long live = res[0][ci][0].peak_live;
        out("| %s | %s |", cases[ci].name, human(live, b1));
        for (int a = 0; a < NALLOC; a++) {
            struct result *x = &res[0][ci][a];
            out(x->ok ? " %.2fx |" : " - |", (double)x->footprint / (double)live);
        }
        out(" %s = %.2fx |\n", human(minreg[ci], b2), (double)minreg[ci] / (double)live);
    }
    out("\nvheap's footprint includes its descriptor array for the whole region (touched by vh_init) "
        "and the pages it handed out; region sizes as in the time table.\n\n");
    out("Metadata share of a fresh heap (header + a descriptor per page + alignment padding, "
        "from vh_get_stats overhead_bytes):\n\n| region | metadata |\n|---|---|\n");
    for (int i = 0; i < 3; i++)
        out("| %s | %.3f %% |\n", human(msizes[i], b1), 100 * meta[i]);
    out("\nFill efficiency: a fresh 64 MiB heap filled with one size until vh_alloc returns NULL "
        "(requested bytes / region, and / the heap's pages).\n\n");
    out("| size | blocks | of region | of pages |\n|---|---|---|---|\n");
    for (int i = 0; i < nfs; i++)
        out("| %s | %zu | %.2f %% | %.2f %% |\n", human(fsizes[i], b1), fillcnt[i], 100 * fill[i],
            100 * fillpg[i]);

    /* ---- targets, from the figures above ---- */
    {
        double slab_a = 0, slab_f = 0, buddy_max = 0;
        const char *slab_a_at = "-", *slab_f_at = "-", *buddy_at = "-";
        for (size_t ci = 0; ci < NCASES; ci++) {
            const struct icres *c = &ic[ci];
            if (c->n[0] && c->sum[0] / c->n[0] > slab_a)
                slab_a = c->sum[0] / c->n[0], slab_a_at = cases[ci].name;
            if (c->n[1] && c->sum[1] / c->n[1] > slab_f)
                slab_f = c->sum[1] / c->n[1], slab_f_at = cases[ci].name;
            for (int k = 2; k < 4; k++)
                if (c->n[k] && c->max[k] > buddy_max)
                    buddy_max = (double)c->max[k], buddy_at = cases[ci].name;
        }
        /* flat: per series, the largest mean over the smallest, 1 MiB .. 1 GiB */
        double flat[2] = {0, 0};
        const char *ser[2][3] = {{"churn200-1M", "churn200-64M", "churn200-1G"}, {"worst-1M", "worst", "worst-1G"}};
        for (int sidx = 0; sidx < 2; sidx++)
            for (int k = 0; k < 4; k++) {
                double lo = INFINITY, hi = 0;
                for (int i = 0; i < 3; i++) {
                    const struct icres *c = &ic[case_named(ser[sidx][i]) - cases];
                    if (!c->n[k])
                        continue;
                    double m = c->sum[k] / c->n[k];
                    lo = m < lo ? m : lo;
                    hi = m > hi ? m : hi;
                }
                if (hi > 0 && hi / lo > flat[sidx])
                    flat[sidx] = hi / lo;
            }
        double meta_max = 0, fill_min = 1;
        size_t fill_at = 0;
        for (int i = 0; i < 3; i++)
            meta_max = meta[i] > meta_max ? meta[i] : meta_max;
        for (int i = 0; i < nfs && fsizes[i] <= VH_MAX_ALLOC; i++)
            if (fill[i] < fill_min)
                fill_min = fill[i], fill_at = fsizes[i];
        /* Per case: time ratio, slab means, p99.99 (vheap is allocator 0). */
        const size_t c_churn = (size_t)(case_named("churn") - cases), c_lifo = (size_t)(case_named("lifo") - cases),
                     c_mixed = (size_t)(case_named("mixed") - cases);
        const struct icres *ich = &ic[c_churn], *ili = &ic[c_lifo];
        double ch_a = ich->n[0] ? ich->sum[0] / ich->n[0] : NAN, ch_f = ich->n[1] ? ich->sum[1] / ich->n[1] : NAN;
        double li_a = ili->n[0] ? ili->sum[0] / ili->n[0] : NAN, li_f = ili->n[1] ? ili->sum[1] / ili->n[1] : NAN;
#define MET(c) ((c) ? "met" : "**missed**")
        out("\n## Targets\n\n| target | measured | |\n|---|---|---|\n");
        out("| churn time <= 0.17x glibc | %.3fx | %s |\n", ratio[c_churn][0], MET(ratio[c_churn][0] <= 0.17));
        out("| LIFO time <= 0.25x glibc | %.3fx | %s |\n", ratio[c_lifo][0], MET(ratio[c_lifo][0] <= 0.25));
        out("| mixed time <= 0.20x glibc | %.3fx | %s |\n", ratio[c_mixed][0], MET(ratio[c_mixed][0] <= 0.20));
        out("| churn: slab alloc <= 40, free <= 45 instructions on average | %.1f / %.1f | %s |\n", ch_a, ch_f,
            MET(ch_a <= 40 && ch_f <= 45));
        out("| LIFO: slab alloc <= 60, free <= 60 instructions on average | %.1f / %.1f | %s |\n", li_a, li_f,
            MET(li_a <= 60 && li_f <= 60));
        out("| every case: slab alloc <= 40, free <= 45 on average | %.1f (%s) / %.1f (%s) | %s |\n", slab_a,
            slab_a_at, slab_f, slab_f_at, MET(slab_a <= 40 && slab_f <= 45));
        out("| buddy alloc and free <= 150 instructions, worst case | max %.0f (%s) | %s |\n", buddy_max, buddy_at,
            MET(buddy_max <= 150));
        for (size_t i = 0; i < 2; i++) {
            size_t ci = i == 0 ? c_churn : c_lifo;
            double pa = lat[ci][0][3], pf = lat[ci][0][7];
            out("| %s: p99.99 <= 300 ns, alloc / free | %.0f / %.0f | %s |\n", cases[ci].name, pa, pf,
                MET(pa <= 300 && pf <= 300));
        }
        out("| instructions flat from 1 MiB to 1 GiB: churn, 200 live (largest/smallest mean <= 1.10) | %.2f | %s |\n",
            flat[0], MET(flat[0] <= 1.10));
        out("| instructions flat from 1 MiB to 1 GiB: worst case (largest/smallest mean <= 1.10) | %.2f | %s |\n",
            flat[1], MET(flat[1] <= 1.10));
        out("| metadata <= 1 %% | %.3f %% | %s |\n", 100 * meta_max, MET(meta_max <= 0.01));
        out("| fill >= 93 %% per class (of the region) | lowest %.2f %% (%s) | %s |\n\n", 100 * fill_min,
            human(fill_at, b1), MET(fill_min >= 0.93));
#undef MET
    }

    out("\n## Plots\n\n![time ratios](ratio.png)\n\n![instructions against heap size](icount.png)\n\n");
    out("Run time of this benchmark: %.0f s.\n", (now_mono_ns() - t_start) / 1e9);
    fclose(rep);

    /* ---- plot data ---- */
    snprintf(path, sizeof path, "%s/ratio.dat", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "case");
    for (int a = 0; a < NALLOC; a++)
        fprintf(f, " %s", alloc_names[a]);
    fprintf(f, "\n");
    for (size_t ci = 0; ci < NCASES; ci++) {
        fprintf(f, "%s", cases[ci].name);
        for (int a = 0; a < NALLOC; a++)
            fprintf(f, " %.4f", ratio[ci][a]);
        fprintf(f, "\n");
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/icount.dat", dir);
    f = fopen(path, "w");
    fprintf(f, "# heap_MiB churn200_alloc_mean churn200_alloc_max churn200_free_mean churn200_free_max "
               "worst_alloc_mean worst_alloc_max worst_free_mean worst_free_max\n");
    const char *wn[3] = {"worst-1M", "worst", "worst-1G"}, *cn[3] = {"churn200-1M", "churn200-64M", "churn200-1G"};
    for (int i = 0; i < 3; i++) {
        const struct icres *c = &ic[case_named(cn[i]) - cases], *w = &ic[case_named(wn[i]) - cases];
        fprintf(f, "%zu %.2f %lu %.2f %lu %.2f %lu %.2f %lu\n", msizes[i] / MiB,
                c->n[0] ? c->sum[0] / c->n[0] : NAN, c->max[0], c->n[1] ? c->sum[1] / c->n[1] : NAN, c->max[1],
                w->n[2] ? w->sum[2] / w->n[2] : NAN, w->max[2], w->n[3] ? w->sum[3] / w->n[3] : NAN, w->max[3]);
    }
    fclose(f);

    /* completeness */
    for (size_t ci = 0; ci < NCASES; ci++) {
        for (int a = 0; a < NALLOC; a++)
            if (isnan(ratio[ci][a]) || isnan(ns[ci][a]))
                fail("%s/%s: missing time", cases[ci].name, alloc_names[a]);
        if (!ic[ci].ok)
            fail("%s: missing instruction counts", cases[ci].name);
    }
    for (int i = 0; i < nfs; i++)
        if (fillcnt[i] == 0)
            fail("fill %zu: missing", fsizes[i]);
    if (failures)
        fprintf(stderr, "vhbench: %d failure(s)\n", failures);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (n <= 0)
        die("readlink /proc/self/exe");
    self_exe[n] = 0;
    if (argc == 5 && strcmp(argv[1], "run") == 0)
        return worker(argv[2], case_named(argv[3]), profile_named(argv[4]));
    if ((argc == 5 || argc == 6) && strcmp(argv[1], "icount") == 0)
        return icount(case_named(argv[2]), profile_named(argv[3]), strtoull(argv[4], NULL, 10),
                      !(argc == 6 && strcmp(argv[5], "total") == 0));
    if (argc == 4 && strcmp(argv[1], "seqhash") == 0) {
        struct seq s;
        seq_build(&s, case_named(argv[2]), profile_named(argv[3]));
        printf("%016llx %zu ops, %zu pairs, peak live %llu\n", (unsigned long long)s.hash, s.nops, s.pairs,
               (unsigned long long)s.peak_live);
        return 0;
    }
    if (argc >= 2 && (strcmp(argv[1], "bench") == 0 || strcmp(argv[1], "smoke") == 0)) {
        const char *dir = NULL;
        for (int i = 2; i < argc; i++) {
            if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
                dir = argv[++i];
            } else if (strcmp(argv[i], "--preload") == 0 && i + 1 < argc) {
                char *eq = strchr(argv[++i], '=');
                int found = 0;
                for (int a = 2; eq && a < NALLOC; a++)
                    if ((size_t)(eq - argv[i]) == strlen(alloc_names[a]) &&
                        strncmp(argv[i], alloc_names[a], (size_t)(eq - argv[i])) == 0) {
                        preload[a] = eq + 1;
                        found = 1;
                    }
                if (!found)
                    die("bad --preload %s", argv[i]);
            } else {
                die("bad argument %s", argv[i]);
            }
        }
        if (!dir)
            die("--out DIR missing");
        return driver(profile_named(argv[1]), dir);
    }
    fprintf(stderr, "usage: vhbench bench|smoke --preload NAME=LIB... --out DIR\n"
                    "       vhbench run ALLOC CASE PROFILE | icount CASE PROFILE NOPS [total] | seqhash CASE PROFILE\n");
    return 2;
}
