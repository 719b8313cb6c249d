/* merge's reader: the input is one or more variant documents separated by
 * NUL bytes, checked and merged as `irqsim merge` does, compare.json and
 * compare.csv written into the harness's folder. */
#include "fuzz_common.h"
#include "merge_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    cli_src src[8];
    size_t n = 0;
    const char *p = (const char *)data, *end = p + size;
    while (n < 8 && p <= end) {
        const char *z = memchr(p, 0, (size_t)(end - p));
        size_t len = z ? (size_t)(z - p) : (size_t)(end - p);
        src[n].text = malloc(len + 1);
        if (!src[n].text)
            break;
        memcpy(src[n].text, p, len);
        src[n].text[len] = 0;
        src[n].len = len;
        src[n].name = NULL;
        n++;
        if (!z)
            break;
        p = z + 1;
    }
    char names[8][32];
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "doc %zu", i + 1);
        src[i].name = names[i];
    }
    cli_merged m;
    if (cli_merge_load(&m, src, n, "merge") == 0) {
        cli_merge_out out = {.cmd = "merge", .dir = fuzz_dir(), .quiet = true};
        cli_merge_write(&m, &out);
    }
    cli_merge_free(&m);
    for (size_t i = 0; i < n; i++)
        free(src[i].text);
    return 0;
}
