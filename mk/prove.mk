# SPDX-License-Identifier: MIT
# Frama-C/WP proofs of the core's pure helpers (proofs/README.md).
## prove         WP (-wp-rte) on every function in proofs/manifest + z3 check of the admitted axioms; table, `proved N/N goals`
## prove-cold    same with no WP cache (what a fresh clone runs)
.PHONY: prove prove-cold

prove:
	ci/install-deps prove
	BUILD=$(BUILD) nice python3 proofs/prove.py

prove-cold:
	ci/install-deps prove
	BUILD=$(BUILD) nice python3 proofs/prove.py --cold

# In `make check`: a fresh clone starts from the committed WP session
# (proofs/wp-session/), and `make prove-cold` shows the proofs hold without it.
CHECK_TARGETS += prove
