/*
 * A third-party NFS client's view of a server: random or sequential reads or writes of one
 * block size through libnfs's async API at a queue depth, on one connection, for a ramp and a
 * measured window. Prints one JSON line:
 * { "ops": n, "opsPerSec": x, "p50Us": .., "p99Us": .., "p999Us": .., "maxUs": .., "bytes": ..,
 *   "elapsedMs": .., "maxNs": .., "hist": [[bucket, count], ...] }.
 *
 *   libnfs-load URL FILE read|write QD SECONDS [SIZE_BYTES [BLOCK_BYTES [rand|seq [RAMP_SECONDS [START_BYTES]]]]]
 *
 * URL: nfs://host/export?nfsport=P&mountport=P&version=3 (libnfs's URL syntax); FILE: a path
 * in the export, read from its first SIZE_BYTES (default 64 MiB) or written within them, in
 * blocks of BLOCK_BYTES (default 4096). Operations completing in the RAMP_SECONDS (default 0)
 * are not counted; the window then stays open SECONDS and until QD operations completed in it
 * (the suite's rule: a loaded machine still yields a count). `seq` starts at START_BYTES and
 * wraps. `hist` is the suite's latency histogram (bench/src/suite/histogram.ts: bucket =
 * floor(log2(ns) * 16)), sparse, so the suite merges it as it merges its own jobs'.
 * Compiled by bench/src/suite/libnfs-column.ts with gcc against Debian's libnfs-dev; nothing
 * in the product depends on it.
 */
#include <sys/time.h>
#include <nfsc/libnfs.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <math.h>

#define MAX_SAMPLES 4000000
/* histogram.ts: SUB_BUCKETS 16 per power of two, MAX_LOG2 40 */
#define SUB_BUCKETS 16
#define BUCKETS (SUB_BUCKETS * 40 + 1)

static struct nfs_context *nfs;
static struct nfsfh *fh;
static int writing, sequential, failed, qd;
static uint64_t block, blocks, cursor, issued, done, counted, bytes, window_ns, deadline_ns, last_ns, max_ns;
static char *wbuf;
static double *lat;
static uint64_t nlat;
static uint64_t hist[BUCKETS];

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rnd(void) {
  static uint64_t x = 88172645463325252ull;
  x ^= x << 13; x ^= x >> 7; x ^= x << 17;
  return x;
}

struct slot { uint64_t t0; };

static void issue(struct slot *s);

static void record(uint64_t ns) {
  int i = ns <= 1 ? 0 : (int)floor(log2((double)ns) * SUB_BUCKETS);
  hist[i < BUCKETS ? i : BUCKETS - 1]++;
  if (ns > max_ns) max_ns = ns;
  if (nlat < MAX_SAMPLES) lat[nlat++] = (double)ns / 1000.0;
}

static void cb(int err, struct nfs_context *n, void *data, void *priv) {
  (void)n;
  struct slot *s = priv;
  if (err < 0) {
    fprintf(stderr, "libnfs-load: %s\n", (char *)data);
    failed = 1;
    return;
  }
  uint64_t t = now_ns();
  done++;
  if (t >= deadline_ns && counted >= (uint64_t)qd) return;
  if (t >= window_ns) {
    record(t - s->t0);
    counted++;
    bytes += (uint64_t)err;
    if (t > last_ns) last_ns = t;
  }
  issue(s);
}

