# SPDX-License-Identifier: MIT
# Embedding (README "Embedding the core"): make install / uninstall with a
# pkg-config file, the two-file amalgamation, and one check per way in
# (tools/embed-check.sh, with examples/hello.c).  Packages: ci/deps/embed.list.
## install       build/libvheap.a, vheap.h and vheap.pc into $(DESTDIR)$(PREFIX) (PREFIX=/usr/local; LIBDIR, INCLUDEDIR, PKGCONFIGDIR)
## uninstall     remove exactly the three files make install wrote (directories stay)
## amalgamation  build/amalgamation/vheap.c + vheap.h: the core as two files, from core/vheap.c's include chain (tools/amalgamate.sh)
## embed-check   the three ways in, each building and running examples/hello.c: embed-copy-check amalgamation-check install-check
## embed-copy-check    a copy of core/ alone, -Icore -Icore/include, gcc and clang
## amalgamation-check  the amalgamation alone (no -I, gcc and clang, -Werror); same code as core/vheap.c; its files, ACSL and Frama-C parse
## install-check       make install into a temporary prefix and with DESTDIR; the example built with pkg-config's flags only; make uninstall

PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL ?= install
AMALGAMATION_DIR := $(BUILD)/amalgamation

# The release, from the header's macros (VH_VERSION_MAJOR.MINOR.PATCH).
VH_VERSION := $(shell awk '$$1 ~ /^.define$$/ && $$2 ~ /^VH_VERSION_(MAJOR|MINOR|PATCH)$$/ { v[$$2] = $$3 } \
	END { if (length(v) == 3) print v["VH_VERSION_MAJOR"] "." v["VH_VERSION_MINOR"] "." v["VH_VERSION_PATCH"] }' \
	core/include/vheap.h)

.PHONY: install uninstall amalgamation embed-check embed-copy-check amalgamation-check install-check embed-deps
CHECK_TARGETS += embed-copy-check amalgamation-check install-check

embed-deps:
	@ci/install-deps embed

# pkg-config and the compiler need absolute paths.
EMBED_ABSOLUTE = @for d in "$(PREFIX)" "$(LIBDIR)" "$(INCLUDEDIR)" "$(PKGCONFIGDIR)"; do \
		case "$$d" in /*) ;; *) echo "install/uninstall: PREFIX, LIBDIR, INCLUDEDIR and PKGCONFIGDIR must be absolute paths ('$$d')" >&2; exit 1 ;; esac; \
	done

# Paths under the prefix are written relative to ${prefix} in vheap.pc, so a
# sysroot or a moved tree works with pkg-config's usual variables.
$(BUILD)/vheap.pc: core/include/vheap.h mk/embed.mk FORCE
	$(EMBED_ABSOLUTE)
	@[ -n "$(VH_VERSION)" ] || { echo "install: core/include/vheap.h states no VH_VERSION_MAJOR/MINOR/PATCH" >&2; exit 1; }
	@mkdir -p $(@D)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))' \
		'includedir=$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))' '' 'Name: vheap' \
		'Description: freestanding slab-over-buddy allocator on a caller-given region' \
		'Version: $(VH_VERSION)' 'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lvheap' > $@
FORCE:

install: $(BUILD)/libvheap.a $(BUILD)/vheap.pc
	$(EMBED_ABSOLUTE)
	$(INSTALL) -d "$(DESTDIR)$(LIBDIR)" "$(DESTDIR)$(INCLUDEDIR)" "$(DESTDIR)$(PKGCONFIGDIR)"
	$(INSTALL) -m 644 $(BUILD)/libvheap.a "$(DESTDIR)$(LIBDIR)/libvheap.a"
	$(INSTALL) -m 644 core/include/vheap.h "$(DESTDIR)$(INCLUDEDIR)/vheap.h"
	$(INSTALL) -m 644 $(BUILD)/vheap.pc "$(DESTDIR)$(PKGCONFIGDIR)/vheap.pc"
	@echo "install: vheap $(VH_VERSION) in $(DESTDIR)$(PREFIX)"

uninstall:
	$(EMBED_ABSOLUTE)
	rm -f "$(DESTDIR)$(LIBDIR)/libvheap.a" "$(DESTDIR)$(INCLUDEDIR)/vheap.h" "$(DESTDIR)$(PKGCONFIGDIR)/vheap.pc"

# Always regenerated (half a second): it follows whatever core/vheap.c
# includes, so no file list can go stale.
amalgamation:
	tools/amalgamate.sh $(AMALGAMATION_DIR)

EMBED_CHECK_ENV := MAKE="$(MAKE)" BUILD="$(BUILD)" CC="$(CC)" STD_WARN="$(STD_WARN)"
embed-copy-check: embed-deps
	@$(EMBED_CHECK_ENV) tools/embed-check.sh copy
amalgamation-check: embed-deps amalgamation
	@$(EMBED_CHECK_ENV) tools/embed-check.sh amalgamation
install-check: embed-deps lib
	@$(EMBED_CHECK_ENV) tools/embed-check.sh install
embed-check: embed-copy-check amalgamation-check install-check
