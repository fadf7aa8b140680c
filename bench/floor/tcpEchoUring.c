/*
 * The kernel's floor for tcp-echo on io_uring (issue 14), no JavaScript at all. argv: <port> <mode>.
 * mode 0: one RECV per request (IORING_RECVSEND_POLL_FIRST), the echo by a direct send();
 * mode 1: multishot RECV into a provided-buffer ring, direct send(); mode 2: multishot, SEND on
 * the ring. Environment: DEFER=1 sets SINGLE_ISSUER|DEFER_TASKRUN, COOP=1 COOP_TASKRUN; EVFD=1
 * waits in epoll on the ring's eventfd (as a ring under Node's event loop does) instead of in
 * io_uring_enter; RINGFD=1 waits in epoll on the ring's own fd. Prints "ready" once listening.
 * liburing 2.3 (Debian's liburing-dev) has no io_uring_setup_buf_ring: the ring is set up by hand.
 */
#define _GNU_SOURCE
#include <liburing.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/eventfd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#define NBUF 1024
#define BSZ 4096
static struct io_uring ring; static struct io_uring_buf_ring *br; static char *bufs; static int mode;
static char conn_buf[4096][BSZ];
enum { ACCEPT = 1, RECV = 2, SEND = 3 };
#define UD(k, fd) (((uint64_t)(k) << 32) | (uint32_t)(fd))
static void arm_recv(int fd) {
  struct io_uring_sqe *s = io_uring_get_sqe(&ring);
  if (mode == 0) { io_uring_prep_recv(s, fd, conn_buf[fd], BSZ, 0); s->ioprio |= IORING_RECVSEND_POLL_FIRST; }
  else { io_uring_prep_recv_multishot(s, fd, NULL, 0, 0); s->flags |= IOSQE_BUFFER_SELECT; s->buf_group = 0; }
  io_uring_sqe_set_data64(s, UD(RECV, fd));
}
int main(int argc, char **argv) {
  int port = atoi(argv[1]); mode = atoi(argv[2]);
  struct io_uring_params p = {0};
  if (getenv("DEFER")) p.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
  if (getenv("COOP")) p.flags |= IORING_SETUP_COOP_TASKRUN;
  if (io_uring_queue_init_params(256, &ring, &p) < 0) { perror("init"); return 1; }
  if (mode > 0) {
    void *mem = NULL; if (posix_memalign(&mem, 4096, NBUF * sizeof(struct io_uring_buf)) != 0) return 1; memset(mem, 0, NBUF * sizeof(struct io_uring_buf)); br = mem; io_uring_buf_ring_init(br);
    struct io_uring_buf_reg reg = {.ring_addr = (unsigned long)mem, .ring_entries = NBUF, .bgid = 0};
    int ret = io_uring_register_buf_ring(&ring, &reg, 0); if (ret) { fprintf(stderr, "bufring %d\n", ret); return 1; }
    bufs = malloc(NBUF * BSZ);
    for (int i = 0; i < NBUF; i++) io_uring_buf_ring_add(br, bufs + i * BSZ, BSZ, i, io_uring_buf_ring_mask(NBUF), i);
    io_uring_buf_ring_advance(br, NBUF);
  }
  int l = socket(AF_INET, SOCK_STREAM, 0); int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)}; inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (bind(l, (void *)&a, sizeof a) < 0 || listen(l, 512) < 0) { perror("bind"); return 1; }
  struct io_uring_sqe *s = io_uring_get_sqe(&ring); io_uring_prep_multishot_accept(s, l, NULL, NULL, 0); io_uring_sqe_set_data64(s, UD(ACCEPT, l));
  int evfd = -1, ep = -1;
  if (getenv("RINGFD")) { evfd = ring.ring_fd; ep = epoll_create1(0); struct epoll_event e = {.events = EPOLLIN}; epoll_ctl(ep, EPOLL_CTL_ADD, evfd, &e); }
  if (getenv("EVFD")) { evfd = eventfd(0, EFD_NONBLOCK); io_uring_register_eventfd(&ring, evfd); ep = epoll_create1(0); struct epoll_event e = {.events = EPOLLIN}; epoll_ctl(ep, EPOLL_CTL_ADD, evfd, &e); }
  printf("ready\n"); fflush(stdout);
  for (;;) {
    if (evfd < 0) io_uring_submit_and_wait(&ring, 1);
    else {
      io_uring_submit(&ring);
      for (;;) {
        /* Deferred task work runs only in an enter, at most a bounded batch per call, and the
         * eventfd is signalled only when the work list was empty: enter until none is left
         * (IORING_SQ_TASKRUN, with IORING_SETUP_TASKRUN_FLAG) before sleeping in epoll. */
        while ((p.flags & IORING_SETUP_DEFER_TASKRUN) && (IO_URING_READ_ONCE(*ring.sq.kflags) & IORING_SQ_TASKRUN))
          syscall(__NR_io_uring_enter, ring.ring_fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0);
        if (io_uring_cq_ready(&ring) > 0) break;
        struct epoll_event e; epoll_wait(ep, &e, 1, -1); uint64_t v; if (!getenv("RINGFD")) read(evfd, &v, 8);
      }
    }
    struct io_uring_cqe *c; unsigned head, n = 0;
    io_uring_for_each_cqe(&ring, head, c) {
      n++;
      uint64_t ud = c->user_data; int kind = ud >> 32, fd = (int)(uint32_t)ud; int res = c->res;
      if (kind == ACCEPT) { if (res >= 0) { setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); arm_recv(res); } continue; }
      if (kind == SEND) continue;
      if (kind == RECV) {
        if (res <= 0) { if (res == -ENOBUFS) { arm_recv(fd); continue; } close(fd); continue; }
        char *data; int bid = -1;
        if (mode == 0) data = conn_buf[fd]; else { bid = c->flags >> IORING_CQE_BUFFER_SHIFT; data = bufs + bid * BSZ; }
        if (mode == 2) { memcpy(conn_buf[fd], data, res); struct io_uring_sqe *t = io_uring_get_sqe(&ring); io_uring_prep_send(t, fd, conn_buf[fd], res, MSG_WAITALL); io_uring_sqe_set_data64(t, UD(SEND, fd)); }
        else { ssize_t w = 0; while (w < res) { ssize_t k = send(fd, data + w, res - w, MSG_NOSIGNAL); if (k <= 0) break; w += k; } }
        if (bid >= 0) { io_uring_buf_ring_add(br, data, BSZ, bid, io_uring_buf_ring_mask(NBUF), 0); io_uring_buf_ring_advance(br, 1); }
        if (mode == 0 || !(c->flags & IORING_CQE_F_MORE)) arm_recv(fd);
      }
    }
    io_uring_cq_advance(&ring, n);
  }
}
