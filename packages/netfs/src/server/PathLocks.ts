/**
 * The server's per-path critical sections. A precondition (`If-None-Match: *`, `If-Match`,
 * `Overwrite: F`) is a check followed by an act, and two requests for one path could both pass
 * the check before either acts: eight create-only PUTs of a new name all answered 201, and four
 * MOVEs with `Overwrite: F` onto one name destroyed three of their sources. Every request that
 * checks a precondition and then changes the tree does both inside `hold` for the paths it
 * touches, so within this server the check still holds when the act happens. (Another process
 * writing the same directory is not serialized: there is no such lock in the file system.)
 */

/** Mutual exclusion by path (names joined with "/", as `RootPath.names`), in FIFO order per path. */
export class PathLocks {
  /** Per locked path, the tail of its queue: settles when the last holder waiting there is done. */
  readonly #tails = new Map<string, Promise<void>>();

  /**
   * Runs `work` once every path in `paths` is free, holding them until it settles. Paths are
   * taken in sorted order, so two requests that lock the same two paths cannot deadlock.
   */
  async hold<T>(paths: readonly string[], work: () => Promise<T>): Promise<T> {
    const releases: Array<() => void> = [];
    try {
      for (const path of [...new Set(paths)].sort()) releases.push(await this.#take(path));
      return await work();
    } finally {
      for (const release of releases) release();
    }
  }

  async #take(path: string): Promise<() => void> {
    const before = this.#tails.get(path);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before === undefined ? mine : before.then(() => mine);
    this.#tails.set(path, tail);
    if (before !== undefined) await before;
    return () => {
      release();
      // The last in the queue forgets the path, so the map holds only paths in use.
      if (this.#tails.get(path) === tail) this.#tails.delete(path);
    };
  }
}