static void issue(struct slot *s) {
  uint64_t off;
  if (sequential) { off = cursor * block; cursor = cursor + 1 >= blocks ? 0 : cursor + 1; }
  else off = (rnd() % blocks) * block;
  s->t0 = now_ns();
  issued++;
  int r = writing ? nfs_pwrite_async(nfs, fh, off, block, wbuf, cb, s) : nfs_pread_async(nfs, fh, off, block, cb, s);
  if (r != 0) { fprintf(stderr, "libnfs-load: %s\n", nfs_get_error(nfs)); failed = 1; }
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double q(double p) {
  if (nlat == 0) return 0;
  uint64_t i = (uint64_t)(p * (double)nlat);
  return lat[i >= nlat ? nlat - 1 : i];
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: libnfs-load URL FILE read|write QD SECONDS [SIZE_BYTES [BLOCK_BYTES [rand|seq [RAMP_SECONDS [START_BYTES]]]]]\n");
    return 2;
  }
  writing = strcmp(argv[3], "write") == 0;
  qd = atoi(argv[4]);
  double seconds = atof(argv[5]);
  uint64_t size = argc > 6 ? strtoull(argv[6], NULL, 10) : 64ull << 20;
  block = argc > 7 ? strtoull(argv[7], NULL, 10) : 4096;
  sequential = argc > 8 && strcmp(argv[8], "seq") == 0;
  double ramp = argc > 9 ? atof(argv[9]) : 0;
  uint64_t start_bytes = argc > 10 ? strtoull(argv[10], NULL, 10) : 0;
  blocks = block == 0 ? 0 : size / block;
  if (qd < 1 || qd > 1024 || blocks == 0 || block > (64u << 20) || seconds <= 0 || ramp < 0) { fprintf(stderr, "libnfs-load: bad QD, size, block, window or ramp\n"); return 2; }
  cursor = (start_bytes / block) % blocks;
  wbuf = malloc(block);
  memset(wbuf, 0x5a, block);
  lat = malloc(sizeof(double) * MAX_SAMPLES);
  nfs = nfs_init_context();
  struct nfs_url *url = nfs_parse_url_dir(nfs, argv[1]);
  if (url == NULL) { fprintf(stderr, "libnfs-load: %s\n", nfs_get_error(nfs)); return 1; }
  if (nfs_mount(nfs, url->server, url->path) != 0) { fprintf(stderr, "libnfs-load: mount: %s\n", nfs_get_error(nfs)); return 1; }
  if (nfs_open(nfs, argv[2], writing ? O_RDWR : O_RDONLY, &fh) != 0) { fprintf(stderr, "libnfs-load: open: %s\n", nfs_get_error(nfs)); return 1; }
  struct slot *slots = calloc((size_t)qd, sizeof *slots);
  uint64_t start = now_ns();
  window_ns = start + (uint64_t)(ramp * 1e9);
  deadline_ns = window_ns + (uint64_t)(seconds * 1e9);
  last_ns = deadline_ns;
  for (int i = 0; i < qd; i++) issue(&slots[i]);
  while (done < issued && !failed) {
    struct pollfd p = { .fd = nfs_get_fd(nfs), .events = (short)nfs_which_events(nfs) };
    if (poll(&p, 1, 100) < 0) break;
    if (nfs_service(nfs, p.revents) < 0) { fprintf(stderr, "libnfs-load: %s\n", nfs_get_error(nfs)); failed = 1; }
  }
  if (failed) return 1;
  /* the window ends at the last counted completion when that came after the deadline */
  double wall = (double)(last_ns - window_ns) / 1e9;
  qsort(lat, nlat, sizeof *lat, cmp);
  printf("{\"op\":\"%s\",\"qd\":%d,\"block\":%llu,\"ops\":%llu,\"opsPerSec\":%.0f,\"bytes\":%llu,\"elapsedMs\":%.3f,\"p50Us\":%.0f,\"p99Us\":%.0f,\"p999Us\":%.0f,\"maxUs\":%.0f,\"maxNs\":%llu,\"hist\":[",
         writing ? "write" : "read", qd, (unsigned long long)block, (unsigned long long)counted, (double)counted / wall, (unsigned long long)bytes,
         wall * 1e3, q(0.5), q(0.99), q(0.999), nlat ? lat[nlat - 1] : 0.0, (unsigned long long)max_ns);
  int first = 1;
  for (int i = 0; i < BUCKETS; i++) {
    if (hist[i] == 0) continue;
    printf("%s[%d,%llu]", first ? "" : ",", i, (unsigned long long)hist[i]);
    first = 0;
  }
  printf("]}\n");
  nfs_close(nfs, fh);
  nfs_umount(nfs);
  nfs_destroy_url(url);
  nfs_destroy_context(nfs);
  return 0;
}
