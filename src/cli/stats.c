/* Means, 95 % confidence intervals and replication seeds. */
#include <math.h>
#include <stdio.h>

#include "stats_internal.h"

/* Regularized incomplete beta I_x(a, b) by its continued fraction
 * (modified Lentz), used where it converges fast (x < (a+1)/(a+b+2)). */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    d = fabs(d) < tiny ? tiny : d;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 300; m++) {
        for (int odd = 0; odd < 2; odd++) {
            double num = odd ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                             : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 + num * d;
            d = fabs(d) < tiny ? tiny : d;
            c = 1 + num / c;
            c = fabs(c) < tiny ? tiny : c;
            d = 1 / d;
            h *= d * c;
            if (odd && fabs(d * c - 1) < 1e-15)
                return h;
        }
    }
    return h;
}

static double inc_beta(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2))
        return exp(lbt) * beta_cf(a, b, x) / a;
    return 1 - exp(lbt) * beta_cf(b, a, 1 - x) / b;
}

/* P(T <= t) for t >= 0. */
static double t_cdf(double t, double df)
{
    return 1 - 0.5 * inc_beta(df / 2, 0.5, df / (df + t * t));
}

double cli_t975(size_t df)
{
    double lo = 0, hi = 64; /* t(0.975, 1) = 12.7 */
    for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
        double mid = (lo + hi) / 2;
        if (t_cdf(mid, (double)df) < 0.975)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/* Sums are taken of the differences from x[0], so that values that agree
 * exactly give their own value and a half-width of exactly 0: summed as
 * they are, their mean can differ from them in the last bit, and that
 * rounding would be shown as an interval (precision not had). */
void cli_ci_of(const double *x, size_t n, cli_ci *out)
{
    double x0 = n ? x[0] : 0, dsum = 0;
    for (size_t i = 0; i < n; i++)
        dsum += x[i] - x0;
    double dmean = n ? dsum / (double)n : 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - x0 - dmean) * (x[i] - x0 - dmean);
    double mean = x0 + dmean;
    double half = n > 1 ? cli_t975(n - 1) * sqrt(ss / (double)(n - 1) / (double)n) : 0;
    *out = (cli_ci){.mean = mean, .half = half, .lo = mean - half, .hi = mean + half, .n = n};
}

int cli_ci_significant(const cli_ci *d)
{
    return d->lo > 0 || d->hi < 0;
}

uint64_t cli_replication_seed(uint64_t base, size_t r)
{
    if (r == 0)
        return base;
    uint64_t z = base + 0x9e3779b97f4a7c15ull * (uint64_t)r;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (z ^ (z >> 31)) >> 11;
}

/* Significant digits of the figures the statistics are taken of: the
 * reports print numbers with %.10g (report.c), so a finer interval is the
 * reports' rounding, not a spread of the replications. */
#define INPUT_DIGITS 10

static void format_value(char *buf, size_t len, double x)
{
    if (x == floor(x) && fabs(x) < 1e15)
        snprintf(buf, len, "%.0f", x);
    else
        snprintf(buf, len, "%.4g", x);
}

void cli_ci_format(char *buf, size_t len, const cli_ci *c)
{
    if (c->n < 2 || !(c->half > 0) || !isfinite(c->half)) {
        format_value(buf, len, c->mean);
        return;
    }
    /* the half-width to 2 significant digits, the mean to the same place,
     * but no finer than the mean's INPUT_DIGITS-th digit */
    int place = (int)floor(log10(c->half)) - 1;
    if (c->mean != 0) {
        int finest = (int)floor(log10(fabs(c->mean))) - (INPUT_DIGITS - 1);
        place = place < finest ? finest : place;
    }
    double unit = pow(10, place);
    double mean = round(c->mean / unit) * unit, half = round(c->half / unit) * unit;
    if (half == 0) { /* the interval is below the inputs' precision */
        format_value(buf, len, c->mean);
        return;
    }
    int decimals = place < 0 ? -place : 0;
    snprintf(buf, len, "%.*f ±%.*f", decimals, mean, decimals, half);
}
