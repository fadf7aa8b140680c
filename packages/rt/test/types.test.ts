/**
 * rt's declarations spell the uring options out (UringBackendOptions) instead of importing them
 * from the optional @pktio/uring; this keeps the copy equal to the original, both ways, so a new
 * uring option fails here until rt's type has it too.
 */
import type { UringOptions } from "@pktio/uring";
import { describe, expectTypeOf, it } from "vitest";
import type { UringBackendOptions } from "../src/index.js";

/** `T` with every property's `readonly` and `| undefined` made uniform, for comparing shapes. */
type Plain<T> = { -readonly [K in keyof T]-?: Exclude<T[K], undefined> extends object ? Plain<Exclude<T[K], undefined>> : Exclude<T[K], undefined> };

describe("rt's uring options type", () => {
  it("has the keys and value types of @pktio/uring's UringOptions", () => {
    expectTypeOf<Plain<UringBackendOptions>>().toEqualTypeOf<Plain<UringOptions>>();
    expectTypeOf<keyof UringBackendOptions>().toEqualTypeOf<keyof UringOptions>();
  });
});
