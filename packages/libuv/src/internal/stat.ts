/** Node's stats and directory entries as FileStat and FileType (core's conversion). */
export { fileStatOf as toFileStat, fileTypeOf as direntType } from "@pktio/core/backend";
