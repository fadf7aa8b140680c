/* Directory-entry operations: UNLINKAT, RENAMEAT, MKDIRAT. Paths stay valid until the completion. */
#include "pktio_uring.h"

void pu_prep_unlinkat(struct io_uring_sqe *sqe, int dirfd, const char *path, int flags, uint64_t user_data) {
  sqe->opcode = IORING_OP_UNLINKAT;
  sqe->fd = dirfd;
  sqe->addr = (uint64_t)(uintptr_t)path;
  sqe->unlink_flags = (uint32_t)flags;
  sqe->user_data = user_data;
}

void pu_prep_renameat(struct io_uring_sqe *sqe, int olddirfd, const char *oldpath, int newdirfd, const char *newpath, uint64_t user_data) {
  sqe->opcode = IORING_OP_RENAMEAT;
  sqe->fd = olddirfd;
  sqe->addr = (uint64_t)(uintptr_t)oldpath;
  sqe->len = (uint32_t)newdirfd;
  sqe->addr2 = (uint64_t)(uintptr_t)newpath;
  sqe->user_data = user_data;
}

void pu_prep_mkdirat(struct io_uring_sqe *sqe, int dirfd, const char *path, uint32_t mode, uint64_t user_data) {
  sqe->opcode = IORING_OP_MKDIRAT;
  sqe->fd = dirfd;
  sqe->addr = (uint64_t)(uintptr_t)path;
  sqe->len = mode;
  sqe->user_data = user_data;
}
