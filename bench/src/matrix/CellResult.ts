/** What one matrix cell prints (one JSON line): reads per second, or why there are none. */
export type CellResult =
  | {
      readonly trial: string;
      readonly contender: string;
      readonly status: "ok";
      readonly readsPerSecond: number;
      /** Median time of one round (all of the trial's reads in flight), ms; readsPerSecond is from it. */
      readonly roundMs: number;
      /** tinybench's relative margin of error of the round time, %. */
      readonly rme: number;
      readonly rounds: number;
      /** Reads of the first round checked against the file before timing. */
      readonly checked: number;
    }
  | { readonly trial: string; readonly contender: string; readonly status: "unavailable" | "error"; readonly reason: string };
