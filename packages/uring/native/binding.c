/*
 * The Node-API binding: the only file that includes node_api.h. Per-ring state lives in a
 * `binding` wrapped by a JS object; nothing is global, so rings work in worker threads.
 *
 * Invariants:
 * - JS keeps every buffer, path and fd of an operation alive until its completion is delivered;
 *   C keeps the JS side alive while any operation is in flight (`active`: the poll handle and the
 *   completion callback are both referenced), so an idle ring never holds the process or itself.
 * - Completions reach JS in batches: reaped CQEs are written as (user_data, res) int32 pairs into
 *   a JS-owned Int32Array and one callback per batch says how many.
 * - On close, finalization or environment teardown, operations still in flight are cancelled and
 *   their completions awaited before the ring's memory is unmapped.
 * - Every fd an OPENAT returned is tracked until a CLOSE for it is prepared (or closeFd closes it):
 *   a ring torn down without its files being closed (a worker that exits without rt.close())
 *   closes them, as Node closes only the fds it knows of.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include "pktio_uv.h"

#include <errno.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pktio_uring.h"

#define PARAMS_PER_OP 9
/* params[8], the arena locator: (arena id + 1) << ARENA_OFFSET_BITS | byte offset, or 0. */
#define ARENA_OFFSET_BITS 20
#define CALL(env, call)                                   \
  do {                                                    \
    if ((call) != napi_ok) {                              \
      napi_throw_error((env), NULL, "N-API call failed: " #call); \
      return NULL;                                        \
    }                                                     \
  } while (0)

typedef struct binding binding;

/*
 * What the JS handle wraps: the binding may be freed first (environment teardown closes it
 * before finalizers run), so the wrapper only points at it and is freed by the finalizer.
 */
typedef struct wrapper {
  binding *b;
} wrapper;

struct binding {
  napi_env env;
  wrapper *wrapper;
  pu_ring *ring;
  uv_poll_t poll;
  napi_ref on_complete;  /* strong only while active */
  napi_async_context async_context;
  napi_async_cleanup_hook_handle cleanup;
  double *params;        /* JS Float64Array: PARAMS_PER_OP numbers per operation */
  unsigned params_cap;
  int32_t *completions;  /* JS Int32Array: (user_data, res) pairs */
  unsigned completions_cap;
  pu_cqe *scratch;
  struct __kernel_timespec *timeouts; /* one per SQE slot: must outlive a short submit */
  uint8_t *slot_opcode;  /* opcode of the operation in each slot (user_data < params_cap) */
  unsigned *deferred;    /* submit's reads to serve on this thread: batch indices (params_cap of them) */
  unsigned read_here_cooldown; /* submits left that serve no read here (READ_HERE_COOLDOWN) */
  uint64_t cq_spin_ns;   /* with a submit thread: how long on_poll waits for its next completions */
  uint8_t *open_fds;     /* open_fds[fd] = 1 for each fd an OPENAT returned and no CLOSE took */
  /*
   * The bounce arena's chunks (registerArena): plain ArrayBuffers that never leave the package,
   * so their memory never moves or detaches. JS keeps every registered chunk for the ring's life,
   * and the operation's record keeps its slice alive until the completion; an operation names its
   * buffer by locator, which saves the per-operation napi_get_element and typed-array lookups.
   */
  uint8_t **arena_base;
  size_t *arena_len;
  unsigned arenas;
  unsigned arenas_cap;
  size_t open_fds_cap;
  int main_loop;         /* the process's main environment: its teardown is the process's exit */
  int active;
  int closed;
};

static void track_fd(binding *b, int fd) {
  if (fd < 0) return;
  if ((size_t)fd >= b->open_fds_cap) {
    size_t cap = b->open_fds_cap == 0 ? 256 : b->open_fds_cap;
    while (cap <= (size_t)fd) cap *= 2;
    uint8_t *grown = realloc(b->open_fds, cap);
    if (grown == NULL) return; /* out of memory: the fd is not tracked (it may leak, never double-close) */
    memset(grown + b->open_fds_cap, 0, cap - b->open_fds_cap);
    b->open_fds = grown;
    b->open_fds_cap = cap;
  }
  b->open_fds[fd] = 1;
}

static void forget_fd(binding *b, int fd) {
  if (fd >= 0 && (size_t)fd < b->open_fds_cap) b->open_fds[fd] = 0;
}

/* Closes every fd the ring opened and nothing closed: the ring's owner is gone. */
static void close_tracked_fds(binding *b) {
  for (size_t fd = 0; fd < b->open_fds_cap; fd++) {
    if (b->open_fds[fd]) close((int)fd);
  }
  free(b->open_fds);
  b->open_fds = NULL;
  b->open_fds_cap = 0;
}

/* pu_reap, plus the bookkeeping of the fds OPENAT completions return. */
static unsigned reap(binding *b, unsigned max) {
  unsigned count = pu_reap(b->ring, b->scratch, max);
  for (unsigned i = 0; i < count; i++) {
    uint64_t slot = b->scratch[i].user_data;
    uint8_t opcode = slot < b->params_cap ? b->slot_opcode[slot] : 0;
    /* Accepted sockets are tracked like opened files: a teardown without rt.close() closes them. */
    if ((opcode == IORING_OP_OPENAT || opcode == IORING_OP_ACCEPT) && b->scratch[i].res >= 0) track_fd(b, b->scratch[i].res);
  }
  return count;
}

static void drain_and_cancel(binding *b) {
  pu_ring *ring = b->ring;
  if (pu_ring_pending(ring) == 0 && pu_submit(ring, 0) <= 0 && pu_ring_pending(ring) == 0) return;
  struct io_uring_sqe *sqe = pu_get_sqe(ring);
  if (sqe == NULL) {
    pu_submit(ring, 0);
    sqe = pu_get_sqe(ring);
  }
  if (sqe != NULL) pu_prep_cancel(sqe, 0, IORING_ASYNC_CANCEL_ANY, PU_INTERNAL_USER_DATA);
  pu_submit(ring, 0);
  /*
   * Every buffer a cancelled operation could still touch is alive until here. A worker's
   * teardown waits for the kernel however long it takes (its memory is freed next, while the
   * process lives on); the main environment's teardown is the process's exit, which waits at most
   * about a second for an operation the kernel does not let go of.
   */
  for (int rounds = 0; pu_ring_pending(ring) > 0; rounds++) {
    if (b->main_loop) {
      if (rounds >= 1000) break;
      if (pu_submit(ring, 0) < 0) break;
      if (reap(b, b->completions_cap) == 0) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
      }
    } else {
      if (pu_submit(ring, 1) < 0) break;
    }
    while (reap(b, b->completions_cap) > 0) {
    }
  }
}

