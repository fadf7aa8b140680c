/*
 * Blocking transfers on the calling thread, without the ring: what the sync helpers use when the
 * ring is idle. One io_uring_enter that submits and waits costs more than one pread (measured),
 * so a caller that blocks anyway is served fastest by the plain system call.
 */
#define _GNU_SOURCE
#include "pktio_uring.h"

#include <errno.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* Older C libraries' headers may lack it; the kernel has had it for buffered reads since 4.14. */
#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008
#endif

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

int64_t pu_read_cached(int fd, void *buf, uint32_t len, uint64_t offset) {
  struct iovec iov = {buf, len};
  ssize_t n;
  /*
   * The system call itself: musl's headers have no preadv2. On a 64-bit kernel the position is
   * its low word whole (pos_h is shifted out), which is every target the build has.
   */
  _Static_assert(sizeof(long) == 8, "preadv2's position split assumes 64-bit longs");
  do {
    n = syscall(SYS_preadv2, fd, &iov, 1UL, (unsigned long)offset, 0UL, RWF_NOWAIT);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : (int64_t)n;
}
