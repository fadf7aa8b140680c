/**
 * `pktio cp SRC DST`: copies a file with many packets in flight: 16 lanes, each reading a 1 MiB
 * chunk and writing it at the same position of DST before taking the next. The copy has SRC's
 * length at the start; DST may be a directory (the copy keeps SRC's name). As coreutils, it
 * refuses to copy a file onto itself (same device and inode: the same path, a hard link or a
 * symlink), and a DST ending in "/" must be an existing directory. A DST it creates gets SRC's
 * permission bits less the umask (as cp(1) without -p); an existing DST keeps its own.
 */
import { basename, join } from "node:path";
import { z } from "zod";
import { IoError, type FileHandle, type Runtime } from "@pktio/core";
import type { CliIo } from "../CliIo.js";
import { flag, oneOf, parseCommandOptions } from "../commandOptions.js";
import { BackendChoices, openBackend } from "../openBackend.js";
import { parseArgv } from "../parseArgv.js";
import { UsageError } from "../UsageError.js";

export const cpHelp = `Usage: pktio cp [options] SRC DST

Copies SRC to DST (a file, or a directory to copy into) with 16 reads and writes of 1 MiB in
flight, through a pktio runtime. DST is created (with SRC's permission bits, less the umask)
or truncated (keeping its own).

Options:
  --backend NAME   ${BackendChoices.join("|")} (default auto: the first that works here)
  --help           this text
`;

const CpOptions = z.strictObject({ backend: oneOf(BackendChoices).default("auto"), help: flag });
const CHUNK = 1024 * 1024;
const IN_FLIGHT = 16;

export async function cp(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, options } = parseArgv("cp", argv, new Set(["backend"]));
  const parsed = parseCommandOptions("cp", CpOptions, options);
  if (parsed.help) {
    io.stdout.write(cpHelp);
    return 0;
  }
  const [from, to] = positionals;
  if (from === undefined || to === undefined || positionals.length > 2) throw new UsageError("needs exactly two arguments: SRC DST", "cp");
  const rt = await openBackend(parsed.backend);
  try {
    await copyFile(rt, from, await destination(rt, from, to));
  } finally {
    await rt.close();
  }
  return 0;
}

/** DST itself, or DST/basename(SRC) when DST is an existing directory; a trailing "/" demands one. */
async function destination(rt: Runtime, from: string, to: string): Promise<string> {
  const wantsDirectory = to.endsWith("/");
  try {
    const type = (await rt.fs.stat(to)).type;
    if (type === "directory") return join(to, basename(from));
    if (wantsDirectory) throw notADirectory(to);
    return to;
  } catch (error) {
    if (IoError.is(error, "NotFound")) {
      if (wantsDirectory) throw notADirectory(to);
      return to;
    }
    throw error;
  }
}

function notADirectory(to: string): IoError {
  return new IoError("NotADirectory", `cp: cannot create ${JSON.stringify(to)}: not a directory (a destination ending in "/" must be an existing directory)`, { op: "cp", path: to });
}

async function copyFile(rt: Runtime, from: string, to: string): Promise<void> {
  const src = await rt.fs.open(from);
  let dst: FileHandle | undefined;
  try {
    const stat = await src.stat();
    if (stat.type === "directory") throw new IoError("IsADirectory", `cp: ${JSON.stringify(from)} is a directory`, { op: "cp", path: from });
    // Opened without truncate: DST may be SRC itself (a hard link, a symlink), which truncating
    // would destroy. The two open handles' device and inode say so without a race on the paths.
    // A new DST gets SRC's permission bits less the umask, as cp(1) without -p; an existing one keeps its own.
    dst = await rt.fs.open(to, { write: true, create: true, mode: stat.mode & 0o777 });
    const target = await dst.stat();
    if (target.device === stat.device && target.inode === stat.inode) {
      throw new IoError("InvalidInput", `cp: ${JSON.stringify(from)} and ${JSON.stringify(to)} are the same file`, { op: "cp", path: to });
    }
    // A device or FIFO as DST (/dev/null) has no length to cut: it is written, never truncated.
    const regularTarget = target.type === "file";
    if (regularTarget) await dst.truncate(0);
    const out = dst;
    if (stat.type !== "file") {
      // A FIFO or device as SRC has no size to split into lanes: read it in order to its end.
      const buffer = new Uint8Array(CHUNK);
      for (let pos = 0, got = await src.readAt(0, buffer); got > 0; pos += got, got = await src.readAt(pos, buffer)) await out.writeAllAt(pos, buffer.subarray(0, got));
      return;
    }
    let next = 0;
    let end = stat.size;
    let failed = false;
    // Each lane owns its buffer: a chunk is written before the lane reads the next one.
    const lane = async (): Promise<void> => {
      const buffer = new Uint8Array(Math.min(CHUNK, Math.max(stat.size, 1)));
      while (!failed && next < end) {
        const pos = next;
        next += buffer.length;
        const chunk = buffer.subarray(0, Math.min(buffer.length, end - pos));
        const got = await src.readAt(pos, chunk);
        // SRC shrank while being copied: the copy ends where its data ended.
        if (got < chunk.length) end = Math.min(end, pos + got);
        await out.writeAllAt(pos, chunk.subarray(0, got));
      }
    };
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, () =>
        lane().catch((error: unknown) => {
          failed = true;
          throw error;
        }),
      ),
    );
    if (end < stat.size && regularTarget) await dst.truncate(end);
  } finally {
    await Promise.all([src.close(), dst?.close()]);
  }
}
