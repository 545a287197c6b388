#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make prove: Frama-C/WP over the functions in proofs/manifest.

Checks, in order: the admitted axioms on bit-vectors (z3), that every
manifest function exists and carries a contract (and loop annotations where
it loops), that every function defined in core/ is in the manifest; then
runs WP with -wp-rte once over the whole core (z3, cvc4, cvc5) and
prints a table per function from its report.
Exit status 1 if anything is not proved.  The last line is `proved N/M goals`.
"""
import json, os, re, shutil, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(ROOT)
cold = '--cold' in sys.argv
build = os.environ.get('BUILD', 'build')
work = os.path.join(build, 'prove')
os.makedirs(work, exist_ok=True)
timeout = os.environ.get('WP_TIMEOUT', '10')
errors = []

def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)

# ---- why3: detect provers once (z3, cvc4), add cvc5 by hand if missing ----
why3conf = os.path.abspath(os.path.join(work, 'why3.conf'))
env = dict(os.environ, WHY3CONFIG=why3conf)
def provers():
    return run(['why3', 'config', 'list-provers'], env=env).stdout
if not os.path.exists(why3conf) or 'Z3' not in provers():
    run(['why3', 'config', 'detect'], env=env)
if 'CVC5' not in provers() and shutil.which('cvc5'):
    ver = re.search(r'version (\S+)', run(['cvc5', '--version']).stdout)
    with open(why3conf, 'a') as f:
        f.write('\n[prover]\ncommand = "cvc5 --tlimit=%%t000 --lang=smt2 %%f"\n'
                'command_steps = "cvc5 --rlimit=%%S --lang=smt2 %%f"\ndriver = "cvc4_16"\n'
                'editor = ""\nin_place = false\ninteractive = false\nname = "CVC5"\n'
                'shortcut = "cvc5"\nversion = "%s"\n' % (ver.group(1) if ver else 'unknown'))
plist = provers()
PROVERS = os.environ.get('WP_PROVERS', 'z3,cvc4,cvc5')
for p in [x.upper() for x in PROVERS.split(',') if x != 'qed']:
    if p not in plist:
        errors.append('why3 does not know prover %s (see %s)' % (p, why3conf))
print('prove: provers: ' + ', '.join(l.strip() for l in plist.splitlines()
                                     if l.strip() and '(' not in l))

# ---- admitted axioms: independent bit-vector check ----
t0 = time.time()
z = run(['z3', 'proofs/admitted.smt2'])
lines = z.stdout.split()
n_checks = sum(1 for l in open('proofs/admitted.smt2') if l.startswith('(check-sat)'))
if lines != ['unsat'] * n_checks:
    errors.append('proofs/admitted.smt2: expected %d x unsat, z3 said: %s' % (n_checks, z.stdout.strip()))
print('prove: admitted axioms A1..A11, A14..A16: %d/%d bit-vector checks unsat (z3, %.1fs)'
      % (lines.count('unsat'), n_checks, time.time() - t0))

# ---- manifest: functions exist, have contracts, loops are annotated ----
def body_of(path, name):
    src = open(path).read()
    m = re.search(r'^[^\n;{}]*\b%s\s*\([^;{]*\)\s*(?:/\*@\s*ghost\s*\([^)]*\)\s*\*/\s*)?\{' % re.escape(name), src, re.M)
    if not m:
        return None, None
    depth, i = 1, m.end()
    while depth and i < len(src):
        depth += {'{': 1, '}': -1}.get(src[i], 0)
        i += 1
    before = src[:m.start()].rstrip()
    spec = before[before.rfind('/*@'):] if before.endswith('*/') and '/*@' in before[-4000:] else ''
    return spec, src[m.end():i]

manifest = []
admitted = []   # functions whose contract WP takes as given (no body under __FRAMAC__)
for line in open('proofs/manifest'):
    line = line.split('#', 1)[0].split()
    if len(line) == 3 and line[2] == 'admitted':
        admitted.append((line[0], line[1]))
    elif len(line) == 2:
        manifest.append(tuple(line))
    elif line:
        errors.append('proofs/manifest: cannot read line: %s' % ' '.join(line))
for path, name in admitted:
    src = open(path).read()
    m = re.search(r'\*/\s*\n(?:#[^\n]*\n)*[^\n;{}]*\b%s\s*\([^;{]*\)\s*;' % re.escape(name), src)
    spec = src[src.rfind('/*@', 0, m.start()):m.end()] if m else ''
    if not m or not re.search(r'\bassigns\b', spec):
        errors.append('%s: admitted function %s has no contract on its prototype' % (path, name))
loops = {}
for path, name in manifest:
    spec, body = body_of(path, name)
    if body is None:
        errors.append('%s: manifest function %s not found' % (path, name))
        continue
    if not re.search(r'\bensures\b', spec):   # contract may sit on a prototype in a header
        for h in sorted(os.listdir('core')):
            if h.endswith('.h'):
                src = open(os.path.join('core', h)).read()
                m = re.search(r'\*/\s*\n[^\n;{}]*\b%s\s*\([^;{]*\)\s*(?:/\*@\s*ghost\s*\([^)]*\)\s*\*/\s*)?;' % re.escape(name), src)
                if m:
                    spec = src[src.rfind('/*@', 0, m.start()):m.end()]
    if not re.search(r'\bensures\b', spec) or not re.search(r'\bassigns\b', spec):
        errors.append('%s: %s has no contract (requires/assigns/ensures before it)' % (path, name))
    n = len(re.findall(r'\b(for|while)\s*\(', body))
    loops[name] = n
    for kind in ('loop invariant', 'loop assigns', 'loop variant'):
        if body.count(kind) < n:
            errors.append('%s: %s has %d loop(s) but %d `%s`' % (path, name, n, body.count(kind), kind))

# ---- every function defined in core/ should be in the manifest ----
defined = {}
for fn in sorted(os.listdir('core')):
    if fn.endswith(('.c', '.h')):
        src = open(os.path.join('core', fn)).read()
        for m in re.finditer(r'^[A-Za-z_][^\n;{}()=#]*?\b([a-z_][a-z0-9_]*)\s*\([^;{}]*\)\s*'
                             r'(?:/\*@\s*ghost\s*\([^)]*\)\s*\*/\s*)?\{', src, re.M):
            if m.group(1) not in ('if', 'for', 'while', 'switch', 'return'):
                defined.setdefault(m.group(1), 'core/' + fn)
listed = {name for _, name in manifest} | {name for _, name in admitted}
missing = sorted(n for n in defined if n not in listed)
print('prove: functions: %d/%d defined in core/ are in the manifest (%d of them admitted: %s)'
      % (len(defined) - len(missing), len(defined), len(admitted), ', '.join(n for _, n in admitted)))
if missing:
    errors.append('functions defined in core/ but not in proofs/manifest: ' + ' '.join(missing))
stale = sorted(n for n in listed if n not in defined)
if stale:
    errors.append('proofs/manifest lists functions core/ does not define: ' + ' '.join(stale))

# ---- WP: one run over the whole core, every function and lemma at once ----
# No per-function selection: this is the plain `frama-c core/vheap.c -wp
# -wp-rte` run (proofs/README.md, "Running WP yourself"); the per-function
# table below is read from its JSON report.
# The committed session's cache is run in 'cleanup' mode: it keeps exactly
# the entries this (whole) run used, so it does not grow from run to run.
session = os.path.join(work, 'cold-session') if cold else 'proofs/wp-session'
if cold:
    shutil.rmtree(session, ignore_errors=True)
FRAMAC = ['frama-c', '-c11', '-machdep', 'gcc_x86_64', '-pp-annot',
          '-cpp-extra-args=-Icore/include -Icore -include proofs/framac-prelude.h',
          'core/vheap.c', '-wp', '-wp-rte', '-wp-prover', PROVERS,
          '-wp-timeout', timeout, '-wp-par', os.environ.get('WP_PAR', '2'),
          '-wp-auto', 'wp:range,wp:bitshift,wp:split',
          '-wp-session', session, '-wp-cache', 'none' if cold else os.environ.get('WP_CACHE', 'cleanup')]
rep = os.path.join(work, 'wp.json')
if os.path.exists(rep):
    os.remove(rep)
t0 = time.time()
r = run(FRAMAC + ['-wp-report-json', rep], env=env)
wall = time.time() - t0
with open(os.path.join(work, 'wp.log'), 'w') as f:
    f.write(r.stdout)
report = json.load(open(rep)) if r.returncode == 0 and os.path.exists(rep) else {}
if r.returncode != 0:
    errors.append('frama-c failed (exit %d), see %s/wp.log' % (r.returncode, work))
by_fct = report.get('wp:functions', {})
lemmas = {g: v for a, ax in report.get('wp:axiomatics', {}).items() if not a.startswith('wp:')
          for g, v in ax.items()}
def done(v):
    """A goal is proved when WP's verdicts for it are all valid."""
    return v.get('wp:main', {}).get('valid', 0) == v.get('wp:main', {}).get('total', -1)

