# SPDX-License-Identifier: MIT
# Frama-C/WP proofs of the whole core (proofs/README.md).
## prove         WP (-wp-rte) in one run over core/vheap.c (every function of the manifest, the lemmas) + z3 check of the admitted axioms; table, `proved N/N goals`
## prove-cold    same with no WP session or cache (the cold time; make check uses the committed session)
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
