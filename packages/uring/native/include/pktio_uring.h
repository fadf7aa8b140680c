/*
 * pktio_uring: a small io_uring library on raw syscalls (no liburing). One ring per runtime;
 * every function returns 0 or a negative errno, never sets errno. Not thread-safe: a ring is
 * used by the one thread that owns it (its Node environment).
 */
#ifndef PKTIO_URING_H
#define PKTIO_URING_H

#include <linux/io_uring.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/uio.h>

typedef struct pu_ring pu_ring;
typedef struct pu_submitter pu_submitter;

/* One reaped completion: the user_data of its SQE and the result (bytes, or -errno). */
typedef struct pu_cqe {
  uint64_t user_data;
  int32_t res;
  uint32_t flags;
} pu_cqe;

/* user_data of SQEs whose completions the library consumes itself (cancels, timeouts). */
#define PU_INTERNAL_USER_DATA UINT64_MAX

/*
 * Sets up a ring of `entries` SQEs with an eventfd registered for completions. With
 * IORING_SETUP_SQPOLL, `sq_thread_cpu` >= 0 pins the SQ thread to that CPU (IORING_SETUP_SQ_AFF).
 */
int pu_ring_open(pu_ring **out, unsigned entries, unsigned setup_flags, int sq_thread_cpu);
/* Unmaps the ring and closes its fds. Completions still due are lost: drain first. */
void pu_ring_close(pu_ring *ring);
int pu_ring_event_fd(const pu_ring *ring);
unsigned pu_ring_sq_entries(const pu_ring *ring);
/* SQEs handed to the kernel whose completion has not been reaped yet. */
unsigned pu_ring_pending(const pu_ring *ring);

/* Free SQEs in the submission queue. */
unsigned pu_sq_space(const pu_ring *ring);
/* The slot of an SQE from pu_get_sqe, for per-slot side data that must outlive a submit. */
unsigned pu_sqe_index(const pu_ring *ring, const struct io_uring_sqe *sqe);
/* A zeroed SQE to fill, or NULL when the submission queue is full (submit, then retry). */
struct io_uring_sqe *pu_get_sqe(pu_ring *ring);
/* Submits every prepared SQE; waits for at least `wait_nr` completions. Returns SQEs taken. */
int pu_submit(pu_ring *ring, unsigned wait_nr);
/* pu_submit(ring, 0), but the enter is made on the calling thread even with a submit thread: the SQ has room once it returns. */
int pu_submit_here(pu_ring *ring);
/* Copies up to `max` completions into `out`, returns how many. Internal completions are skipped. */
unsigned pu_reap(pu_ring *ring, pu_cqe *out, unsigned max);
/* Whether a completion waits to be reaped. */
int pu_cq_ready(const pu_ring *ring);
/* Clears the eventfd's counter after a wake-up. */
void pu_drain_event_fd(pu_ring *ring);
/* SQPOLL rings: whether the kernel's SQ thread has gone to sleep (IORING_SQ_NEED_WAKEUP). */
int pu_sq_thread_asleep(const pu_ring *ring);
/* SQPOLL rings: how long the SQ thread polls an empty queue before it sleeps, in milliseconds. */
#define PU_SQ_THREAD_IDLE_MS 2

/*
 * The submit thread (submitter.c): from now on pu_submit only publishes SQEs and a thread of its
 * own makes the io_uring_enter that submits them, so inline kernel work runs on another core. It
 * spins `spin_ns` after its last submission, then sleeps until the next publish. Not with SQPOLL.
 */
int pu_submitter_start(pu_ring *ring, uint64_t spin_ns);
/* Joins the submit thread (after it submitted what was published); the ring goes back to plain submits. */
void pu_submitter_stop(pu_ring *ring);
/* Wakes the submit thread for SQEs just published. */
void pu_submitter_kick(pu_submitter *s);
/* Whether a submit thread runs for this ring. */
int pu_ring_has_submitter(const pu_ring *ring);
/* Whether the submit thread sleeps (or is about to) on its futex: it spends no CPU until the next publish. */
int pu_submitter_asleep(const pu_ring *ring);
/* Whether the submit thread has completions on the way: it is inside an enter, or SQEs wait for it (0 without one). */
int pu_submitter_busy(const pu_ring *ring);
/* SQEs published to the submit thread that it has not handed to the kernel yet (0 without one). */
unsigned pu_submitter_backlog(const pu_ring *ring);
/*
 * held = 1: the submit thread takes no more SQEs until released (held = 0), so that a test can
 * build a backlog without depending on timing; stopping the ring while held loses nothing (the
 * owner submits what is left). -EINVAL without a submit thread.
 */
int pu_submitter_hold(pu_ring *ring, int held);
/*
 * SQEs per enter of the submit thread: the kernel posts the CQEs of inline completions only when
 * an enter returns, so smaller chunks let JS start on completions sooner, larger ones cost fewer
 * enters (16 measured best at 64 in flight, docs/benchmarks.md).
 */
