/*
 * The submit thread: a thread of the addon's own per ring that makes the io_uring_enter calls
 * which submit, so that the kernel work an SQE does inline (a cached read's page-cache copy, most
 * of what such a read costs) runs on another core than the JS thread. JS only fills SQEs, moves
 * the tail and, when the thread sleeps, wakes it; completions still reach JS through the ring's
 * eventfd. It is SQPOLL done in user space: it spins briefly after its last submission, then
 * sleeps on a futex, so an idle ring costs no CPU.
 *
 * Invariants:
 * - Only the owner thread (JS) writes SQEs and the SQ tail; this thread only calls enter. The
 *   kernel serializes enters, so the owner may still enter itself to submit and wait (sync calls).
 * - Lost wake-ups cannot happen: the thread sets `sleeping` and then re-reads `seq`; the owner bumps
 *   `seq` and then reads `sleeping` (both sequentially consistent), so one of them sees the other.
 * - The thread exits only once the SQ is empty or an enter failed; whatever it left
 *   unsubmitted is given back to the owner's count (pu_submitter_stop), so nothing is counted twice.
 */
#define _GNU_SOURCE
#include "pktio_uring.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pktio_uv.h"
#include "ring_internal.h"

struct pu_submitter {
  pu_ring *ring;
  uv_thread_t thread;
  uint64_t spin_ns;
  unsigned chunk;    /* SQEs per enter (PU_SUBMIT_CHUNK) */
  uint32_t seq;      /* futex word: bumped by the owner after each publish */
  uint32_t sleeping; /* 1 while the thread is in, or about to enter, its futex wait */
  uint32_t stop;
  uint32_t named;    /* futex word: 1 once the thread has its name (start returns after that) */
  uint32_t held;     /* 1: take no SQEs (pu_submitter_hold, a test's way to make a backlog) */
  uint32_t entering; /* 1 while the thread is inside a submitting enter (its CQEs are on the way) */
};

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static void futex_wait(uint32_t *word, uint32_t expected, const struct timespec *timeout) {
  syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, timeout, NULL, 0);
}

static void futex_wake(uint32_t *word) { syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

static unsigned unsubmitted(const pu_ring *ring) {
  return __atomic_load_n(ring->sq_tail, __ATOMIC_ACQUIRE) - __atomic_load_n(ring->sq_head, __ATOMIC_ACQUIRE);
}

static void run(void *arg) {
  pu_submitter *s = arg;
  pu_ring *ring = s->ring;
  /* Named so that top -H and /proc/<pid>/task/<tid>/comm show whose CPU it is. */
  prctl(PR_SET_NAME, "pktio-submit", 0, 0, 0);
  __atomic_store_n(&s->named, 1, __ATOMIC_RELEASE);
  futex_wake(&s->named);
  for (;;) {
    uint32_t seen = __atomic_load_n(&s->seq, __ATOMIC_SEQ_CST);
    unsigned waiting = __atomic_load_n(&s->held, __ATOMIC_ACQUIRE) ? 0 : unsubmitted(ring);
    if (waiting > 0) {
      /*
       * In chunks: the kernel posts the CQEs of inline completions when the enter returns, so a
       * whole batch in one enter would keep JS waiting for all of it and this thread waiting for
       * JS; chunks let JS handle the first completions while the rest are copied.
       */
      unsigned chunk = waiting < s->chunk ? waiting : s->chunk;
      __atomic_store_n(&s->entering, 1, __ATOMIC_RELAXED);
      long r = syscall(__NR_io_uring_enter, ring->fd, chunk, 0, 0, NULL, 0);
      /* Release: the enter's CQEs are visible to whoever sees the flag clear. */
      __atomic_store_n(&s->entering, 0, __ATOMIC_RELEASE);
      if (r >= 0 || errno == EINTR) continue;
      /* A stopping ring's owner submits what is left itself (and sees the error). */
      if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) return;
      /* EBUSY/EAGAIN: the kernel is short of room for completions; retry once the owner has reaped, or in 1 ms. */
      struct timespec ms = {0, 1000000};
      futex_wait(&s->seq, seen, &ms);
      continue;
    }
    if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) return;
    /* Spin: the owner usually publishes the next batch within microseconds of reaping the last. */
    uint64_t until = uv_hrtime() + s->spin_ns;
    int moved = 0;
    while (!moved) {
      for (int i = 0; i < 64 && !moved; i++) {
        cpu_relax();
        moved = __atomic_load_n(&s->seq, __ATOMIC_RELAXED) != seen;
      }
      if (uv_hrtime() >= until) break;
      /* A runnable thread waiting for this core (the JS thread itself, on a busy host) goes first. */
      syscall(SYS_sched_yield);
    }
    if (moved) continue;
    __atomic_store_n(&s->sleeping, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&s->seq, __ATOMIC_SEQ_CST) == seen) futex_wait(&s->seq, seen, NULL);
    __atomic_store_n(&s->sleeping, 0, __ATOMIC_RELAXED);
  }
}

int pu_submitter_start(pu_ring *ring, uint64_t spin_ns) {
  if (ring->submitter != NULL || (ring->flags & IORING_SETUP_SQPOLL)) return -EINVAL;
  pu_submitter *s = calloc(1, sizeof *s);
  if (s == NULL) return -ENOMEM;
  s->ring = ring;
  s->spin_ns = spin_ns;
  s->chunk = PU_SUBMIT_CHUNK;
  /* Nothing may be half-submitted when the counting switches to "at publish". */
  pu_submit(ring, 0);
  ring->published = ring->sqe_tail;
  int r = uv_thread_create(&s->thread, run, s);
  if (r != 0) {
    free(s);
    return r < 0 ? r : -r;
  }
  /* The thread is named before start returns, so whoever lists the process's threads next sees it. */
  while (!__atomic_load_n(&s->named, __ATOMIC_ACQUIRE)) futex_wait(&s->named, 0, NULL);
  ring->submitter = s;
  return 0;
}

void pu_submitter_kick(pu_submitter *s) {
  __atomic_fetch_add(&s->seq, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&s->sleeping, __ATOMIC_SEQ_CST)) futex_wake(&s->seq);
}

void pu_submitter_stop(pu_ring *ring) {
  pu_submitter *s = ring->submitter;
  if (s == NULL) return;
  __atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
  pu_submitter_kick(s);
  uv_thread_join(&s->thread);
  ring->submitter = NULL;
  /* Published SQEs the thread did not get in were counted as pending; the plain path counts them again when it submits. */
  ring->pending -= unsubmitted(ring);
  free(s);
}

int pu_submitter_asleep(const pu_ring *ring) {
  return ring->submitter != NULL && __atomic_load_n(&ring->submitter->sleeping, __ATOMIC_SEQ_CST) != 0;
}

unsigned pu_submitter_backlog(const pu_ring *ring) { return ring->submitter == NULL ? 0 : unsubmitted(ring); }

int pu_submitter_busy(const pu_ring *ring) {
  const pu_submitter *s = ring->submitter;
  if (s == NULL) return 0;
  return __atomic_load_n(&s->entering, __ATOMIC_ACQUIRE) != 0 || (!__atomic_load_n(&s->held, __ATOMIC_ACQUIRE) && unsubmitted(ring) > 0);
}

int pu_submitter_hold(pu_ring *ring, int held) {
  pu_submitter *s = ring->submitter;
  if (s == NULL) return -EINVAL;
  __atomic_store_n(&s->held, held ? 1u : 0u, __ATOMIC_RELEASE);
  /* Released: whatever was published meanwhile goes in now. */
  if (!held) pu_submitter_kick(s);
  return 0;
}
