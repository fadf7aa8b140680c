/*
 * Blocking transfers on the calling thread, without the ring: what the sync helpers use when the
 * ring is idle. One io_uring_enter that submits and waits costs more than one pread (measured),
 * so a caller that blocks anyway is served fastest by the plain system call.
 */
#define _GNU_SOURCE
#include "pktio_uring.h"

#include <errno.h>
#include <unistd.h>

int64_t pu_pread_full(int fd, void *buf, uint64_t len, uint64_t offset) {
  uint64_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) break; /* end of file */
    done += (uint64_t)n;
  }
  return (int64_t)done;
}

int64_t pu_pwrite_full(int fd, const void *buf, uint64_t len, uint64_t offset) {
  uint64_t done = 0;
  while (done < len) {
    ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) break; /* no progress: the caller reports it */
    done += (uint64_t)n;
  }
  return (int64_t)done;
}
