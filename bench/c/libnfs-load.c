/*
 * A third-party NFS client's view of a server: 4 KiB random reads or writes through libnfs's
 * async API at a queue depth, on one connection, for a number of seconds. Prints one JSON line:
 * { "ops": n, "opsPerSec": x, "p50Us": .., "p99Us": .., "p999Us": .., "maxUs": .. }.
 *
 *   libnfs-load URL FILE read|write QD SECONDS [SIZE_BYTES]
 *
 * URL: nfs://host/export?nfsport=P&mountport=P&version=3 (libnfs's URL syntax); FILE: a path
 * in the export, read from its first SIZE_BYTES (default 64 MiB) or written within them.
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

#define BLOCK 4096
#define MAX_SAMPLES 4000000

static struct nfs_context *nfs;
static struct nfsfh *fh;
static int writing, failed;
static uint64_t blocks, issued, done, deadline_ns;
static char wbuf[BLOCK];
static double *lat;
static uint64_t nlat;

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

static void cb(int err, struct nfs_context *n, void *data, void *priv) {
  (void)n; (void)data;
  struct slot *s = priv;
  if (err < 0) {
    fprintf(stderr, "libnfs-load: %s\n", (char *)data);
    failed = 1;
    return;
  }
  uint64_t t = now_ns();
  if (nlat < MAX_SAMPLES) lat[nlat++] = (double)(t - s->t0) / 1000.0;
  done++;
  if (t < deadline_ns) issue(s);
}

static void issue(struct slot *s) {
  uint64_t off = (rnd() % blocks) * BLOCK;
  s->t0 = now_ns();
  issued++;
  int r = writing ? nfs_pwrite_async(nfs, fh, off, BLOCK, wbuf, cb, s) : nfs_pread_async(nfs, fh, off, BLOCK, cb, s);
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
    fprintf(stderr, "usage: libnfs-load URL FILE read|write QD SECONDS [SIZE_BYTES]\n");
    return 2;
  }
  writing = strcmp(argv[3], "write") == 0;
  int qd = atoi(argv[4]);
  double seconds = atof(argv[5]);
  uint64_t size = argc > 6 ? strtoull(argv[6], NULL, 10) : 64ull << 20;
  blocks = size / BLOCK;
  if (qd < 1 || qd > 1024 || blocks == 0) { fprintf(stderr, "libnfs-load: bad QD or size\n"); return 2; }
  memset(wbuf, 0x5a, sizeof wbuf);
  lat = malloc(sizeof(double) * MAX_SAMPLES);
  nfs = nfs_init_context();
  struct nfs_url *url = nfs_parse_url_dir(nfs, argv[1]);
  if (url == NULL) { fprintf(stderr, "libnfs-load: %s\n", nfs_get_error(nfs)); return 1; }
  if (nfs_mount(nfs, url->server, url->path) != 0) { fprintf(stderr, "libnfs-load: mount: %s\n", nfs_get_error(nfs)); return 1; }
  if (nfs_open(nfs, argv[2], writing ? O_RDWR : O_RDONLY, &fh) != 0) { fprintf(stderr, "libnfs-load: open: %s\n", nfs_get_error(nfs)); return 1; }
  struct slot *slots = calloc((size_t)qd, sizeof *slots);
  uint64_t start = now_ns();
  deadline_ns = start + (uint64_t)(seconds * 1e9);
  for (int i = 0; i < qd; i++) issue(&slots[i]);
  while (done < issued && !failed) {
    struct pollfd p = { .fd = nfs_get_fd(nfs), .events = (short)nfs_which_events(nfs) };
    if (poll(&p, 1, 100) < 0) break;
    if (nfs_service(nfs, p.revents) < 0) { fprintf(stderr, "libnfs-load: %s\n", nfs_get_error(nfs)); failed = 1; }
  }
  double wall = (double)(now_ns() - start) / 1e9;
  if (failed) return 1;
  qsort(lat, nlat, sizeof *lat, cmp);
  printf("{\"op\":\"%s\",\"qd\":%d,\"ops\":%llu,\"opsPerSec\":%.0f,\"p50Us\":%.0f,\"p99Us\":%.0f,\"p999Us\":%.0f,\"maxUs\":%.0f}\n",
         writing ? "write" : "read", qd, (unsigned long long)done, (double)done / wall, q(0.5), q(0.99), q(0.999), nlat ? lat[nlat - 1] : 0.0);
  nfs_close(nfs, fh);
  nfs_umount(nfs);
  nfs_destroy_url(url);
  nfs_destroy_context(nfs);
  return 0;
}
