/*
 * The slice of libuv's public 1.x ABI that the binding uses, declared here so that the addon
 * builds from Node-API headers alone (the `node-api-headers` package ships no uv.h). Node
 * exports these symbols from its own libuv; libuv keeps their signatures, the handle type
 * numbers and the leading `data` field of every handle stable across 1.x.
 *
 * Invariant: `uv_poll_t` here is at least as large as libuv's; `pu_uv_poll_fits()` checks it
 * against `uv_handle_size(UV_POLL)` at run time before a handle is initialised.
 */
#ifndef PKTIO_UV_H
#define PKTIO_UV_H

#include <stddef.h>
#include <stdint.h>

typedef struct uv_loop_s uv_loop_t;

/* Every libuv handle starts with `void *data`; the rest is libuv's and opaque here. */
typedef struct uv_handle_s {
  void *data;
} uv_handle_t;

/* libuv 1.46's uv_poll_t is 160 bytes on 64-bit Linux; 512 leaves room for growth. */
typedef struct uv_poll_s {
  void *data;
  unsigned char opaque_[512 - sizeof(void *)];
} uv_poll_t;

typedef void (*uv_poll_cb)(uv_poll_t *handle, int status, int events);
typedef void (*uv_close_cb)(uv_handle_t *handle);

enum { UV_POLL = 8 };     /* uv_handle_type */
enum { UV_READABLE = 1 }; /* uv_poll_event */

size_t uv_handle_size(int type);
uv_loop_t *uv_default_loop(void);
int uv_poll_init(uv_loop_t *loop, uv_poll_t *handle, int fd);
int uv_poll_start(uv_poll_t *handle, int events, uv_poll_cb cb);
int uv_poll_stop(uv_poll_t *handle);
void uv_close(uv_handle_t *handle, uv_close_cb close_cb);
void uv_ref(uv_handle_t *handle);
void uv_unref(uv_handle_t *handle);

/*
 * Threads through libuv rather than pthread_create, whose glibc symbol version (2.34 when built on
 * a newer glibc) would refuse to load on the older glibc Node 20 still supports (2.28). libuv's
 * uv_thread_t is pthread_t: an unsigned long on glibc, a pointer on musl, both one word on Linux.
 */
typedef unsigned long uv_thread_t;
int uv_thread_create(uv_thread_t *tid, void (*entry)(void *arg), void *arg);
int uv_thread_join(uv_thread_t *tid);
/* Nanoseconds from an arbitrary start (CLOCK_MONOTONIC). */
uint64_t uv_hrtime(void);

/* Whether this process's libuv poll handle fits in the storage declared above. */
static inline int pu_uv_poll_fits(void) {
  return uv_handle_size(UV_POLL) <= sizeof(uv_poll_t);
}

#endif
