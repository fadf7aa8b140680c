/**
 * `pktio serve DIR`: a directory over HTTP (GET/HEAD with Range) and a WebDAV subset (PROPFIND,
 * PUT, PATCH, MKCOL, MOVE, COPY, DELETE), through `serveDirectory` from @pktio/netfs on a pktio runtime. It
 * runs until SIGINT or SIGTERM, then closes the server and the runtime and exits 0. The token
 * comes from a file or the environment, never from the command line (where `ps` would show it).
 */
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { serveDirectory } from "@pktio/netfs";
import { print, type CliIo } from "../CliIo.js";
import { count, duration, flag, oneOf, parseCommandOptions, size, text } from "../commandOptions.js";
import { BackendChoices, openBackend } from "../openBackend.js";
import { parseArgv } from "../parseArgv.js";
import { UsageError } from "../UsageError.js";

export const serveHelp = `Usage: pktio serve [options] DIR

Serves DIR over HTTP: GET and HEAD with single byte ranges, ETag/Last-Modified and the
If-* preconditions, the WebDAV methods PROPFIND (Depth 0 and 1), PUT, MKCOL, MOVE, COPY, DELETE and
OPTIONS, and PATCH partial updates (sabre/dav's format). Nothing outside DIR is reachable:
'..', encoded slashes, NUL and symlinks that lead out are refused. One access-log line per
request goes to stderr. Stops on Ctrl-C (SIGINT) or SIGTERM.

Options:
  --host ADDR             address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --port N                port (default 8080; 0 picks a free one)
  --token-file FILE       require "Authorization: Bearer TOKEN", TOKEN being FILE's first line
                          (or set PKTIO_SERVE_TOKEN)
  --key FILE --cert FILE  serve HTTPS with this PEM key and certificate
  --read-only             refuse PUT, PATCH, MKCOL, MOVE, COPY and DELETE (403)
  --max-body SIZE         largest PUT body (default 4g); larger ones get 413
  --max-header SIZE       largest request head (default 16k); larger ones get 431
  --headers-timeout DUR   time to receive a request head (default 10s); then 408 and close
  --request-timeout DUR   time to receive a whole request (default 5m)
  --idle-timeout DUR      close a connection idle this long (default 60s)
  --quiet                 no access log
  --backend NAME          ${BackendChoices.join("|")} (default auto: the first that works here)
  --help                  this text
`;

const DAY_MS = 24 * 3600 * 1000;
const ServeArgs = z.strictObject({
  host: text.default("127.0.0.1"),
  port: count(0, 65535).default(8080),
  "token-file": text.optional(),
  key: text.optional(),
  cert: text.optional(),
  "read-only": flag,
  "max-body": size(0, Number.MAX_SAFE_INTEGER).default(4 * 1024 ** 3),
  "max-header": size(1024, 1024 * 1024).default(16 * 1024),
  "headers-timeout": duration(1, DAY_MS).default(10_000),
  "request-timeout": duration(1, DAY_MS).default(300_000),
  "idle-timeout": duration(1, DAY_MS).default(60_000),
  quiet: flag,
  backend: oneOf(BackendChoices).default("auto"),
  help: flag,
});

const VALUED = new Set(["host", "port", "token-file", "key", "cert", "max-body", "max-header", "headers-timeout", "request-timeout", "idle-timeout", "backend"]);

export async function serve(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, options } = parseArgv("serve", argv, VALUED);
  const args = parseCommandOptions("serve", ServeArgs, options);
  if (args.help) {
    await print(io.stdout, serveHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("needs exactly one DIR", "serve");
  if ((args.key === undefined) !== (args.cert === undefined)) throw new UsageError("--key and --cert go together", "serve");
  if (args["headers-timeout"] > args["request-timeout"]) throw new UsageError("--headers-timeout must not exceed --request-timeout", "serve");
  const token = readToken(args["token-file"]);
  const tls = args.key === undefined || args.cert === undefined ? undefined : checkedTls(args.key, args.cert);
  const runtime = await openBackend(args.backend);
  try {
    const server = await serveDirectory(positionals[0] as string, {
      runtime,
      host: args.host,
      port: args.port,
      ...(token === undefined ? {} : { token }),
      ...(tls === undefined ? {} : { tls }),
      readOnly: args["read-only"],
      maxBodyBytes: args["max-body"],
      maxHeaderBytes: args["max-header"],
      headersTimeoutMs: args["headers-timeout"],
      requestTimeoutMs: args["request-timeout"],
      idleTimeoutMs: args["idle-timeout"],
      ...(args.quiet ? {} : { log: (line: string) => io.stderr.write(line + "\n") }),
    });
    await print(io.stdout, `pktio serve: ${server.root} at ${server.url} (backend ${server.backend}${token === undefined ? "" : ", bearer token required"})\n`);
    await stopSignal();
    await server.close();
  } finally {
    await runtime.close();
  }
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM (and stops listening for both). */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

function readToken(file: string | undefined): string | undefined {
  const raw = file === undefined ? process.env["PKTIO_SERVE_TOKEN"] : readArgFile("token-file", file).split(/\r?\n/)[0];
  if (raw === undefined) return undefined;
  if (raw === "") {
    // Set but empty (PKTIO_SERVE_TOKEN="$(cat missing-file)"): the caller meant a token, so serving
    // without authentication would be the wrong guess; refused like an empty token file.
    throw new UsageError(file !== undefined ? `--token-file: ${file} has an empty first line` : "PKTIO_SERVE_TOKEN is set but empty: give a token, or unset it to serve without one", "serve");
  }
  if (!/^[\x21-\x7e]{1,4096}$/.test(raw)) throw new UsageError(`${file === undefined ? "PKTIO_SERVE_TOKEN" : "--token-file"}: the token must be 1 to 4096 printable ASCII characters without spaces`, "serve");
  return raw;
}

/**
 * The key and certificate files, read and checked before anything is served: a file that is
 * not a PEM private key or certificate, or a pair that does not match, is a usage mistake
 * naming its option (OpenSSL's bare "DECODER routines::unsupported" named neither).
 */
function checkedTls(keyPath: string, certPath: string): { key: string; cert: string } {
  const key = readArgFile("key", keyPath);
  const cert = readArgFile("cert", certPath);
  const refuse = (what: string, error: unknown): never => {
    throw new UsageError(`${what}: ${(error as Error).message}`, "serve");
  };
  let privateKey: KeyObject | undefined;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    refuse(`--key: ${keyPath} is not a PEM private key (an unencrypted one)`, error);
  }
  let certificate: X509Certificate | undefined;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    refuse(`--cert: ${certPath} is not a PEM certificate`, error);
  }
  if (!certificate!.checkPrivateKey(privateKey!)) throw new UsageError(`--key and --cert do not go together: ${keyPath} is not the key of ${certPath}`, "serve");
  return { key, cert };
}

function readArgFile(option: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--${option}: cannot read ${path}: ${(error as Error).message}`, "serve");
  }
}