#define PU_SUBMIT_CHUNK 16

/* supported[op] = 1 for every opcode the kernel has, for op < n. */
int pu_probe(pu_ring *ring, uint8_t *supported, unsigned n);
int pu_register_buffers(pu_ring *ring, const struct iovec *iov, unsigned count);
int pu_unregister_buffers(pu_ring *ring);

/*
 * Blocking pread/pwrite on the calling thread, without the ring, repeated until `len` bytes moved,
 * the file ended (read) or no progress was made (write). Returns the bytes moved or -errno.
 */
int64_t pu_pread_full(int fd, void *buf, uint64_t len, uint64_t offset);
int64_t pu_pwrite_full(int fd, const void *buf, uint64_t len, uint64_t offset);
/*
 * One preadv2 with RWF_NOWAIT: the bytes of the page cache, or -EAGAIN where the read would wait
 * for the device or a lock (a short count: only part of the range was cached, or the file ends).
 */
int64_t pu_read_cached(int fd, void *buf, uint32_t len, uint64_t offset);

/* Operations: each fills one SQE. */
void pu_prep_rw(struct io_uring_sqe *sqe, uint8_t opcode, int fd, void *buf, uint32_t len, uint64_t offset, uint16_t buf_index, uint64_t user_data);
void pu_prep_fsync(struct io_uring_sqe *sqe, int fd, int datasync, uint64_t user_data);
void pu_prep_openat(struct io_uring_sqe *sqe, int dirfd, const char *path, int flags, uint32_t mode, uint64_t user_data);
void pu_prep_close(struct io_uring_sqe *sqe, int fd, uint64_t user_data);
void pu_prep_statx(struct io_uring_sqe *sqe, int dirfd, const char *path, int flags, uint32_t mask, void *statxbuf, uint64_t user_data);
void pu_prep_unlinkat(struct io_uring_sqe *sqe, int dirfd, const char *path, int flags, uint64_t user_data);
void pu_prep_renameat(struct io_uring_sqe *sqe, int olddirfd, const char *oldpath, int newdirfd, const char *newpath, uint64_t user_data);
void pu_prep_mkdirat(struct io_uring_sqe *sqe, int dirfd, const char *path, uint32_t mode, uint64_t user_data);
void pu_prep_cancel(struct io_uring_sqe *sqe, uint64_t target_user_data, uint32_t flags, uint64_t user_data);
void pu_prep_link_timeout(struct io_uring_sqe *sqe, struct __kernel_timespec *ts, uint64_t user_data);

/*
 * Sockets (op_net.c). A net operation's side area: a msghdr at 0, its iovec at
 * PU_NET_IOV_OFFSET, a sockaddr_storage at PU_NET_ADDR_OFFSET (followed by a socklen_t for
 * ACCEPT). After RECVMSG the kernel has written msg_namelen and msg_flags into the msghdr.
 */
#define PU_NET_IOV_OFFSET 64
#define PU_NET_ADDR_OFFSET 96
#define PU_NET_AREA 256
int pu_is_net_op(uint8_t opcode);
/* SEND, RECV, SENDMSG, RECVMSG: `buf` holds `len` bytes; a LINK_TIMEOUT may follow them. */
int pu_is_net_transfer(uint8_t opcode);
/* Bytes the side area must have for `opcode` (0: none). */
size_t pu_net_area_needed(uint8_t opcode);
/* `flags`: msg_flags (send/recv), `how` (shutdown); `aux2`: the address length (sendmsg, connect). */
void pu_prep_net(struct io_uring_sqe *sqe, uint8_t opcode, int fd, void *buf, uint32_t len, int flags, uint32_t aux2, void *area, uint64_t user_data);
/* A blocking-mode socket (CLOEXEC; TCP_NODELAY for streams), bound when `addr` is given, listening when backlog > 0: fd or -errno. */
int pu_net_socket(int domain, int type, const void *addr, uint32_t addrlen, int backlog);
/*
 * One socket transfer now, without the ring: sendmsg (sending) or recvmsg with MSG_DONTWAIT, its
 * msghdr built in `area` as for SENDMSG/RECVMSG (namelen: a datagram's destination length, 0 for a
 * connected socket). A UDP datagram, or as many of a TCP stream's bytes as its buffer takes. Bytes
 * moved, or -errno (-EAGAIN: it would block; the caller then uses the ring).
 */
int pu_net_now(int fd, int sending, void *buf, uint32_t len, uint32_t namelen, void *area);
/* getsockname (peer 0) or getpeername into `out`: the address length or -errno. */
int pu_net_name(int fd, int peer, void *out, uint32_t capacity);
int pu_net_nodelay(int fd);

#endif
