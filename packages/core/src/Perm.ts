/**
 * Packet permissions, named from the BACKEND's point of view as in mfio: a `Write` packet is one
 * the backend writes into (the user reads), a `Read` packet one the backend reads from (the user
 * writes). The types are phantom brands so that wrong-direction use is a compile error; the
 * values travel with each packet so a backend serving both directions knows which one it got.
 */
declare const writeBrand: unique symbol;
declare const readBrand: unique symbol;

/** The backend fills the packet: used by reads. */
export interface Write {
  readonly [writeBrand]: true;
}
/** The backend drains the packet: used by writes. */
export interface Read {
  readonly [readBrand]: true;
}
/**
 * The backend may do both, e.g. an in-place transform. Assignable to both `Write` and `Read`
 * at the type level; a target that serves both directions rejects it at run time as ambiguous.
 */
export interface ReadWrite extends Write, Read {}

/** Any permission. */
export type Perm = Write | Read;

/** The run-time tag of a permission. */
export interface PermTag<P extends Perm> {
  readonly name: "Write" | "Read" | "ReadWrite";
  /** The backend may write into the bytes. */
  readonly backendWrites: boolean;
  /** The backend may read the bytes. */
  readonly backendReads: boolean;
  /** Phantom: ties the tag to its type. */
  readonly _perm?: P;
}

export const Write: PermTag<Write> = Object.freeze({ name: "Write", backendWrites: true, backendReads: false });
export const Read: PermTag<Read> = Object.freeze({ name: "Read", backendWrites: false, backendReads: true });
export const ReadWrite: PermTag<ReadWrite> = Object.freeze({ name: "ReadWrite", backendWrites: true, backendReads: true });
