/* The ring's private state: the kernel-shared mappings and the library's own counters. */
#ifndef PKTIO_URING_RING_INTERNAL_H
#define PKTIO_URING_RING_INTERNAL_H

#include "pktio_uring.h"
#include <stddef.h>

struct pu_ring {
  int fd;
  int event_fd;
  unsigned features;
  unsigned flags;
  void *sq_ptr;
  size_t sq_size;
  void *cq_ptr;
  size_t cq_size;
  struct io_uring_sqe *sqes;
  size_t sqes_size;
  unsigned *sq_head;
  unsigned *sq_tail;
  unsigned *sq_flags;
  unsigned *sq_array;
  unsigned sq_mask;
  unsigned sq_entries;
  unsigned *cq_head;
  unsigned *cq_tail;
  unsigned cq_mask;
  struct io_uring_cqe *cqes;
  /* Local tail: SQEs prepared but not yet published to the kernel. */
  unsigned sqe_tail;
  /* SQPOLL only: SQEs already published to the kernel thread. */
  unsigned published;
  /* SQEs the kernel took whose CQE has not been reaped (SQPOLL, submit thread: SQEs published). */
  unsigned pending;
  /* The submit thread (submitter.c), or NULL: while set, the owner publishes and the thread enters. */
  pu_submitter *submitter;
};

int pu__register(pu_ring *ring, unsigned opcode, const void *arg, unsigned nr);

#endif
