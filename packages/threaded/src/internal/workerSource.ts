/**
 * The source text a worker is started from: `workerMain` as a function expression, called with
 * the eval scope's `require`. Loading a file instead would need a path that exists in every
 * form the package runs in (TypeScript sources, ESM and CJS builds, bundles); source text does.
 */
import { workerMain } from "./workerMain.js";

// esbuild with keepNames (tsx uses it) wraps functions in `__name(fn, "name")`, a helper that
// lives outside the function text; the shim gives the same result (names are not needed).
export const WORKER_SOURCE = `"use strict";\nvar __name = (target) => target;\n(${workerMain.toString()})(require);\n`;
