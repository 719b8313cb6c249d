/* irqsim compare: every combination of the --vary values, run one after
 * the other in this process, on the same arrival sequences (each source
 * and vCPU seeds its random stream from the seed and its own name, so
 * variants share arrivals unless they change the seed). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args_internal.h"
#include "merge_internal.h"
#include "sweep_internal.h"

/* Runs every variant into src[k]; saves the documents when there is an
 * output folder, so that `irqsim merge DIR` can redo the outputs later. */
static int run_all(const cli_sweep *s, cli_src *src)
{
    unsigned long long held = 0,
                       limit = s->o.max_memory ? s->o.max_memory : IRQ_DEFAULT_MEMORY_LIMIT;
    for (size_t k = 0; k < s->nvariants; k++) {
        char name[64];
        snprintf(name, sizeof name, "variant %zu", k + 1);
        src[k].name = strdup(name);
        int st = cli_variant_run(s, k, &src[k].text, &src[k].len);
        held += src[k].len;
        if (st == EXIT_OK && held > limit) { /* compare keeps every document */
            fprintf(stderr,
                    "irqsim compare: the variants' documents take more than the memory limit of "
                    "%llu bytes after variant %zu of %zu (--max-memory raises it; irqsim sweep "
                    "keeps them on disk)\n",
                    limit, k + 1, s->nvariants);
            return EXIT_SIMFAIL;
        }
        if (st == EXIT_OK && s->o.out_dir)
            st = cli_variant_save(s->o.out_dir, k, s->nvariants, src[k].text, src[k].len);
        if (st != EXIT_OK)
            return st;
    }
    return EXIT_OK;
}

int cli_sweep_outputs(const cli_sweep *s, const cli_src *src, size_t n)
{
    cli_merged m;
    int st = cli_merge_load(&m, src, n, s->cmd);
    cli_merge_out out = {.cmd = s->cmd,
                         .format = s->o.format,
                         .dir = s->o.out_dir,
                         .table = true,
                         .plot = s->o.plot,
                         .plot_format = s->o.plot_format,
                         .quiet = s->o.quiet};
    if (st == EXIT_OK)
        st = cli_merge_write(&m, &out);
    cli_merge_free(&m);
    return st;
}

int cli_sweep_out_dir(const cli_sweep *s, bool clean)
{
    if (!s->o.out_dir)
        return EXIT_OK;
    if (cli_mkdir_p(s->o.out_dir) != 0) {
        fprintf(stderr, "irqsim %s: cannot create directory %s: %s\n", s->cmd, s->o.out_dir,
                strerror(errno));
        return EXIT_IO;
    }
    if (clean) { /* an earlier sweep's files must not pass for this one's */
        cli_variant_clean(s->o.out_dir);
        char path[4200];
        for (int i = 0; i < 2; i++) {
            snprintf(path, sizeof path, "%s/%s", s->o.out_dir, i ? "compare.csv" : "compare.json");
            unlink(path);
        }
    }
    return EXIT_OK;
}

int cmd_compare(int argc, char **argv)
{
    cli_sweep s = {.cmd = "compare"};
    int st = cli_parse_args(s.cmd, argc, argv, &s.o) != 0 ? EXIT_USAGE : cli_compare_run(&s);
    cli_sweep_free(&s);
    return st;
}

int cli_compare_run(cli_sweep *ps)
{
    cli_sweep s = *ps;
    int st = cli_sweep_prepare(&s);
    if (st == EXIT_OK)
        st = cli_sweep_check(&s);
    if (st == EXIT_OK)
        st = cli_sweep_out_dir(&s, true);
    cli_src *src = st == EXIT_OK ? calloc(s.nvariants, sizeof *src) : NULL;
    if (st == EXIT_OK && !src)
        st = EXIT_SIMFAIL;
    if (st == EXIT_OK) {
        cli_catch_stop_signals(); /* Ctrl-C stops the variant running at once */
        st = run_all(&s, src);
    }
    if (st == EXIT_OK)
        st = cli_sweep_outputs(&s, src, s.nvariants);
    if (src)
        cli_src_free(src, s.nvariants);
    *ps = s;
    return st;
}
