/**
 * What to do when the kernel refuses io_uring: openUring's reason (`io_uring_setup failed: EPERM`)
 * says what happened; this adds where that usually comes from and the way out.
 */
const ADVICE: ReadonlyArray<readonly [RegExp, string]> = [
  [/io_uring_setup failed: EPERM/, "the kernel or a seccomp filter denies io_uring (container runtimes' default profiles, sysctl kernel.io_uring_disabled=2, or a group not in kernel.io_uring_group); allow io_uring_setup/io_uring_enter/io_uring_register there, or use another backend"],
  [/io_uring_setup failed: ENOSYS/, "this kernel has no io_uring (Linux 5.6+ built with CONFIG_IO_URING); use another backend"],
  [/io_uring_setup failed: ENOMEM/, "the ring's memory could not be locked (RLIMIT_MEMLOCK on kernels before 5.12); raise `ulimit -l` or lower `entries`"],
];

/** The reason, with advice appended when it is one the kernel gave. */
export function adviseUring(reason: string): string {
  for (const [pattern, advice] of ADVICE) if (pattern.test(reason)) return `${reason}: ${advice}`;
  return reason;
}
