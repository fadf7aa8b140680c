/**
 * What travels through a worker's MessagePort instead of the ring: the rare things that do not
 * fit in fixed words. Path and metadata operations carry strings and return structured values
 * (a stat, a directory listing), and a user's SharedArrayBuffer must reach a worker once before
 * an entry can name it. Measured here, a postMessage round trip costs 25–34 µs against ≈ 14 µs
 * through Atomics, which is fine for an open or a stat and too much for a 4 KiB read.
 *
 * The worker reads its port with `receiveMessageOnPort` (never a 'message' listener), so a
 * blocked main thread still gets its reply: it posts, publishes the ring entry, waits on the
 * completion counter, then takes the reply from its own end of the same channel. Per worker and
 * per direction messages keep their order, and the worker performs its ring in order, so the
 * k-th Meta entry of a worker owns the k-th meta message and the k-th reply.
 */
import type { DirEntry, FileStat, IoErrorKind } from "@pktio/core";

/** A directory handle's root: the lexical path (already checked on the main thread) and its real path. */
export interface RootRef {
  readonly path: string;
  readonly real: string;
}

/**
 * A path or metadata operation. Paths are absolute and lexically confined already; with `root`,
 * the worker also checks on the disk that symlinks do not lead outside it.
 */
export type MetaRequest =
  | { readonly op: "open"; readonly path: string; readonly flags: number; readonly mode: number; readonly root: RootRef | undefined }
  | { readonly op: "stat"; readonly path: string; readonly root: RootRef | undefined }
  | { readonly op: "fstat"; readonly fd: number }
  | { readonly op: "readDir"; readonly path: string; readonly root: RootRef | undefined }
  | { readonly op: "mkdir"; readonly path: string; readonly recursive: boolean; readonly root: RootRef | undefined }
  | { readonly op: "rename"; readonly from: string; readonly to: string; readonly root: RootRef | undefined }
  | { readonly op: "removeFile"; readonly path: string; readonly root: RootRef | undefined }
  | { readonly op: "removeDir"; readonly path: string; readonly recursive: boolean; readonly root: RootRef | undefined }
  | { readonly op: "copyFile"; readonly from: string; readonly to: string; readonly root: RootRef | undefined }
  | { readonly op: "openDir"; readonly path: string; readonly root: RootRef | undefined };

/** The value each operation replies with. */
export interface MetaValues {
  open: number;
  stat: FileStat;
  fstat: FileStat;
  readDir: DirEntry[];
  mkdir: undefined;
  rename: undefined;
  removeFile: undefined;
  removeDir: undefined;
  copyFile: undefined;
  /** The real path of the directory. */
  openDir: string;
}

/**
 * A worker's answer. A failure carries the errno name when the OS raised it (the main thread
 * maps it to a kind), or a kind when the worker decided (a symlink leading outside, a file where
 * a directory was needed).
 */
export type MetaReply =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string; readonly code: string | undefined; readonly kind: IoErrorKind | undefined };

/** Main thread → worker. */
export type PortMessage =
  | { readonly t: "buffer"; readonly id: number; readonly buffer: SharedArrayBuffer }
  | { readonly t: "forget"; readonly id: number }
  | { readonly t: "meta"; readonly request: MetaRequest };
