/*
 * Sockets on the ring: SEND, RECV, SENDMSG, RECVMSG, ACCEPT, CONNECT, SHUTDOWN, and the few
 * calls that never block and have no opcode on every kernel (socket + bind + listen,
 * getsockname/getpeername), made directly. Sockets are created in blocking mode: io_uring then
 * parks a receive in the kernel until data comes, instead of completing it with -EAGAIN
 * (the flood of EAGAIN completions non-blocking sockets produce under io_uring).
 *
 * Memory: a transfer's bytes (`buf`) and its side area (`area`: the msghdr, iovec and address of
 * SENDMSG/RECVMSG, the address and its length of ACCEPT and CONNECT) are JS memory that the
 * operation's slot keeps alive until the completion; the kernel reads and writes them
 * asynchronously, so both must outlive the submit.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pktio_uring.h"

int pu_is_net_op(uint8_t opcode) {
  return opcode == IORING_OP_SEND || opcode == IORING_OP_RECV || opcode == IORING_OP_SENDMSG || opcode == IORING_OP_RECVMSG ||
         opcode == IORING_OP_ACCEPT || opcode == IORING_OP_CONNECT || opcode == IORING_OP_SHUTDOWN;
}

int pu_is_net_transfer(uint8_t opcode) {
  return opcode == IORING_OP_SEND || opcode == IORING_OP_RECV || opcode == IORING_OP_SENDMSG || opcode == IORING_OP_RECVMSG;
}

size_t pu_net_area_needed(uint8_t opcode) {
  switch (opcode) {
    case IORING_OP_SENDMSG:
    case IORING_OP_RECVMSG: return PU_NET_AREA;
    case IORING_OP_ACCEPT: return PU_NET_ADDR_OFFSET + sizeof(struct sockaddr_storage) + sizeof(socklen_t);
    case IORING_OP_CONNECT: return PU_NET_ADDR_OFFSET + sizeof(struct sockaddr_in);
    default: return 0;
  }
}

/* The msghdr at the start of the area, its one iovec after it, the address at PU_NET_ADDR_OFFSET. */
static void fill_msghdr(uint8_t *area, void *buf, uint32_t len, uint32_t namelen, int receiving) {
  struct msghdr *msg = (struct msghdr *)area;
  struct iovec *iov = (struct iovec *)(area + PU_NET_IOV_OFFSET);
  memset(msg, 0, sizeof *msg);
  iov->iov_base = buf;
  iov->iov_len = len;
  msg->msg_iov = iov;
  msg->msg_iovlen = 1;
  if (receiving || namelen > 0) {
    msg->msg_name = area + PU_NET_ADDR_OFFSET;
    msg->msg_namelen = receiving ? (socklen_t)sizeof(struct sockaddr_storage) : namelen;
  }
}

void pu_prep_net(struct io_uring_sqe *sqe, uint8_t opcode, int fd, void *buf, uint32_t len, int flags, uint32_t aux2, void *area, uint64_t user_data) {
  uint8_t *bytes = area;
  sqe->opcode = opcode;
  sqe->fd = fd;
  sqe->user_data = user_data;
  switch (opcode) {
    case IORING_OP_SEND:
    case IORING_OP_RECV:
      sqe->addr = (uint64_t)(uintptr_t)buf;
      sqe->len = len;
      sqe->msg_flags = (uint32_t)flags;
      /* aux2: io_uring's own send/recv flags (IORING_RECVSEND_POLL_FIRST), carried in ioprio. */
      sqe->ioprio = (uint16_t)aux2;
      break;
    case IORING_OP_SENDMSG:
    case IORING_OP_RECVMSG:
      fill_msghdr(bytes, buf, len, aux2, opcode == IORING_OP_RECVMSG);
      sqe->addr = (uint64_t)(uintptr_t)bytes;
      sqe->len = 1;
      sqe->msg_flags = (uint32_t)flags;
      break;
    case IORING_OP_ACCEPT: {
      socklen_t *addrlen = (socklen_t *)(bytes + PU_NET_ADDR_OFFSET + sizeof(struct sockaddr_storage));
      *addrlen = (socklen_t)sizeof(struct sockaddr_storage);
      sqe->addr = (uint64_t)(uintptr_t)(bytes + PU_NET_ADDR_OFFSET);
      sqe->addr2 = (uint64_t)(uintptr_t)addrlen;
      sqe->accept_flags = SOCK_CLOEXEC;
      break;
    }
    case IORING_OP_CONNECT:
      sqe->addr = (uint64_t)(uintptr_t)(bytes + PU_NET_ADDR_OFFSET);
      sqe->off = aux2;
      break;
    case IORING_OP_SHUTDOWN:
      sqe->len = (uint32_t)flags;
      break;
    default: break;
  }
}

int pu_net_socket(int domain, int type, const void *addr, uint32_t addrlen, int backlog) {
  int fd = socket(domain, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  if (type == SOCK_STREAM) {
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (backlog > 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  if (addr != NULL && addrlen > 0 && bind(fd, (const struct sockaddr *)addr, addrlen) < 0) {
    int error = -errno;
    close(fd);
    return error;
  }
  if (backlog > 0 && listen(fd, backlog) < 0) {
    int error = -errno;
    close(fd);
    return error;
  }
  return fd;
}

int pu_net_now(int fd, int sending, void *buf, uint32_t len, uint32_t namelen, void *area) {
  fill_msghdr(area, buf, len, namelen, !sending);
  struct msghdr *msg = (struct msghdr *)area;
  ssize_t n;
  do {
    n = sending ? sendmsg(fd, msg, MSG_DONTWAIT | MSG_NOSIGNAL) : recvmsg(fd, msg, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : (int)n;
}

int pu_net_name(int fd, int peer, void *out, uint32_t capacity) {
  socklen_t length = capacity;
  int r = peer ? getpeername(fd, out, &length) : getsockname(fd, out, &length);
  return r < 0 ? -errno : (int)length;
}

int pu_net_nodelay(int fd) {
  int one = 1;
  return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ? -errno : 0;
}
