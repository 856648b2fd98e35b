/*
 * The sampler's statistics: the exponential draw has the right mean and variance, and the
 * per-sample weights estimate allocated objects and bytes without bias for sizes far below,
 * near and far above the rate — by simulating the same countdown process the hooks run.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "core/config.h"
#include "alloc/sampler.h"

static void test_draws(void)
{
    uint64_t state = libleak_sampler_seed(&check_failures);
    const uint64_t rate = 512 * 1024;
    const int n = 2000000;
    double sum = 0, sum_squares = 0;
    for (int i = 0; i < n; i++) {
        double x = (double)libleak_sampler_next(&state, rate);
        CHECK(x >= 0, "negative draw %f", x);
        sum += x;
        sum_squares += x * x;
    }
    double mean = sum / n, variance = sum_squares / n - mean * mean;
    /* The mean's standard error is rate/sqrt(n) = 0.07 % of the rate: 0.5 % is 7 sigma. */
    CHECK(fabs(mean / rate - 1) < 0.005, "mean %.1f, expected %llu", mean, (unsigned long long)rate);
    /* Exponential: variance = rate^2; its estimate's relative error is about 3/sqrt(n). */
    CHECK(fabs(variance / ((double)rate * rate) - 1) < 0.02, "variance %.4g, expected %.4g", variance,
          (double)rate * rate);
    CHECK(libleak_sampler_next(&state, 1) == 0, "exact mode must sample every allocation");
}

/* Runs the countdown over `count` allocations of `size` bytes; returns the estimated objects. */
static void simulate(uint64_t rate, size_t size, long count, double *objects, double *bytes)
{
    uint64_t state = libleak_sampler_seed(&size);
    int64_t countdown = libleak_sampler_next(&state, rate);
    uint64_t object_units = 0, byte_sum = 0;
    for (long i = 0; i < count; i++) {
        if ((countdown -= (int64_t)size) < 0) {
            struct libleak_weight weight = libleak_sampler_weight(size, rate);
            object_units += weight.objects;
            byte_sum += weight.bytes;
            countdown = libleak_sampler_next(&state, rate);
        }
    }
    *objects = (double)object_units / LIBLEAK_OBJECT_ONE;
    *bytes = (double)byte_sum;
}

static void test_unbiased(void)
{
    const uint64_t rate = 4096;
    /* far below the rate, near it, far above it; counts chosen for ~100 000 samples each */
    const size_t sizes[] = {16, 4096, 1 << 20};
    const long counts[] = {25000000, 120000, 100000};
    for (int i = 0; i < 3; i++) {
        double objects, bytes;
        simulate(rate, sizes[i], counts[i], &objects, &bytes);
        double true_bytes = (double)sizes[i] * counts[i];
        CHECK(fabs(objects / counts[i] - 1) < 0.015, "size %zu: %.0f objects estimated, %ld true", sizes[i],
              objects, counts[i]);
        CHECK(fabs(bytes / true_bytes - 1) < 0.015, "size %zu: %.0f bytes estimated, %.0f true", sizes[i],
              bytes, true_bytes);
    }
    /* Far above the rate every allocation is sampled, and each weighs one object. */
    struct libleak_weight big = libleak_sampler_weight(1 << 30, rate);
    CHECK(big.objects == LIBLEAK_OBJECT_ONE && big.bytes == 1 << 30, "weight of a huge block: %llu, %llu",
          (unsigned long long)big.objects, (unsigned long long)big.bytes);
    /* Exact mode: every block weighs exactly one object and its size. */
    struct libleak_weight exact = libleak_sampler_weight(100, 1);
    CHECK(exact.objects == LIBLEAK_OBJECT_ONE && exact.bytes == 100, "exact weight %llu, %llu",
          (unsigned long long)exact.objects, (unsigned long long)exact.bytes);
}

static void test_parse_size(void)
{
    uint64_t value = 0;
    CHECK(libleak_parse_size("512k", &value) && value == 512 * 1024, "512k -> %llu",
          (unsigned long long)value);
    CHECK(libleak_parse_size("2M", &value) && value == 2 << 20, "2M -> %llu", (unsigned long long)value);
    CHECK(libleak_parse_size("1g", &value) && value == 1 << 30, "1g -> %llu", (unsigned long long)value);
    CHECK(libleak_parse_size("64KiB", &value) && value == 65536, "64KiB -> %llu", (unsigned long long)value);
    CHECK(libleak_parse_size("1", &value) && value == 1, "1 -> %llu", (unsigned long long)value);
    CHECK(!libleak_parse_size("", &value), "empty accepted");
    CHECK(!libleak_parse_size("-5", &value), "negative accepted");
    CHECK(!libleak_parse_size("12x", &value), "12x accepted");
    CHECK(!libleak_parse_size("99999999999999999999", &value), "overflow accepted");
    CHECK(!libleak_parse_size("17179869184g", &value), "shift overflow accepted");
}

static void test_parse_duration(void)
{
    uint64_t seconds = 0;
    CHECK(libleak_parse_duration("90", &seconds) && seconds == 90, "90 -> %llu", (unsigned long long)seconds);
    CHECK(libleak_parse_duration("30s", &seconds) && seconds == 30, "30s -> %llu",
          (unsigned long long)seconds);
    CHECK(libleak_parse_duration("5m", &seconds) && seconds == 300, "5m -> %llu",
          (unsigned long long)seconds);
    CHECK(libleak_parse_duration("2h", &seconds) && seconds == 7200, "2h -> %llu",
          (unsigned long long)seconds);
    CHECK(libleak_parse_duration("1d", &seconds) && seconds == 86400, "1d -> %llu",
          (unsigned long long)seconds);
    CHECK(!libleak_parse_duration("", &seconds), "empty accepted");
    CHECK(!libleak_parse_duration("5x", &seconds), "5x accepted");
    CHECK(!libleak_parse_duration("-1", &seconds), "-1 accepted");
    CHECK(!libleak_parse_duration("m", &seconds), "m accepted");
}

int main(void)
{
    test_parse_duration();
    test_draws();
    test_unbiased();
    test_parse_size();
    return check_result("test_sampler");
}
