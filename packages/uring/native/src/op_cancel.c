/* ASYNC_CANCEL and LINK_TIMEOUT. A cancelled operation still completes (with -ECANCELED or its data). */
#include "pktio_uring.h"

void pu_prep_cancel(struct io_uring_sqe *sqe, uint64_t target_user_data, uint32_t flags, uint64_t user_data) {
  sqe->opcode = IORING_OP_ASYNC_CANCEL;
  sqe->fd = -1;
  sqe->addr = target_user_data;
  sqe->cancel_flags = flags;
  sqe->user_data = user_data;
}

void pu_prep_link_timeout(struct io_uring_sqe *sqe, struct __kernel_timespec *ts, uint64_t user_data) {
  sqe->opcode = IORING_OP_LINK_TIMEOUT;
  sqe->fd = -1;
  sqe->addr = (uint64_t)(uintptr_t)ts;
  sqe->len = 1;
  sqe->user_data = user_data;
}