static void free_binding(binding *b) {
  free(b->scratch);
  free(b->timeouts);
  free(b->slot_opcode);
  free(b->deferred);
  free(b->open_fds);
  free(b->arena_base);
  free(b->arena_len);
  free(b);
}

static void on_poll_closed(uv_handle_t *handle) {
  binding *b = handle->data;
  if (b->cleanup != NULL) napi_remove_async_cleanup_hook(b->cleanup);
  if (b->wrapper != NULL) b->wrapper->b = NULL;
  free_binding(b);
}

/*
 * Stops everything: the ring's fds are closed before this returns (polling stopped first, as
 * libuv requires); the binding itself is freed once libuv has closed the poll handle.
 */
static void shut_down(binding *b) {
  /* The submit thread submits what was published and exits; the drain below is the owner's alone. */
  pu_submitter_stop(b->ring);
  drain_and_cancel(b);
  close_tracked_fds(b);
  uv_poll_stop(&b->poll);
  pu_ring_close(b->ring);
  b->ring = NULL;
  uv_close((uv_handle_t *)&b->poll, on_poll_closed);
}

static void on_env_cleanup(napi_async_cleanup_hook_handle handle, void *arg) {
  binding *b = arg;
  b->cleanup = handle;
  if (b->closed) {
    /* Already shutting down: its close callback will remove the hook. */
    return;
  }
  b->closed = 1;
  shut_down(b);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  wrapper *w = data;
  binding *b = w->b;
  free(w);
  if (b == NULL) return;
  b->wrapper = NULL;
  if (b->closed) return;
  b->closed = 1;
  shut_down(b);
}

/* Reaps every completion and hands them to JS, one call per batch of up to completions_cap. */
static void deliver(binding *b) {
  napi_env env = b->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  for (;;) {
    unsigned count = reap(b, b->completions_cap);
    if (count == 0) break;
    for (unsigned i = 0; i < count; i++) {
      b->completions[2 * i] = (int32_t)b->scratch[i].user_data;
      b->completions[2 * i + 1] = b->scratch[i].res;
    }
    napi_value callback, recv, argv[1], result;
    if (napi_get_reference_value(env, b->on_complete, &callback) != napi_ok || callback == NULL) break;
    /* napi_make_callback needs an object receiver; the global object stands in. */
    napi_get_global(env, &recv);
    napi_create_uint32(env, count, &argv[0]);
    napi_status status = napi_make_callback(env, b->async_context, recv, callback, 1, argv, &result);
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      /* A throwing JS callback is the program's bug: report it as an uncaught exception. */
      napi_value exception;
      napi_get_and_clear_last_exception(env, &exception);
      napi_fatal_exception(env, exception);
      break;
    }
    if (status != napi_ok) break;
    if (b->closed || count < b->completions_cap) break;
  }
  napi_close_handle_scope(env, scope);
}

/* How many times one wake-up waits for the submit thread's next completions (see completions_soon). */
#define CQ_SPIN_ROUNDS 16

static void spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/*
 * With a submit thread inside an enter (or SQEs waiting for it), its completions are microseconds
 * away: waiting for them here for at most cq_spin_ns saves the JS thread a return to epoll and
 * the wake-up after (on a VM, an IPI). Never without work on the way, so an idle ring never
 * spins; sockets parked in the kernel are not "on the way" (their enter has returned).
 */
static int completions_soon(binding *b) {
  if (b->cq_spin_ns == 0) return 0;
  uint64_t until = uv_hrtime() + b->cq_spin_ns;
  for (;;) {
    if (pu_cq_ready(b->ring)) return 1;
    if (!pu_submitter_busy(b->ring)) return pu_cq_ready(b->ring);
    if (uv_hrtime() >= until) return 0;
    for (int i = 0; i < 32; i++) spin_pause();
    /*
     * The submit thread may be waiting for this core (one CPU, a CPU quota, a busy host): it goes
     * first. The raw system call, as in submitter.c: the prebuilds' C library symbols are fixed.
     */
    syscall(SYS_sched_yield);
  }
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  (void)status;
  (void)events;
  binding *b = handle->data;
  if (b->closed) return;
  pu_drain_event_fd(b->ring);
  deliver(b);
  /*
   * Bounded, so that a chain of reads that keeps the submit thread busy does not keep the loop
   * from its timers and other handles: after CQ_SPIN_ROUNDS deliveries the loop runs, and the
   * eventfd (the kernel signalled it meanwhile) brings it straight back here. The eventfd is not
   * drained per round: one read per round would cost more than the one extra turn it saves.
   */
  for (int round = 0; round < CQ_SPIN_ROUNDS && !b->closed && completions_soon(b); round++) deliver(b);
  /* SQEs a busy kernel left behind go in now that completions freed room. */
  if (!b->closed) pu_submit(b->ring, 0);
}

static binding *unwrap(napi_env env, napi_value value) {
  wrapper *w = NULL;
  binding *b = NULL;
  if (napi_unwrap(env, value, (void **)&w) == napi_ok && w != NULL) b = w->b;
  if (b == NULL) {
    napi_throw_type_error(env, NULL, "not a pktio ring handle");
    return NULL;
  }
  if (b->closed) {
    napi_throw_error(env, "ERR_PKTIO_CLOSED", "the ring is closed");
    return NULL;
  }
  return b;
}

