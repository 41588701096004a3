/* lk FILE START LEN (or: lk FILE flock - ...) w|r nb|wait HOLD_SECONDS: an fcntl (POSIX) lock for the guest tests.
 * Exit 0 when locked (after holding it HOLD_SECONDS), 1 when refused (EAGAIN/EACCES), 2 on error. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
int main(int argc, char **argv) {
  if (argc != 7) { fprintf(stderr, "usage: lk FILE START LEN w|r nb|wait HOLD\n"); return 2; }
  int fd = open(argv[1], O_RDWR | O_CREAT, 0644);
  if (fd < 0) { perror("open"); return 2; }
  if (strcmp(argv[2], "flock") == 0) { /* lk FILE flock - w|r nb|wait HOLD: flock(2), as flock(1) -n does */
    int op = (argv[4][0] == 'w' ? LOCK_EX : LOCK_SH) | (strcmp(argv[5], "wait") == 0 ? 0 : LOCK_NB);
    if (flock(fd, op) != 0) {
      if (errno == EWOULDBLOCK) return 1;
      fprintf(stderr, "lk: flock: %s\n", strerror(errno)); return 2;
    }
    printf("locked\n"); fflush(stdout); sleep(atoi(argv[6])); return 0;
  }
  struct flock fl; memset(&fl, 0, sizeof fl);
  fl.l_type = argv[4][0] == 'w' ? F_WRLCK : F_RDLCK; fl.l_whence = SEEK_SET;
  fl.l_start = atoll(argv[2]); fl.l_len = atoll(argv[3]);
  if (fcntl(fd, strcmp(argv[5], "wait") == 0 ? F_SETLKW : F_SETLK, &fl) != 0) {
    if (errno == EAGAIN || errno == EACCES) return 1;
    fprintf(stderr, "lk: fcntl: %s\n", strerror(errno)); return 2;
  }
  printf("locked\n"); fflush(stdout);
  sleep(atoi(argv[6]));
  return 0;
}
