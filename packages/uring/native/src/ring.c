/*
 * Ring setup, submission and reaping on raw syscalls. Head/tail words shared with the kernel are
 * read with acquire and written with release ordering, as io_uring(7) requires.
 */
#define _GNU_SOURCE
#include "pktio_uring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ring_internal.h"

static int sys_setup(unsigned entries, struct io_uring_params *p) {
  long r = syscall(__NR_io_uring_setup, entries, p);
  return r < 0 ? -errno : (int)r;
}

static int sys_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags) {
  long r;
  do {
    r = syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, NULL, 0);
  } while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : (int)r;
}

int pu__register(pu_ring *ring, unsigned opcode, const void *arg, unsigned nr) {
  long r = syscall(__NR_io_uring_register, ring->fd, opcode, arg, nr);
  return r < 0 ? -errno : (int)r;
}

static void unmap(pu_ring *ring) {
  if (ring->sqes != NULL && ring->sqes != MAP_FAILED) munmap(ring->sqes, ring->sqes_size);
  if (ring->cq_ptr != NULL && ring->cq_ptr != MAP_FAILED && ring->cq_ptr != ring->sq_ptr) munmap(ring->cq_ptr, ring->cq_size);
  if (ring->sq_ptr != NULL && ring->sq_ptr != MAP_FAILED) munmap(ring->sq_ptr, ring->sq_size);
}

