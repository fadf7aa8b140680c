/**
 * @pktio/uring for rt's CommonJS build (tsup.config.ts puts this file in place of
 * uringModule.ts): required on first use, so a missing optional package is a reason, not a crash.
 */
import { createRequire } from "node:module";
import { missingUring, type UringModule } from "./uringMissing.js";

let loaded: UringModule | Error | undefined;

/** The uring package, or the Error saying why it cannot be loaded here. Cached. */
export function uringModule(): UringModule | Error {
  if (loaded === undefined) {
    try {
      // __filename, not import.meta.url: tsup's CommonJS shim builds that URL by pasting the path
      // after "file:", so a folder named with "#" or "%41" resolved elsewhere (uring "not installed").
      loaded = createRequire(__filename)("@pktio/uring") as UringModule;
    } catch (error) {
      loaded = missingUring(error);
    }
  }
  return loaded;
}
