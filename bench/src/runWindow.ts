/**
 * The end of a timed run for contenders that keep many operations in flight: a timer closes the
 * window, and each lane reads one property before its next operation instead of the clock (a clock
 * read per operation was 2-3 % of the JS thread at 600k reads/s, the same for every contender).
 */
export class RunWindow {
  /** True until `ms` have passed since construction. */
  open = true;

  /** Closes the window `ms` milliseconds from now (the timer is the run's: it holds the process until then). */
  constructor(ms: number) {
    setTimeout(() => {
      this.open = false;
    }, ms);
  }
}