int pu_ring_open(pu_ring **out, unsigned entries, unsigned setup_flags, int sq_thread_cpu) {
  pu_ring *ring = calloc(1, sizeof *ring);
  if (ring == NULL) return -ENOMEM;
  ring->fd = -1;
  ring->event_fd = -1;
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  p.flags = setup_flags;
  /* The SQ thread's spin after the last submission: short, so that an idle ring costs no CPU. */
  if (setup_flags & IORING_SETUP_SQPOLL) {
    p.sq_thread_idle = PU_SQ_THREAD_IDLE_MS;
    if (sq_thread_cpu >= 0) {
      p.flags |= IORING_SETUP_SQ_AFF;
      p.sq_thread_cpu = (unsigned)sq_thread_cpu;
    }
  }
  int fd = sys_setup(entries, &p);
  if (fd < 0) {
    free(ring);
    return fd;
  }
  ring->fd = fd;
  ring->features = p.features;
  ring->flags = p.flags;
  ring->sq_size = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
  ring->cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  if (p.features & IORING_FEAT_SINGLE_MMAP) {
    if (ring->cq_size > ring->sq_size) ring->sq_size = ring->cq_size;
    ring->cq_size = ring->sq_size;
  }
  int err = 0;
  ring->sq_ptr = mmap(NULL, ring->sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
  if (ring->sq_ptr == MAP_FAILED) goto fail;
  if (p.features & IORING_FEAT_SINGLE_MMAP) {
    ring->cq_ptr = ring->sq_ptr;
  } else {
    ring->cq_ptr = mmap(NULL, ring->cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
    if (ring->cq_ptr == MAP_FAILED) goto fail;
  }
  ring->sqes_size = p.sq_entries * sizeof(struct io_uring_sqe);
  ring->sqes = mmap(NULL, ring->sqes_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
  if (ring->sqes == MAP_FAILED) goto fail;

  char *sq = ring->sq_ptr;
  ring->sq_head = (unsigned *)(sq + p.sq_off.head);
  ring->sq_tail = (unsigned *)(sq + p.sq_off.tail);
  ring->sq_mask = *(unsigned *)(sq + p.sq_off.ring_mask);
  ring->sq_entries = p.sq_entries;
  ring->sq_flags = (unsigned *)(sq + p.sq_off.flags);
  ring->sq_array = (unsigned *)(sq + p.sq_off.array);
  char *cq = ring->cq_ptr;
  ring->cq_head = (unsigned *)(cq + p.cq_off.head);
  ring->cq_tail = (unsigned *)(cq + p.cq_off.tail);
  ring->cq_mask = *(unsigned *)(cq + p.cq_off.ring_mask);
  ring->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
  ring->sqe_tail = *ring->sq_tail;
  ring->published = ring->sqe_tail;

  ring->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (ring->event_fd < 0) goto fail;
  int r = pu__register(ring, IORING_REGISTER_EVENTFD, &ring->event_fd, 1);
  if (r < 0) {
    err = r;
    goto fail_with;
  }
  *out = ring;
  return 0;

fail:
  err = -errno;
fail_with:
  unmap(ring);
  if (ring->event_fd >= 0) close(ring->event_fd);
  close(fd);
  free(ring);
  return err;
}

void pu_ring_close(pu_ring *ring) {
  if (ring == NULL) return;
  pu_submitter_stop(ring);
  unmap(ring);
  close(ring->event_fd);
  close(ring->fd);
  free(ring);
}

int pu_ring_event_fd(const pu_ring *ring) { return ring->event_fd; }
unsigned pu_ring_sq_entries(const pu_ring *ring) { return ring->sq_entries; }
unsigned pu_ring_pending(const pu_ring *ring) { return ring->pending; }
int pu_ring_has_submitter(const pu_ring *ring) { return ring->submitter != NULL; }

unsigned pu_sq_space(const pu_ring *ring) {
  return ring->sq_entries - (ring->sqe_tail - __atomic_load_n(ring->sq_head, __ATOMIC_ACQUIRE));
}

unsigned pu_sqe_index(const pu_ring *ring, const struct io_uring_sqe *sqe) {
  return (unsigned)(sqe - ring->sqes);
}

struct io_uring_sqe *pu_get_sqe(pu_ring *ring) {
  unsigned head = __atomic_load_n(ring->sq_head, __ATOMIC_ACQUIRE);
  if (ring->sqe_tail - head >= ring->sq_entries) return NULL;
  unsigned index = ring->sqe_tail & ring->sq_mask;
  struct io_uring_sqe *sqe = &ring->sqes[index];
  memset(sqe, 0, sizeof *sqe);
  ring->sq_array[index] = index;
  ring->sqe_tail++;
  return sqe;
}

static int submit(pu_ring *ring, unsigned wait_nr, int here) {
  /* Everything prepared and not yet consumed by the kernel, including SQEs a short enter left behind. */
  unsigned to_submit = ring->sqe_tail - __atomic_load_n(ring->sq_head, __ATOMIC_ACQUIRE);
  /* Publish the new SQEs before the kernel can see the tail move. */
  __atomic_store_n(ring->sq_tail, ring->sqe_tail, __ATOMIC_RELEASE);
  unsigned flags = wait_nr > 0 ? IORING_ENTER_GETEVENTS : 0;
  if (ring->submitter != NULL) {
    /* Counted at publish, like SQPOLL: whichever thread's enter takes them, they are the kernel's. */
    unsigned fresh = ring->sqe_tail - ring->published;
    ring->published = ring->sqe_tail;
    ring->pending += fresh;
    if (wait_nr == 0 && !here) {
      if (to_submit > 0) pu_submitter_kick(ring->submitter);
      return (int)fresh;
    }
    /* A blocking caller submits and waits in one enter itself (no thread hop on the sync path), as does one that needs the SQ's room now. */
    int r = sys_enter(ring->fd, to_submit, wait_nr, flags);
    return r < 0 ? r : (int)fresh;
  }
  if (ring->flags & IORING_SETUP_SQPOLL) {
    /* The kernel thread takes every published SQE; enter only to wake it or to wait. */
    unsigned fresh = ring->sqe_tail - ring->published;
    ring->published = ring->sqe_tail;
    ring->pending += fresh;
    if (__atomic_load_n(ring->sq_flags, __ATOMIC_ACQUIRE) & IORING_SQ_NEED_WAKEUP) flags |= IORING_ENTER_SQ_WAKEUP;
    if (flags == 0) return (int)fresh;
    int r = sys_enter(ring->fd, to_submit, wait_nr, flags);
    return r < 0 ? r : (int)fresh;
  }
  if (to_submit == 0 && wait_nr == 0) return 0;
  int r = sys_enter(ring->fd, to_submit, wait_nr, flags);
  if (r > 0) ring->pending += (unsigned)r;
  return r;
}

int pu_submit(pu_ring *ring, unsigned wait_nr) { return submit(ring, wait_nr, 0); }
int pu_submit_here(pu_ring *ring) { return submit(ring, 0, 1); }

int pu_cq_ready(const pu_ring *ring) { return __atomic_load_n(ring->cq_tail, __ATOMIC_ACQUIRE) != *ring->cq_head; }

unsigned pu_reap(pu_ring *ring, pu_cqe *out, unsigned max) {
  unsigned head = *ring->cq_head;
  unsigned tail = __atomic_load_n(ring->cq_tail, __ATOMIC_ACQUIRE);
  unsigned count = 0;
  while (head != tail && count < max) {
    const struct io_uring_cqe *cqe = &ring->cqes[head & ring->cq_mask];
    head++;
    ring->pending--;
    if (cqe->user_data == PU_INTERNAL_USER_DATA) continue;
    out[count].user_data = cqe->user_data;
    out[count].res = cqe->res;
    out[count].flags = cqe->flags;
    count++;
  }
  /* Hand the slots back to the kernel only after their contents were copied out. */
  __atomic_store_n(ring->cq_head, head, __ATOMIC_RELEASE);
  return count;
}

void pu_drain_event_fd(pu_ring *ring) {
  uint64_t value;
  /* One read resets a (non-semaphore) eventfd's counter to 0; a second would only return EAGAIN. */
  ssize_t r;
  do {
    r = read(ring->event_fd, &value, sizeof value);
  } while (r < 0 && errno == EINTR);
}

int pu_sq_thread_asleep(const pu_ring *ring) {
  return (ring->flags & IORING_SETUP_SQPOLL) != 0 && (__atomic_load_n(ring->sq_flags, __ATOMIC_ACQUIRE) & IORING_SQ_NEED_WAKEUP) != 0;
}

int pu_probe(pu_ring *ring, uint8_t *supported, unsigned n) {
  size_t size = sizeof(struct io_uring_probe) + 256 * sizeof(struct io_uring_probe_op);
  struct io_uring_probe *probe = calloc(1, size);
  if (probe == NULL) return -ENOMEM;
  int r = pu__register(ring, IORING_REGISTER_PROBE, probe, 256);
  if (r >= 0) {
    memset(supported, 0, n);
    for (unsigned i = 0; i < probe->ops_len && i < 256; i++) {
      unsigned op = probe->ops[i].op;
      if (op < n && (probe->ops[i].flags & IO_URING_OP_SUPPORTED)) supported[op] = 1;
    }
    r = 0;
  }
  free(probe);
  return r;
}

int pu_register_buffers(pu_ring *ring, const struct iovec *iov, unsigned count) {
  int r = pu__register(ring, IORING_REGISTER_BUFFERS, iov, count);
  return r < 0 ? r : 0;
}

int pu_unregister_buffers(pu_ring *ring) {
  int r = pu__register(ring, IORING_UNREGISTER_BUFFERS, NULL, 0);
  return r < 0 ? r : 0;
}
