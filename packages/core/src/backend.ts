/**
 * @pktio/core/backend: the backend author's kit. Everything here exists so that backends agree
 * (one errno table, one way to settle a transfer, one option parser, one set of argument checks);
 * a program that only uses pktio needs none of it and imports `@pktio/core`.
 *
 * @packageDocumentation
 * @module @pktio/core/backend
 */
export { fromErrno, fromSocketErrno, quotePath } from "./IoError.js";
export { checkBytes, checkLength, checkPos, isDetached, positionOrError } from "./internal/validate.js";
export { describeIssues, parseOptions } from "./options.js";
export { createMode, resolveOpenOptions, type ResolvedOpenOptions } from "./fs/OpenOptions.js";
export { checkPath, isBeneath, resolveBeneath } from "./fs/paths.js";
export { confineWalk, type ConfineQuestion, type Confined, type LstatAnswer } from "./fs/confineWalk.js";
export { confineWithNodeFs, confineWithNodeFsSync } from "./fs/confineWithNodeFs.js";
export { settleRead, settleWrite, type TransferContext } from "./fs/settleTransfer.js";
export { DIRECT_ALIGNMENT, directAlignmentError } from "./fs/directAlignment.js";
export { abortError, checkIoOptions } from "./IoOptions.js";
export { Fifo } from "./Fifo.js";
export { PathSlots, pathSlotOptions } from "./PathSlots.js";
export { fileStatOf, fileTypeOf, type BigIntStatsLike } from "./fs/fileStatOf.js";
export { openFlags, type OpenFlagConstants } from "./fs/openFlags.js";
export { blockingTransfer, type BlockingResult } from "./fs/blockingTransfer.js";
export { openPipeChannel, PipeChannel } from "./fs/PipeChannel.js";
export { isStreamLikeFd } from "./fs/isStreamLikeFd.js";
export { keepTrailingSlash, slashedEntry } from "./fs/keepTrailingSlash.js";
export { openedOutside, type OpenedOutside } from "./fs/openedOutside.js";
export { openBeneath, openBeneathSync, type OpenBeneathCalls, type OpenBeneathCallsSync, type OpenBeneathPlace } from "./fs/openBeneath.js";
export { removeTreeAt, removeTreeAtSync, type RemoveTreeCalls, type RemoveTreeCallsSync, type TreeEntry } from "./fs/removeTreeAt.js";
export { mkdirAllBeneath, mkdirAllBeneathSync, placeBeneath, placeBeneathSync, usePlaceBeneath, usePlaceBeneathSync, type MkdirAllCalls, type MkdirAllCallsSync, type Place, type PlaceCalls, type PlaceCallsSync, type PlaceKind, type PlaceRequest } from "./fs/placeBeneath.js";
export { acceptEach, type Accepting } from "./net/acceptEach.js";
export { settleShortRead } from "./net/settleShortRead.js";
export { ChunkQueue } from "./net/ChunkQueue.js";
export { openFifoWithoutBlocking, openOnceReaderComes, refuseFifoSource } from "./fs/openFifoWithoutBlocking.js";
export { dirOptions } from "./fs/dirOptions.js";
export { copyThroughHandles, copyThroughHandlesSync } from "./fs/copyThroughHandles.js";
export { refuseSpecialDestination, refuseSpecialDestinationSync } from "./fs/refuseSpecialDestination.js";
export { sameFile } from "./fs/sameFile.js";
export { SyncScope } from "./SyncScope.js";
export { promiseOf, Settler } from "./internal/settler.js";
export { toIoErrorNamingPath } from "./internal/toIoErrorNamingPath.js";
export { detachedError } from "./net/detachedError.js";
export { DatagramAddressSchema, HostSchema, isHostShaped, NetAddressSchema } from "./net/netAddress.js";
