/**
 * Every `code` a usersync error can carry (stable: callers switch on it). The same union as
 * `ErrorCode`, which is generated from the Rust list; this name is kept for existing code.
 */
export type UsersyncErrorCode = ErrorCode;

/**
 * What every usersync function throws: a real `Error` (with a stack) named
 * `"UsersyncError"`, with a stable `code` and, where it applies, the record's position
 * (`index`: batch index or 1-based line), `id` and `field`.
 *
 * @example
 * try {
 *   engine.map({ unit, actor, userId: "u1", externalId: "rc-9", now });
 * } catch (e) {
 *   if (isUsersyncError(e) && e.code === "external_taken") { ... }
 * }
 */
export interface UsersyncError extends Error {
  name: "UsersyncError";
  code: ErrorCode;
  index?: number;
  id?: string;
  field?: string;
  /** The vendor's own error code when a vendor answered with one (RingCentral `errorCode`, e.g. `CMN-401`; CXone `error`). */
  vendorCode?: string;
}
