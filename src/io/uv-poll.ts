// Readiness of a descriptor from node's own event loop: a libuv poll handle
// (uv_poll_t, part of the libuv API node exports for addons) driven through
// koffi. udp-batch.ts watches its port this way, so it reads every datagram
// with recvmmsg itself instead of having dgram read the first of each burst.
// Main thread only: node runs it on libuv's default loop.

import { isMainThread } from 'node:worker_threads';

export interface FdWatch {
  /** Stops watching; resolves once libuv has let go of the handle (the descriptor is the caller's to close then). */
  close(): Promise<void>;
}

export interface UvPoll {
  /**
   * Calls `onReadable` each time `fd` is readable (level-triggered: until it is drained),
   * with an Error when libuv reports one for the descriptor. Throws if libuv refuses it
   * (e.g. the descriptor is watched already).
   */
  watch(fd: number, onReadable: (err?: Error) => void): FdWatch;
}

// libuv's uv_handle_type (uv.h: UV_UNKNOWN_HANDLE, ASYNC, CHECK, FS_EVENT, FS_POLL,
// HANDLE, IDLE, NAMED_PIPE, POLL, ...); checked against uv_handle_type_name on load.
const UV_POLL = 8;
const UV_READABLE = 1;

/**
 * Runs `f` as node runs an I/O callback. koffi calls it from libuv through
 * napi_call_function, which (with no JavaScript below it on the stack) runs the
 * process.nextTick callbacks and promise jobs it queued before returning to libuv, as
 * node's own callbacks do (test/io/udp-batch.test.ts holds it to that). What it throws
 * becomes an uncaught exception from node's scope, as from a dgram 'message' listener.
 */
function asNodeCallback(f: () => void): void {
  try {
    f();
  } catch (err) {
    setImmediate(() => {
      throw err;
    });
  }
}

let loaded: Promise<UvPoll | { unavailable: string }> | undefined;

/** Poll handles on node's loop, or why they cannot be had here (a worker thread, no koffi, libuv not exported). */
export function loadUvPoll(): Promise<UvPoll | { unavailable: string }> {
  if (!isMainThread) return Promise.resolve({ unavailable: "a worker thread's loop is not libuv's default loop" });
  loaded ??= (async () => {
    try {
      const { default: koffi } = await import('koffi');
      const lib = koffi.load(null as unknown as string);
      const typeName = lib.func('const char *uv_handle_type_name(int)') as (t: number) => string | null;
      if (typeName(UV_POLL) !== 'poll') return { unavailable: `libuv's handle type ${UV_POLL} is ${String(typeName(UV_POLL))}, not poll` };
      const loop: unknown = (lib.func('void *uv_default_loop()') as () => unknown)();
      const handleSize = Number((lib.func('size_t uv_handle_size(int)') as (t: number) => number | bigint)(UV_POLL));
      const PollCb = koffi.proto('void vq_uv_poll_cb(void *handle, int status, int events)');
      const CloseCb = koffi.proto('void vq_uv_close_cb(void *handle)');
      const pollInit = lib.func('int uv_poll_init(void *loop, void *handle, int fd)') as (l: unknown, h: unknown, fd: number) => number;
      const pollStart = lib.func('int uv_poll_start(void *handle, int events, vq_uv_poll_cb *cb)') as (h: unknown, ev: number, cb: unknown) => number;
      const pollStop = lib.func('int uv_poll_stop(void *handle)') as (h: unknown) => number;
      const uvClose = lib.func('void uv_close(void *handle, vq_uv_close_cb *cb)') as (h: unknown, cb: unknown) => void;
      const errName = lib.func('const char *uv_err_name(int)') as (e: number) => string;
      const uvError = (call: string, rc: number): Error => new Error(`${call}: ${errName(rc)}`);
      return {
        watch(fd, onReadable) {
          const handle: unknown = koffi.alloc('uint8_t', handleSize);
          const rc = pollInit(loop, handle, fd);
          if (rc < 0) {
            koffi.free(handle);
            throw uvError('uv_poll_init', rc);
          }
          const onPoll = koffi.register((_h: unknown, status: number) => asNodeCallback(() => onReadable(status < 0 ? uvError('poll', status) : undefined)), koffi.pointer(PollCb));
          let closing: Promise<void> | undefined;
          const close = (): Promise<void> =>
            (closing ??= new Promise<void>((resolve) => {
              pollStop(handle);
              const onClosed = koffi.register(
                () =>
                  asNodeCallback(() => {
                    // Not from inside the callback being released: on the next turn.
                    setImmediate(() => {
                      koffi.unregister(onPoll);
                      koffi.unregister(onClosed);
                      koffi.free(handle);
                      resolve();
                    });
                  }),
                koffi.pointer(CloseCb),
              );
              uvClose(handle, onClosed);
            }));
          const started = pollStart(handle, UV_READABLE, onPoll);
          if (started < 0) {
            void close();
            throw uvError('uv_poll_start', started);
          }
          return { close };
        },
      };
    } catch (err) {
      return { unavailable: `koffi cannot reach node's libuv here: ${err instanceof Error ? err.message : String(err)}` };
    }
  })();
  return loaded;
}