total = proved = 0
rows = []
# The ACSL lemmas (proved, not admitted: they are goals like any other)
# first, then every manifest function.
LEMMAS = ('(lemmas)', '(lemmas)')
for path, name in [LEMMAS] + manifest:
    if name not in loops and (path, name) != LEMMAS:
        continue
    goals = lemmas if (path, name) == LEMMAS else by_fct.get(name, {})
    goals = {g: v for g, v in goals.items() if not g.startswith('wp:')}
    n = len(goals)
    ok = sum(1 for v in goals.values() if done(v))
    if r.returncode == 0 and n == 0:
        errors.append('%s: WP generated no goals' % name)
    if (path, name) != LEMMAS and not any('_ensures' in g for g in goals) and r.returncode == 0:
        errors.append('%s: no postcondition goal (contract missing?)' % name)
    if loops.get(name) and not all(any(k in g for g in goals) for k in ('_loop_invariant', '_loop_assigns', '_loop_variant')):
        errors.append('%s: loop without invariant/assigns/variant goals' % name)
    for g, v in goals.items():
        if not done(v):
            errors.append('%s: goal %s not proved (see %s/wp.log)' % (name, g, work))
    total += n
    proved += ok
    rows.append((path, name, n, ok))
unlisted = sorted(f for f in by_fct if f not in loops)
if unlisted:
    errors.append('WP proved functions the manifest does not list: ' + ' '.join(unlisted))

