#define _GNU_SOURCE
/*
 * The kernel's floor for udp-echo (issue 14), no JavaScript at all. argv: <port> <mode>.
 * mode e: epoll, recvfrom/sendto until EAGAIN (node:dgram's pattern); mode u: one RECVMSG on
 * io_uring, the reply by a direct sendto, waiting in io_uring_enter; mode v: the same waiting in
 * epoll on the ring's eventfd (as a ring under Node's event loop). Prints "ready" once bound.
 */
#include <liburing.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
int main(int argc, char **argv) {
  int port = atoi(argv[1]); char mode = argv[2][0];
  int s = socket(AF_INET, SOCK_DGRAM | (mode == 'e' ? SOCK_NONBLOCK : 0), 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)}; inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (bind(s, (void *)&a, sizeof a) < 0) { perror("bind"); return 1; }
  printf("ready\n"); fflush(stdout);
  static char buf[2048];
  if (mode == 'e') {
    int ep = epoll_create1(0); struct epoll_event ev = {.events = EPOLLIN}; epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    for (;;) { struct epoll_event e; epoll_wait(ep, &e, 1, -1);
      for (;;) { struct sockaddr_in from; socklen_t fl = sizeof from; ssize_t n = recvfrom(s, buf, sizeof buf, 0, (void *)&from, &fl); if (n < 0) break; sendto(s, buf, n, 0, (void *)&from, fl); } }
  }
  struct io_uring ring; io_uring_queue_init(64, &ring, 0);
  int evfd = -1, ep = -1;
  if (mode == 'v') { evfd = eventfd(0, EFD_NONBLOCK); io_uring_register_eventfd(&ring, evfd); ep = epoll_create1(0); struct epoll_event e = {.events = EPOLLIN}; epoll_ctl(ep, EPOLL_CTL_ADD, evfd, &e); }
  struct msghdr msg; struct iovec iov; struct sockaddr_in from;
  for (;;) {
    memset(&msg, 0, sizeof msg); iov.iov_base = buf; iov.iov_len = sizeof buf; msg.msg_iov = &iov; msg.msg_iovlen = 1; msg.msg_name = &from; msg.msg_namelen = sizeof from;
    struct io_uring_sqe *q = io_uring_get_sqe(&ring); io_uring_prep_recvmsg(q, s, &msg, 0);
    struct io_uring_cqe *c;
    if (mode == 'u') { io_uring_submit_and_wait(&ring, 1); }
    else { io_uring_submit(&ring); while (io_uring_cq_ready(&ring) == 0) { struct epoll_event e; epoll_wait(ep, &e, 1, -1); uint64_t v; read(evfd, &v, 8); } }
    io_uring_peek_cqe(&ring, &c); int n = c->res; io_uring_cqe_seen(&ring, c);
    if (n > 0) sendto(s, buf, n, 0, (void *)&from, msg.msg_namelen);
  }
}
