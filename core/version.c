/* SPDX-License-Identifier: MIT */
/* version: vh_version, the release of the library that was linked
 * (VH_VERSION_* in vheap.h; CHANGELOG.md). */
#include <vheap.h>

/* The number packs MINOR and PATCH in two decimal digits each. */
_Static_assert(VH_VERSION_MAJOR >= 0 && VH_VERSION_MINOR >= 0 && VH_VERSION_PATCH >= 0 &&
                   VH_VERSION_MINOR < 100 && VH_VERSION_PATCH < 100,
               "VH_VERSION_NUMBER needs MINOR and PATCH in 0..99");

/*@ assigns \nothing;
    ensures \result == VH_VERSION_NUMBER; */
int vh_version(void)
{
    return VH_VERSION_NUMBER;
}