print('%-10s %-24s %6s %7s' % ('file', 'function', 'goals', 'proved'))
for path, name, n, ok in rows:
    print('%-10s %-24s %6d %7d%s' % (os.path.basename(path), name, n, ok, '' if n == ok else '  <-- NOT PROVED'))
print('%-35s %6d %7d' % ('total (%d functions and the lemmas)' % (len(rows) - 1), total, proved))
print('prove: one WP run over core/vheap.c, provers %s, %s s per goal: %.0f s wall%s'
      % (PROVERS, timeout, wall, ' (cold: no session, no cache)' if cold else ''))
# The table of proofs/README.md: every function in core/, what its contract
# says (proofs/contracts.tsv), its goals and how many are proved.
desc = {}
if os.path.exists('proofs/contracts.tsv'):
    for line in open('proofs/contracts.tsv'):
        f = line.rstrip('\n').split('\t')
        if len(f) == 3:
            desc[f[1]] = f[2].replace('|', '\\|')
with open(os.path.join(work, 'functions.md'), 'w') as f:
    f.write('| file | function | contract, in words | goals | proved |\n|---|---|---|---|---|\n')
    for path, name, n, ok in rows:
        f.write('| %s | `%s` | %s | %d | %s |\n' % (path, name, desc.get(name, ''), n,
                                                 'yes' if n == ok else '%d' % ok))
    for path, name in admitted:
        f.write('| %s | `%s` | %s | - | admitted |\n' % (path, name, desc.get(name, '')))
    for name in missing:
        f.write('| %s | `%s` | %s | - | not yet |\n' % (defined[name], name, desc.get(name, '')))
for e in errors:
    print('prove: ERROR: ' + e)
print('proved %d/%d goals' % (proved, total))
sys.exit(1 if errors or proved != total else 0)
