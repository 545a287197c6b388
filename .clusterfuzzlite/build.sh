#!/bin/bash -eu
# SPDX-License-Identifier: MIT
# ClusterFuzzLite build: the shared OSS-Fuzz build script (fuzz/oss-fuzz-build.sh).
exec "$SRC/vheap/fuzz/oss-fuzz-build.sh"