static int get_args(napi_env env, napi_callback_info info, size_t expected, napi_value *argv) {
  size_t argc = expected;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < expected) {
    napi_throw_type_error(env, NULL, "missing arguments");
    return 0;
  }
  return 1;
}

static void *typed_data(napi_env env, napi_value value, size_t *length) {
  napi_typedarray_type type;
  void *data = NULL;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, &data, &buffer, &offset) != napi_ok) return NULL;
  return data;
}

/*
 * open(entries, setupFlags, params: Float64Array, completions: Int32Array, onComplete, sqThreadCpu)
 * → handle | -errno. sqThreadCpu < 0: the SQ thread (SQPOLL) runs wherever the scheduler puts it.
 */
static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value argv[6], result;
  if (!get_args(env, info, 6, argv)) return NULL;
  uint32_t entries, flags;
  int32_t sq_thread_cpu;
  CALL(env, napi_get_value_uint32(env, argv[0], &entries));
  CALL(env, napi_get_value_uint32(env, argv[1], &flags));
  CALL(env, napi_get_value_int32(env, argv[5], &sq_thread_cpu));
  size_t params_len, completions_len;
  double *params = typed_data(env, argv[2], &params_len);
  int32_t *completions = typed_data(env, argv[3], &completions_len);
  if (params == NULL || completions == NULL || completions_len < 2) {
    napi_throw_type_error(env, NULL, "params must be a Float64Array and completions an Int32Array");
    return NULL;
  }
  if (!pu_uv_poll_fits()) {
    /* A libuv whose poll handle outgrew pktio_uv.h: refuse rather than overrun it. */
    CALL(env, napi_create_int32(env, -ENOTSUP, &result));
    return result;
  }
  pu_ring *ring;
  int r = pu_ring_open(&ring, entries, flags, sq_thread_cpu);
  if (r < 0) {
    CALL(env, napi_create_int32(env, r, &result));
    return result;
  }
  binding *b = calloc(1, sizeof *b);
  unsigned cap = (unsigned)(completions_len / 2);
  unsigned slots = (unsigned)(params_len / PARAMS_PER_OP);
  if (b != NULL) {
    b->scratch = calloc(cap, sizeof *b->scratch);
    b->timeouts = calloc(pu_ring_sq_entries(ring), sizeof *b->timeouts);
    b->slot_opcode = calloc(slots == 0 ? 1 : slots, 1);
    b->deferred = calloc(slots == 0 ? 1 : slots, sizeof *b->deferred);
  }
  if (b == NULL || b->scratch == NULL || b->timeouts == NULL || b->slot_opcode == NULL || b->deferred == NULL) {
    if (b != NULL) free_binding(b);
    pu_ring_close(ring);
    CALL(env, napi_create_int32(env, -ENOMEM, &result));
    return result;
  }
  b->env = env;
  b->ring = ring;
  b->params = params;
  b->params_cap = (unsigned)(params_len / PARAMS_PER_OP);
  b->completions = completions;
  b->completions_cap = cap;
  uv_loop_t *loop;
  CALL(env, napi_get_uv_event_loop(env, &loop));
  b->main_loop = loop == uv_default_loop();
  uv_poll_init(loop, &b->poll, pu_ring_event_fd(ring));
  b->poll.data = b;
  uv_poll_start(&b->poll, UV_READABLE, on_poll);
  uv_unref((uv_handle_t *)&b->poll);
  napi_value name, handle;
  CALL(env, napi_create_string_utf8(env, "pktio.uring", NAPI_AUTO_LENGTH, &name));
  CALL(env, napi_async_init(env, NULL, name, &b->async_context));
  CALL(env, napi_create_reference(env, argv[4], 0, &b->on_complete));
  CALL(env, napi_create_object(env, &handle));
  b->wrapper = malloc(sizeof *b->wrapper);
  if (b->wrapper == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  b->wrapper->b = b;
  CALL(env, napi_wrap(env, handle, b->wrapper, on_finalize, NULL, NULL));
  CALL(env, napi_add_async_cleanup_hook(env, on_env_cleanup, b, &b->cleanup));
  return handle;
}

/* setActive(handle, active): while active, the loop and the JS callback are held. */
static napi_value js_set_active(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  bool active;
  CALL(env, napi_get_value_bool(env, argv[1], &active));
  if (active && !b->active) {
    uv_ref((uv_handle_t *)&b->poll);
    napi_reference_ref(env, b->on_complete, NULL);
  } else if (!active && b->active) {
    uv_unref((uv_handle_t *)&b->poll);
    napi_reference_unref(env, b->on_complete, NULL);
  }
  b->active = active;
  return NULL;
}

static int is_rw(uint8_t opcode) {
  return opcode == IORING_OP_READ || opcode == IORING_OP_WRITE || opcode == IORING_OP_READ_FIXED || opcode == IORING_OP_WRITE_FIXED;
}

static int known_opcode(uint8_t opcode) {
  return is_rw(opcode) || opcode == IORING_OP_FSYNC || opcode == IORING_OP_OPENAT || opcode == IORING_OP_CLOSE || opcode == IORING_OP_STATX ||
         opcode == IORING_OP_UNLINKAT || opcode == IORING_OP_RENAMEAT || opcode == IORING_OP_MKDIRAT || pu_is_net_op(opcode);
}

static void *element_data(napi_env env, napi_value array, uint32_t index, size_t *length) {
  napi_value value;
  napi_valuetype type;
  *length = 0;
  if (napi_get_element(env, array, index, &value) != napi_ok) return NULL;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_object) return NULL;
  return typed_data(env, value, length);
}

/* The bounce slot of an arena locator, or NULL (length in *len) for an unknown one. */
static uint8_t *arena_slot(const binding *b, uint64_t locator, size_t *len) {
  uint64_t arena = (locator >> ARENA_OFFSET_BITS) - 1;
  size_t offset_in = (size_t)(locator & ((1u << ARENA_OFFSET_BITS) - 1));
  if (locator == 0 || arena >= b->arenas || offset_in > b->arena_len[arena]) return NULL;
  *len = b->arena_len[arena] - offset_in;
  return b->arena_base[arena] + offset_in;
}

