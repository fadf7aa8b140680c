/* READ/WRITE and their _FIXED forms: the buffer must stay valid until the completion. */
#include "pktio_uring.h"

void pu_prep_rw(struct io_uring_sqe *sqe, uint8_t opcode, int fd, void *buf, uint32_t len, uint64_t offset, uint16_t buf_index, uint64_t user_data) {
  sqe->opcode = opcode;
  sqe->fd = fd;
  sqe->addr = (uint64_t)(uintptr_t)buf;
  sqe->len = len;
  sqe->off = offset;
  if (opcode == IORING_OP_READ_FIXED || opcode == IORING_OP_WRITE_FIXED) sqe->buf_index = buf_index;
  sqe->user_data = user_data;
}
