/* SPDX-License-Identifier: MIT */
/* fail: where a run is, and the one way a check fails (harness.h).  Shared
 * by both fuzz targets: ops (the model-checked one) and corrupt. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "decode.h"
#include "harness.h"

struct vhf_run vhf_run;

void vhf_fail(const char *fmt, ...)
{
    char msg[512], what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (vhf_run.op != NULL)
        vhf_op_format(what, sizeof what, vhf_run.op);
    else
        snprintf(what, sizeof what, "%s", vhf_run.opname ? vhf_run.opname : "?");
    fprintf(stderr, "vheap-fuzz: FAIL%s%s op #%u (%s): %s\n", vhf_run.input_name ? " in " : "",
            vhf_run.input_name ? vhf_run.input_name : "", vhf_run.opno, what, msg);
    fflush(stderr);
    abort();
}