/*
 * Prepares operation `index` of the batch: 1 when its SQEs are in the queue, 0 when the queue has
 * no room (nothing was taken), -1 after throwing for a malformed record.
 */
static int prep_one(napi_env env, binding *b, const double *p, napi_value buffers, unsigned index) {
  uint8_t opcode = (uint8_t)p[0];
  int fd = (int)p[1];
  uint64_t offset = (uint64_t)p[2];
  uint32_t len = (uint32_t)p[3];
  uint64_t user_data = (uint64_t)(uint32_t)p[4];
  int aux = (int)p[5];
  uint32_t aux2 = (uint32_t)p[6];
  double timeout_ms = p[7];
  if (!known_opcode(opcode) || (timeout_ms > 0 && !is_rw(opcode) && !pu_is_net_transfer(opcode))) {
    napi_throw_type_error(env, NULL, "submit: malformed operation record");
    return -1;
  }
  unsigned needed = timeout_ms > 0 ? 2 : 1;
  if (user_data >= b->params_cap) {
    napi_throw_range_error(env, NULL, "submit: slot out of range");
    return -1;
  }
  if (pu_sq_space(b->ring) < needed) return 0;
  size_t buf_len = 0, buf2_len = 0;
  void *buf = NULL, *buf2 = NULL;
  uint64_t locator = (uint64_t)p[8];
  if (locator > 0) {
    buf = arena_slot(b, locator, &buf_len);
    if (buf == NULL) {
      napi_throw_range_error(env, NULL, "submit: unknown arena locator");
      return -1;
    }
  } else {
    buf = element_data(env, buffers, 2 * index, &buf_len);
  }
  /* Reads and writes have no second buffer: two Node-API calls fewer per transfer. */
  if (!is_rw(opcode)) buf2 = element_data(env, buffers, 2 * index + 1, &buf2_len);
  /* The kernel must never be handed more bytes than the buffer has (a detached one has none). */
  if ((is_rw(opcode) || pu_is_net_transfer(opcode)) && (buf == NULL || buf_len < len) && len > 0) {
    napi_throw_range_error(env, NULL, "submit: a transfer is longer than its buffer");
    return -1;
  }
  if (buf2_len < pu_net_area_needed(opcode) || (pu_net_area_needed(opcode) > 0 && buf2 == NULL)) {
    napi_throw_range_error(env, NULL, "submit: a socket operation's side area is too small");
    return -1;
  }
  b->slot_opcode[user_data] = opcode;
  struct io_uring_sqe *sqe = pu_get_sqe(b->ring);
  switch (opcode) {
    case IORING_OP_FSYNC: pu_prep_fsync(sqe, fd, aux, user_data); break;
    case IORING_OP_OPENAT: pu_prep_openat(sqe, fd, buf, aux, aux2, user_data); break;
    case IORING_OP_CLOSE:
      /* Forgotten before the kernel closes it: the number may be reused at once. */
      forget_fd(b, fd);
      pu_prep_close(sqe, fd, user_data);
      break;
    case IORING_OP_STATX: pu_prep_statx(sqe, fd, buf, aux, aux2, buf2, user_data); break;
    case IORING_OP_UNLINKAT: pu_prep_unlinkat(sqe, fd, buf, aux, user_data); break;
    case IORING_OP_RENAMEAT: pu_prep_renameat(sqe, fd, buf, aux, buf2, user_data); break;
    case IORING_OP_MKDIRAT: pu_prep_mkdirat(sqe, fd, buf, aux2, user_data); break;
    default:
      if (pu_is_net_op(opcode)) pu_prep_net(sqe, opcode, fd, buf, len, aux, aux2, buf2, user_data);
      else pu_prep_rw(sqe, opcode, fd, buf, len, offset, (uint16_t)aux, user_data);
      break;
  }
  if (needed == 2) {
    sqe->flags |= IOSQE_IO_LINK;
    struct io_uring_sqe *timeout = pu_get_sqe(b->ring);
    /* Indexed by the timeout's own SQE slot: valid until the kernel consumed that SQE. */
    struct __kernel_timespec *ts = &b->timeouts[pu_sqe_index(b->ring, timeout)];
    ts->tv_sec = (long long)(timeout_ms / 1000);
    ts->tv_nsec = (long long)((timeout_ms - (double)ts->tv_sec * 1000) * 1e6);
    pu_prep_link_timeout(timeout, ts, PU_INTERNAL_USER_DATA);
  }
  return 1;
}

/*
 * With a submit thread, a read of the page cache may be served on this thread instead (a plain
 * preadv2 with RWF_NOWAIT into the same memory: its bounce slot, a shared packet's own bytes or a
 * pool slice) while the thread is more than this many SQEs
 * behind: then it binds, and JS would only wait for its completions. Each submit serves as many
 * as the backlog exceeds this by (at most readHere), so the thread keeps this much work queued and
 * never idles. Measured on the 2-core VM (docs/benchmarks.md, issue 15): 40 gave +28-33 % reads/s
 * at depth 64, +20 % at 256, +10 % at 1024; 16 or less starved the thread, 48 or more rarely fired.
 */
#define INLINE_BACKLOG 40u
/* params[0] of a record served on this thread; params[3] then holds its result. */
#define SERVED_HERE (-1.0)
/* params[6] of a READ (or READ_FIXED) that may be served on this thread: a regular file's, not O_DIRECT (JS knows). */
#define MAY_READ_HERE 1.0
/* After a read the page cache could not serve whole, this many submits try none. */
#define READ_HERE_COOLDOWN 64

/*
 * Whether record p may be served on this thread: a marked READ or READ_FIXED, no deadline, into a
 * bounce slot it fits or (locator 0) into its own buffer, which JS passes only when it cannot be
 * detached (a shared packet's or a registered pool slice); read_deferred checks that buffer's length.
 */
