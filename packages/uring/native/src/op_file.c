/* Whole-file operations: FSYNC, OPENAT, CLOSE, STATX. Paths and statx buffers stay valid until the completion. */
#include "pktio_uring.h"

void pu_prep_fsync(struct io_uring_sqe *sqe, int fd, int datasync, uint64_t user_data) {
  sqe->opcode = IORING_OP_FSYNC;
  sqe->fd = fd;
  sqe->fsync_flags = datasync ? IORING_FSYNC_DATASYNC : 0;
  sqe->user_data = user_data;
}

void pu_prep_openat(struct io_uring_sqe *sqe, int dirfd, const char *path, int flags, uint32_t mode, uint64_t user_data) {
  sqe->opcode = IORING_OP_OPENAT;
  sqe->fd = dirfd;
  sqe->addr = (uint64_t)(uintptr_t)path;
  sqe->len = mode;
  sqe->open_flags = (uint32_t)flags;
  sqe->user_data = user_data;
}

void pu_prep_close(struct io_uring_sqe *sqe, int fd, uint64_t user_data) {
  sqe->opcode = IORING_OP_CLOSE;
  sqe->fd = fd;
  sqe->user_data = user_data;
}

void pu_prep_statx(struct io_uring_sqe *sqe, int dirfd, const char *path, int flags, uint32_t mask, void *statxbuf, uint64_t user_data) {
  sqe->opcode = IORING_OP_STATX;
  sqe->fd = dirfd;
  sqe->addr = (uint64_t)(uintptr_t)path;
  sqe->len = mask;
  sqe->off = (uint64_t)(uintptr_t)statxbuf;
  sqe->statx_flags = (uint32_t)flags;
  sqe->user_data = user_data;
}
