/* SPDX-License-Identifier: MIT */
/* The release number: the library's vh_version() is the header's
 * VH_VERSION_NUMBER, and the number and the string are the same release. */
#include <string.h>

#include <vheap.h>

#include "t.h"

TEST(version_library_matches_header)
{
    CHECK_EQ(vh_version(), VH_VERSION_NUMBER);
    CHECK_EQ(VH_VERSION_NUMBER, VH_VERSION_MAJOR * 10000 + VH_VERSION_MINOR * 100 + VH_VERSION_PATCH);
    CHECK(VH_VERSION_MINOR < 100 && VH_VERSION_PATCH < 100);
    char s[32];
    snprintf(s, sizeof s, "%d.%d.%d", VH_VERSION_MAJOR, VH_VERSION_MINOR, VH_VERSION_PATCH);
    CHECK(strcmp(s, VH_VERSION_STRING) == 0);
}