static int may_read_here(const binding *b, const double *p) {
  size_t len = 0;
  uint8_t opcode = (uint8_t)p[0];
  return (opcode == IORING_OP_READ || opcode == IORING_OP_READ_FIXED) && p[6] == MAY_READ_HERE && !(p[7] > 0) && p[2] >= 0 && (uint32_t)p[4] < b->params_cap &&
         (uint32_t)p[3] > 0 && (p[8] == 0 || (arena_slot(b, (uint64_t)p[8], &len) != NULL && len >= (uint32_t)p[3]));
}

/*
 * Serves the deferred reads (indices in b->deferred) from the page cache, after the batch's SQEs
 * were published so that the submit thread works meanwhile. A read the cache cannot serve whole
 * (EAGAIN, part cached, an error) goes to the ring after all, and the next READ_HERE_COOLDOWN
 * submits serve none here. Returns the reads that went to the ring (0: nothing left to publish).
 */
static unsigned read_deferred(napi_env env, binding *b, napi_value buffers, unsigned deferred, int *threw) {
  unsigned sent = 0;
  for (unsigned k = 0; k < deferred; k++) {
    unsigned index = b->deferred[k];
    double *p = b->params + (size_t)index * PARAMS_PER_OP;
    uint32_t len = (uint32_t)p[3];
    size_t dst_len = 0;
    /* A bounce slot (may_read_here checked it), or the record's own buffer: the same memory the ring would fill. */
    uint8_t *dst = p[8] != 0 ? arena_slot(b, (uint64_t)p[8], &dst_len) : element_data(env, buffers, 2 * index, &dst_len);
    int64_t r = b->read_here_cooldown == 0 && dst != NULL && dst_len >= len ? pu_read_cached((int)p[1], dst, len, (uint64_t)p[2]) : -EAGAIN;
    /* Zero bytes is the end of the file (an uncached range is EAGAIN); a short count may be either. */
    if (r == (int64_t)len || r == 0) {
      p[0] = SERVED_HERE;
      p[3] = (double)r;
      continue;
    }
    b->read_here_cooldown = READ_HERE_COOLDOWN;
    int q = prep_one(env, b, p, buffers, index);
    if (q == 0 && pu_submit_here(b->ring) >= 0) q = prep_one(env, b, p, buffers, index);
    if (q < 0) {
      *threw = 1;
      return sent;
    }
    if (q == 0) {
      /* No room even after an enter: it fails as a refused part of a batch does. */
      p[0] = SERVED_HERE;
      p[3] = -EBUSY;
      continue;
    }
    sent++;
  }
  return sent;
}

/*
 * submit(handle, count, buffers, waitNr, here?, readHere?) → operations accepted (≤ count), or -errno if the kernel
 * refused the batch. Accepted operations will complete; the rest are the caller's to retry.
 * With waitNr > 0 the same io_uring_enter also waits for that many completions (sync driving:
 * one syscall instead of two). `here` (optional): with a submit thread, enter on this thread anyway
 * (nothing else is in flight, so handing off would only add a thread hop to the latency).
 * `readHere` (optional, default 0): with a submit thread more than INLINE_BACKLOG behind, up to this
 * many marked reads (and no more than the excess) are served on this thread (may_read_here); their records come back with
 * params[0] = SERVED_HERE and the result in params[3], and no completion follows for them.
 */
static napi_value js_submit(napi_env env, napi_callback_info info) {
  napi_value argv[6], result;
  size_t argc = 6;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) {
    napi_throw_type_error(env, NULL, "missing arguments");
    return NULL;
  }
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  uint32_t count, wait_nr, read_here = 0;
  bool here = false;
  CALL(env, napi_get_value_uint32(env, argv[1], &count));
  CALL(env, napi_get_value_uint32(env, argv[3], &wait_nr));
  if (argc >= 5) CALL(env, napi_get_value_bool(env, argv[4], &here));
  if (argc >= 6) CALL(env, napi_get_value_uint32(env, argv[5], &read_here));
  if (count > b->params_cap) count = b->params_cap;
  if (here || wait_nr > 0 || !pu_ring_has_submitter(b->ring)) read_here = 0;
  if (read_here > 0 && b->read_here_cooldown > 0) {
    b->read_here_cooldown--;
    read_here = 0;
  }
  if (read_here > 0) {
    /* The backlog as this submit finds it (this batch's own SQEs not counted: they join it later). */
    unsigned behind = pu_submitter_backlog(b->ring);
    unsigned excess = behind > INLINE_BACKLOG ? behind - INLINE_BACKLOG : 0;
    if (read_here > excess) read_here = excess;
  }
  unsigned deferred = 0;
  unsigned accepted = 0;
  int error = 0;
  while (accepted < count) {
    const double *p = b->params + (size_t)accepted * PARAMS_PER_OP;
    if (deferred < read_here && may_read_here(b, p)) {
      b->deferred[deferred++] = accepted++;
      continue;
    }
    int r = prep_one(env, b, p, argv[2], accepted);
    if (r < 0) return NULL;
    if (r == 0) {
      /* Queue full: hand the kernel what is there and try once more. */
      int s = pu_submit_here(b->ring);
      if (s < 0 && s != -EAGAIN && s != -EBUSY) {
        error = s;
        break;
      }
      r = prep_one(env, b, p, argv[2], accepted);
      if (r < 0) return NULL;
      if (r == 0) break;
    }
    accepted++;
  }
  int s = here && wait_nr == 0 ? pu_submit_here(b->ring) : pu_submit(b->ring, accepted > 0 ? wait_nr : 0);
  if (s < 0 && s != -EAGAIN && s != -EBUSY && s != -EINTR) error = s;
  if (deferred > 0) {
    int threw = 0;
    unsigned sent = read_deferred(env, b, argv[2], deferred, &threw);
    if (sent > 0) pu_submit(b->ring, 0);
    if (threw) return NULL;
  }
  CALL(env, napi_create_int32(env, error < 0 && accepted == 0 ? error : (int32_t)accepted, &result));
  return result;
}

