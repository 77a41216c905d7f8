/*
 * spandspbench: reference timings for trunkd's media benchmarks, taken from
 * Debian's libspandsp in the same run as ours (daemon/benches/dtmf.rs and
 * daemon/benches/g711.rs start it).
 *
 *   spandspbench FILE [--chunk N] [--reps R] [--alaw-out OUT]
 *
 * FILE is raw signed 16-bit little-endian mono audio at 8 kHz. The program
 *   - runs spandsp's DTMF receiver (dtmf_rx) over the whole file, fed in
 *     N-sample chunks (default 8: one board tick), R times (default 10);
 *   - encodes every sample with spandsp's linear_to_alaw and decodes the
 *     resulting codes with alaw_to_linear, R times each;
 * and prints one JSON line with the best (smallest) time of each, in ns per
 * sample, plus the digits dtmf_rx reported on the first pass. With
 * --alaw-out, OUT receives the A-law codes (one byte per sample) followed by
 * their decoded values (s16le), so the caller can compare them with its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <spandsp.h>

#define MAX_DIGITS 4096

struct collected {
    char digits[MAX_DIGITS + 1];
    size_t len;
};

static void on_digits(void *user_data, const char *digits, int len)
{
    struct collected *c = user_data;
    for (int i = 0; i < len && c->len < MAX_DIGITS; i++)
        c->digits[c->len++] = digits[i];
    c->digits[c->len] = '\0';
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static int16_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "spandspbench: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    int16_t *buf = malloc(cap * sizeof *buf);
    while (buf != NULL) {
        uint8_t b[2];
        if (fread(b, 1, 2, f) != 2)
            break;
        if (len == cap) {
            cap *= 2;
            int16_t *bigger = realloc(buf, cap * sizeof *buf);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
        }
        buf[len++] = (int16_t) (uint16_t) (b[0] | (b[1] << 8));
    }
    fclose(f);
    if (buf == NULL)
        fprintf(stderr, "spandspbench: out of memory\n");
    *n = len;
    return buf;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *alaw_out = NULL;
    long chunk = 8, reps = 10;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--chunk") == 0 && i + 1 < argc)
            chunk = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--alaw-out") == 0 && i + 1 < argc)
            alaw_out = argv[++i];
        else if (path == NULL && argv[i][0] != '-')
            path = argv[i];
        else {
            fprintf(stderr, "usage: %s FILE [--chunk N] [--reps R] [--alaw-out OUT]\n", argv[0]);
            return 64;
        }
    }
    if (path == NULL || chunk < 1 || reps < 1) {
        fprintf(stderr, "usage: %s FILE [--chunk N] [--reps R] [--alaw-out OUT]\n", argv[0]);
        return 64;
    }
    size_t n;
    int16_t *samples = read_file(path, &n);
    if (samples == NULL)
        return 1;
    if (n == 0) {
        fprintf(stderr, "spandspbench: %s holds no samples\n", path);
        return 1;
    }
    uint8_t *codes = malloc(n);
    int16_t *decoded = malloc(n * sizeof *decoded);
    if (codes == NULL || decoded == NULL) {
        fprintf(stderr, "spandspbench: out of memory\n");
        return 1;
    }

    struct collected first = { .len = 0 }, scratch;
    dtmf_rx_state_t *rx = dtmf_rx_init(NULL, on_digits, &first);
    if (rx == NULL) {
        fprintf(stderr, "spandspbench: dtmf_rx_init failed\n");
        return 1;
    }
    double best_dtmf = 1e300;
    for (long r = 0; r < reps; r++) {
        /* Fresh receiver each pass (re-initialised in place, no allocation). */
        scratch.len = 0;
        dtmf_rx_init(rx, on_digits, r == 0 ? (void *) &first : (void *) &scratch);
        double t0 = now_ns();
        for (size_t i = 0; i < n; i += (size_t) chunk) {
            size_t len = n - i < (size_t) chunk ? n - i : (size_t) chunk;
            dtmf_rx(rx, samples + i, (int) len);
        }
        double dt = now_ns() - t0;
        if (dt < best_dtmf)
            best_dtmf = dt;
    }

    double best_enc = 1e300, best_dec = 1e300;
    unsigned long check = 0;
    for (long r = 0; r < reps; r++) {
        double t0 = now_ns();
        for (size_t i = 0; i < n; i++)
            codes[i] = linear_to_alaw(samples[i]);
        double t1 = now_ns();
        for (size_t i = 0; i < n; i++)
            decoded[i] = alaw_to_linear(codes[i]);
        double t2 = now_ns();
        /* Use the results so neither loop can be optimised away. */
        check += codes[(size_t) r % n] + (uint16_t) decoded[(size_t) (r * 7) % n];
        if (t1 - t0 < best_enc)
            best_enc = t1 - t0;
        if (t2 - t1 < best_dec)
            best_dec = t2 - t1;
    }

    if (alaw_out != NULL) {
        FILE *f = fopen(alaw_out, "wb");
        int ok = f != NULL && fwrite(codes, 1, n, f) == n;
        for (size_t i = 0; ok && i < n; i++) {
            uint8_t b[2] = { (uint8_t) ((uint16_t) decoded[i] & 0xff),
                             (uint8_t) ((uint16_t) decoded[i] >> 8) };
            ok = fwrite(b, 1, 2, f) == 2;
        }
        if (f == NULL || fclose(f) != 0 || !ok) {
            fprintf(stderr, "spandspbench: cannot write %s\n", alaw_out);
            return 1;
        }
    }
    printf("{\"samples\":%zu,\"reps\":%ld,\"chunk\":%ld,"
           "\"dtmf_rx_ns_per_sample\":%.4f,"
           "\"linear_to_alaw_ns_per_sample\":%.4f,"
           "\"alaw_to_linear_ns_per_sample\":%.4f,"
           "\"check\":%lu,\"digits\":\"%s\"}\n",
           n, reps, chunk, best_dtmf / (double) n, best_enc / (double) n,
           best_dec / (double) n, check, first.digits);
    dtmf_rx_free(rx);
    free(codes);
    free(decoded);
    free(samples);
    return 0;
}
