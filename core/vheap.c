/* Single-file build of the core: compile this one file (with core/ and
 * core/include/ on the include path) to embed vheap.  Only the vh_* API has
 * external linkage. */
#define VH_UNITY 1
#include "bitmap.c"
#include "buddy.c"
#include "slab.c"
#include "heap.c"