/*
 * cancel(handle, userData): prepares an ASYNC_CANCEL of one operation, submitted with the next
 * submit (at once only if the queue is full), so that cancelling many costs one system call. The
 * operation still completes.
 */
static napi_value js_cancel(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  if (!get_args(env, info, 2, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  uint32_t user_data;
  CALL(env, napi_get_value_uint32(env, argv[1], &user_data));
  struct io_uring_sqe *sqe = pu_get_sqe(b->ring);
  if (sqe == NULL) {
    pu_submit_here(b->ring);
    sqe = pu_get_sqe(b->ring);
  }
  int r = -EBUSY;
  if (sqe != NULL) {
    pu_prep_cancel(sqe, user_data, 0, PU_INTERNAL_USER_DATA);
    r = 0;
  }
  CALL(env, napi_create_int32(env, r, &result));
  return result;
}

/* wait(handle, minComplete) → completions written to the shared array (sync driving). */
static napi_value js_wait(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  if (!get_args(env, info, 2, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  uint32_t min_complete;
  CALL(env, napi_get_value_uint32(env, argv[1], &min_complete));
  unsigned count = reap(b, b->completions_cap);
  if (count == 0 && pu_ring_pending(b->ring) > 0 && min_complete > 0) {
    int r = pu_submit(b->ring, min_complete);
    if (r < 0 && r != -EAGAIN && r != -EBUSY && r != -ETIME) {
      CALL(env, napi_create_int32(env, r, &result));
      return result;
    }
    count = reap(b, b->completions_cap);
  }
  for (unsigned i = 0; i < count; i++) {
    b->completions[2 * i] = (int32_t)b->scratch[i].user_data;
    b->completions[2 * i + 1] = b->scratch[i].res;
  }
  CALL(env, napi_create_uint32(env, count, &result));
  return result;
}

/*
 * startSubmitThread(handle, spinUs, completionSpinUs) → 0 | -errno: from now on a thread of the addon's own makes
 * the io_uring_enter calls that submit (submitter.c), spinning spinUs after its last one.
 */
static napi_value js_start_submit_thread(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  if (!get_args(env, info, 3, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  uint32_t spin_us, cq_spin_us;
  CALL(env, napi_get_value_uint32(env, argv[1], &spin_us));
  CALL(env, napi_get_value_uint32(env, argv[2], &cq_spin_us));
  int started = pu_submitter_start(b->ring, (uint64_t)spin_us * 1000);
  /* Only a running thread has completions on the way for on_poll to wait for. */
  if (started == 0) b->cq_spin_ns = (uint64_t)cq_spin_us * 1000;
  CALL(env, napi_create_int32(env, started, &result));
  return result;
}

/* pending(handle) → SQEs in the kernel whose completion was not reaped. */
static napi_value js_pending(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  if (!get_args(env, info, 1, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  CALL(env, napi_create_uint32(env, pu_ring_pending(b->ring), &result));
  return result;
}

/* sqThreadAsleep(handle) → true when an SQPOLL ring's kernel thread sleeps (IORING_SQ_NEED_WAKEUP). */
static napi_value js_sq_thread_asleep(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  if (!get_args(env, info, 1, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  CALL(env, napi_get_boolean(env, pu_sq_thread_asleep(b->ring), &result));
  return result;
}

/* submitThreadAsleep(handle) → true while the submit thread sleeps on its futex (false without one). */
static napi_value js_submit_thread_asleep(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  if (!get_args(env, info, 1, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  CALL(env, napi_get_boolean(env, pu_submitter_asleep(b->ring), &result));
  return result;
}

/* holdSubmitter(handle, held) → 0, or -EINVAL without a submit thread (pu_submitter_hold: a test hook). */
static napi_value js_hold_submitter(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  if (!get_args(env, info, 2, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  bool held;
  CALL(env, napi_get_value_bool(env, argv[1], &held));
  CALL(env, napi_create_int32(env, pu_submitter_hold(b->ring, held), &result));
  return result;
}

/* probe(handle) → Uint8Array, 1 for each supported opcode. */
static napi_value js_probe(napi_env env, napi_callback_info info) {
  napi_value argv[1], result, array;
  if (!get_args(env, info, 1, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  void *data;
  CALL(env, napi_create_arraybuffer(env, IORING_OP_LAST, &data, &array));
  int r = pu_probe(b->ring, data, IORING_OP_LAST);
  if (r < 0) {
    CALL(env, napi_create_int32(env, r, &result));
    return result;
  }
  CALL(env, napi_create_typedarray(env, napi_uint8_array, IORING_OP_LAST, array, 0, &result));
  return result;
}

/* registerBuffers(handle, Uint8Array[]) → 0 | -errno. The arrays must outlive the ring. */
static napi_value js_register_buffers(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  if (!get_args(env, info, 2, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  uint32_t count;
  CALL(env, napi_get_array_length(env, argv[1], &count));
  struct iovec *iov = calloc(count == 0 ? 1 : count, sizeof *iov);
  if (iov == NULL) {
    CALL(env, napi_create_int32(env, -ENOMEM, &result));
    return result;
  }
  for (uint32_t i = 0; i < count; i++) {
    napi_value value;
    size_t length = 0;
    CALL(env, napi_get_element(env, argv[1], i, &value));
    iov[i].iov_base = typed_data(env, value, &length);
    iov[i].iov_len = length;
  }
  int r = pu_register_buffers(b->ring, iov, count);
  free(iov);
  CALL(env, napi_create_int32(env, r, &result));
  return result;
}

/*
 * registerArena(handle, Uint8Array) → its arena id (≥ 0), or -errno. The bytes must be a bounce
 * chunk of the package's own (never detached) that JS keeps for the ring's life; operations then
 * name their buffer by locator (params[8]) instead of by element of the buffers array.
 */
static napi_value js_register_arena(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  if (!get_args(env, info, 2, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  size_t length = 0;
  void *data = typed_data(env, argv[1], &length);
  if (data == NULL || length == 0 || length > ((size_t)1 << ARENA_OFFSET_BITS)) {
    napi_throw_type_error(env, NULL, "registerArena takes a non-empty Uint8Array of at most 1 MiB");
    return NULL;
  }
  int32_t id = -ENOMEM;
  if (b->arenas == b->arenas_cap) {
    unsigned cap = b->arenas_cap == 0 ? 16 : b->arenas_cap * 2;
    uint8_t **bases = realloc(b->arena_base, cap * sizeof *bases);
    if (bases != NULL) b->arena_base = bases;
    size_t *lens = bases == NULL ? NULL : realloc(b->arena_len, cap * sizeof *lens);
    if (lens != NULL) {
      b->arena_len = lens;
      b->arenas_cap = cap;
    }
  }
  if (b->arenas < b->arenas_cap) {
    b->arena_base[b->arenas] = data;
    b->arena_len[b->arenas] = length;
    id = (int32_t)b->arenas++;
  }
  CALL(env, napi_create_int32(env, id, &result));
  return result;
}

/* alignOffset(Uint8Array, alignment) → bytes to skip so the data starts aligned. */
static napi_value js_align_offset(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  if (!get_args(env, info, 2, argv)) return NULL;
  size_t length;
  uint32_t alignment;
  void *data = typed_data(env, argv[0], &length);
  CALL(env, napi_get_value_uint32(env, argv[1], &alignment));
  if (data == NULL || alignment == 0 || (alignment & (alignment - 1)) != 0) {
    napi_throw_type_error(env, NULL, "alignOffset takes a typed array and a power-of-two alignment");
    return NULL;
  }
  uintptr_t address = (uintptr_t)data;
  CALL(env, napi_create_uint32(env, (uint32_t)((alignment - address % alignment) % alignment), &result));
  return result;
}

/* transfer(fd, bytes, pos, write) → bytes moved | -errno: a blocking pread/pwrite without the ring. */
static napi_value js_transfer(napi_env env, napi_callback_info info) {
  napi_value argv[4], result;
  if (!get_args(env, info, 4, argv)) return NULL;
  int32_t fd;
  double pos;
  bool write;
  size_t length = 0;
  CALL(env, napi_get_value_int32(env, argv[0], &fd));
  void *data = typed_data(env, argv[1], &length);
  CALL(env, napi_get_value_double(env, argv[2], &pos));
  CALL(env, napi_get_value_bool(env, argv[3], &write));
  if (data == NULL || length == 0 || !(pos >= 0 && pos <= 9007199254740991.0)) {
    napi_throw_type_error(env, NULL, "transfer takes an fd, a non-empty typed array, a safe position and a direction");
    return NULL;
  }
  int64_t r = write ? pu_pwrite_full(fd, data, length, (uint64_t)pos) : pu_pread_full(fd, data, length, (uint64_t)pos);
  CALL(env, napi_create_double(env, (double)r, &result));
  return result;
}

/* closeFd(handle, fd) → 0 | -errno: close(2) of an fd the ring opened, which it then forgets. */
static napi_value js_close_fd(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  if (!get_args(env, info, 2, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  int32_t fd;
  CALL(env, napi_get_value_int32(env, argv[1], &fd));
  if (fd < 0 || (size_t)fd >= b->open_fds_cap || !b->open_fds[fd]) {
    /* Not an fd this ring opened (or closed already): closing it could close someone else's. */
    CALL(env, napi_create_int32(env, -EBADF, &result));
    return result;
  }
  forget_fd(b, fd);
  int r = close(fd) < 0 ? -errno : 0;
  CALL(env, napi_create_int32(env, r, &result));
  return result;
}

/* close(handle): cancels and drains what is in flight, then releases the ring. Idempotent. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  wrapper *w = NULL;
  if (napi_unwrap(env, argv[0], (void **)&w) != napi_ok || w == NULL || w->b == NULL || w->b->closed) return NULL;
  binding *b = w->b;
  if (b->active) {
    uv_unref((uv_handle_t *)&b->poll);
    napi_reference_unref(env, b->on_complete, NULL);
    b->active = 0;
  }
  napi_delete_reference(env, b->on_complete);
  napi_async_destroy(env, b->async_context);
  void *unwrapped;
  /* Removing the wrap cancels the finalizer, so the wrapper is freed here. */
  if (napi_remove_wrap(env, argv[0], &unwrapped) == napi_ok) {
    free(w);
    b->wrapper = NULL;
  }
  b->closed = 1;
  shut_down(b);
  return NULL;
}

/*
 * socket(handle, domain, type, address | null, backlog) → fd | -errno: a blocking-mode socket,
 * bound and listening as asked (op_net.c); tracked like an opened file until its CLOSE.
 */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  napi_value argv[5], result;
  if (!get_args(env, info, 5, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  int32_t domain, type, backlog;
  CALL(env, napi_get_value_int32(env, argv[1], &domain));
  CALL(env, napi_get_value_int32(env, argv[2], &type));
  CALL(env, napi_get_value_int32(env, argv[4], &backlog));
  size_t length = 0;
  napi_valuetype kind;
  CALL(env, napi_typeof(env, argv[3], &kind));
  void *address = kind == napi_object ? typed_data(env, argv[3], &length) : NULL;
  int fd = pu_net_socket(domain, type, address, (uint32_t)length, backlog);
  track_fd(b, fd);
  CALL(env, napi_create_int32(env, fd, &result));
  return result;
}

/*
 * socketNow(handle, fd, send, bytes, length, area, nameLength) → bytes moved | -errno: one
 * non-blocking sendmsg/recvmsg of a socket this ring made (a UDP datagram, or a TCP stream's bytes),
 * on the calling thread (a synchronous call: the memory need not outlive it). The msghdr is built in `area` (PU_NET_AREA bytes) as for
 * SENDMSG/RECVMSG, so a receive's sender and msg_flags land where the ring's would.
 */
static napi_value js_socket_now(napi_env env, napi_callback_info info) {
  napi_value argv[7], result;
  if (!get_args(env, info, 7, argv)) return NULL;
  binding *b = unwrap(env, argv[0]);
  if (b == NULL) return NULL;
  int32_t fd;
  bool sending;
  uint32_t len, namelen;
  size_t buf_len = 0, area_len = 0;
  CALL(env, napi_get_value_int32(env, argv[1], &fd));
  CALL(env, napi_get_value_bool(env, argv[2], &sending));
  void *buf = typed_data(env, argv[3], &buf_len);
  CALL(env, napi_get_value_uint32(env, argv[4], &len));
  void *area = typed_data(env, argv[5], &area_len);
  CALL(env, napi_get_value_uint32(env, argv[6], &namelen));
  if (area == NULL || area_len < PU_NET_AREA || buf_len < len || (len > 0 && buf == NULL) || namelen > PU_NET_AREA - PU_NET_ADDR_OFFSET) {
    napi_throw_range_error(env, NULL, "socketNow: the buffer, length, side area or address length is out of range");
    return NULL;
  }
  int r;
  if (fd < 0 || (size_t)fd >= b->open_fds_cap || !b->open_fds[fd]) r = -EBADF; /* not a socket this ring made */
  else r = pu_net_now(fd, sending, buf, len, namelen, area);
  CALL(env, napi_create_int32(env, r, &result));
  return result;
}

/* sockName(fd, peer, out) → address length | -errno: getsockname or getpeername into `out`. */
static napi_value js_sock_name(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  if (!get_args(env, info, 3, argv)) return NULL;
  int32_t fd;
  bool peer;
  size_t length = 0;
  CALL(env, napi_get_value_int32(env, argv[0], &fd));
  CALL(env, napi_get_value_bool(env, argv[1], &peer));
  void *out = typed_data(env, argv[2], &length);
  if (out == NULL || length == 0) {
    napi_throw_type_error(env, NULL, "sockName takes an fd, a flag and a non-empty typed array");
    return NULL;
  }
  CALL(env, napi_create_int32(env, pu_net_name(fd, peer, out, (uint32_t)length), &result));
  return result;
}

/* noDelay(fd) → 0 | -errno: TCP_NODELAY on an accepted socket. */
static napi_value js_no_delay(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  if (!get_args(env, info, 1, argv)) return NULL;
  int32_t fd;
  CALL(env, napi_get_value_int32(env, argv[0], &fd));
  CALL(env, napi_create_int32(env, pu_net_nodelay(fd), &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
    {"setActive", NULL, js_set_active, NULL, NULL, NULL, napi_default, NULL},
    {"submit", NULL, js_submit, NULL, NULL, NULL, napi_default, NULL},
    {"cancel", NULL, js_cancel, NULL, NULL, NULL, napi_default, NULL},
    {"wait", NULL, js_wait, NULL, NULL, NULL, napi_default, NULL},
    {"pending", NULL, js_pending, NULL, NULL, NULL, napi_default, NULL},
    {"startSubmitThread", NULL, js_start_submit_thread, NULL, NULL, NULL, napi_default, NULL},
    {"submitThreadAsleep", NULL, js_submit_thread_asleep, NULL, NULL, NULL, napi_default, NULL},
    {"holdSubmitter", NULL, js_hold_submitter, NULL, NULL, NULL, napi_default, NULL},
    {"sqThreadAsleep", NULL, js_sq_thread_asleep, NULL, NULL, NULL, napi_default, NULL},
    {"probe", NULL, js_probe, NULL, NULL, NULL, napi_default, NULL},
    {"registerBuffers", NULL, js_register_buffers, NULL, NULL, NULL, napi_default, NULL},
    {"alignOffset", NULL, js_align_offset, NULL, NULL, NULL, napi_default, NULL},
    {"registerArena", NULL, js_register_arena, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
    {"transfer", NULL, js_transfer, NULL, NULL, NULL, napi_default, NULL},
    {"socketNow", NULL, js_socket_now, NULL, NULL, NULL, napi_default, NULL},
    {"closeFd", NULL, js_close_fd, NULL, NULL, NULL, napi_default, NULL},
    {"socket", NULL, js_socket, NULL, NULL, NULL, napi_default, NULL},
    {"sockName", NULL, js_sock_name, NULL, NULL, NULL, napi_default, NULL},
    {"noDelay", NULL, js_no_delay, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value opcodes;
  napi_create_object(env, &opcodes);
  static const struct { const char *name; int value; } ops[] = {
    {"READ", IORING_OP_READ}, {"WRITE", IORING_OP_WRITE}, {"READ_FIXED", IORING_OP_READ_FIXED},
    {"WRITE_FIXED", IORING_OP_WRITE_FIXED}, {"FSYNC", IORING_OP_FSYNC}, {"OPENAT", IORING_OP_OPENAT},
    {"CLOSE", IORING_OP_CLOSE}, {"STATX", IORING_OP_STATX}, {"UNLINKAT", IORING_OP_UNLINKAT},
    {"RENAMEAT", IORING_OP_RENAMEAT}, {"MKDIRAT", IORING_OP_MKDIRAT}, {"ASYNC_CANCEL", IORING_OP_ASYNC_CANCEL},
    {"LINK_TIMEOUT", IORING_OP_LINK_TIMEOUT}, {"NOP", IORING_OP_NOP},
    {"SEND", IORING_OP_SEND}, {"RECV", IORING_OP_RECV}, {"SENDMSG", IORING_OP_SENDMSG}, {"RECVMSG", IORING_OP_RECVMSG},
    {"ACCEPT", IORING_OP_ACCEPT}, {"CONNECT", IORING_OP_CONNECT}, {"SHUTDOWN", IORING_OP_SHUTDOWN},
  };
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    napi_value v;
    napi_create_int32(env, ops[i].value, &v);
    napi_set_named_property(env, opcodes, ops[i].name, v);
  }
  napi_set_named_property(env, exports, "opcodes", opcodes);
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
