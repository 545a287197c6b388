#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every source file, script and build file carries the licence's SPDX line
# in its first two lines (after a shebang).  Data (corpus/, the WP session)
# and prose are exempt.
set -euo pipefail
cd "$(dirname "$0")/../.."
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    list=$(git ls-files --cached --others --exclude-standard)
else
    list=$(find . -type f ! -path './build/*' ! -path './.git/*' | sed 's|^\./||')
fi
missing=$(echo "$list" | grep -E '\.(c|h|py|sh|mk|gp|smt2|yml|yaml)$|(^|/)(Makefile|Dockerfile)$|^ci/(install-deps|lint-ci-config)$|^\.ci/run$' \
    | grep -vE '^(corpus/|proofs/wp-session/|build/)' \
    | while read -r f; do [ -f "$f" ] && ! head -n 2 "$f" | grep -q 'SPDX-License-Identifier: MIT' && echo "$f"; done || true)
if [ -n "$missing" ]; then
    echo "lint-spdx: no SPDX-License-Identifier line in:"; echo "$missing" | sed 's/^/  /'
    exit 1
fi
echo "lint-spdx: every source file carries SPDX-License-Identifier: MIT (LICENSE)"
