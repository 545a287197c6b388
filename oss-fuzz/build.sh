#!/bin/bash -eu
# SPDX-License-Identifier: MIT
# OSS-Fuzz build (projects/vheap/build.sh in google/oss-fuzz): the shared
# build script of the checkout (fuzz/oss-fuzz-build.sh).
exec "$SRC/vheap/fuzz/oss-fuzz-build.sh"
