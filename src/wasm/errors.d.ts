/** Every `code` a usersync error can carry (stable: callers switch on it). */
export type UsersyncErrorCode =
  | "missing_field"
  | "superseded"
  | "duplicate_id_conflict"
  | "invalid_email"
  | "confusable"
  | "invalid_input"
  | "invalid_snapshot"
  | "unsupported_version"
  | "permission_denied"
  | "not_found"
  | "http_error"
  | "rate_limited"
  | "external_taken"
  | "unmap_threshold_exceeded"
  | "acd_tenant_already_linked"
  | "agent_in_multiple_tenants"
  | "sync_not_due"
  | "team_lacks_wfm_advanced"
  | "no_acd_profile"
  | "input_too_large"
  | "undo_conflict"
  | "aborted"
  | "incomplete_directory"
  | "auto_sync_unsupported"
  | "no_agent_number"
  | "not_in_wfm"
  | "snapshot_locked"
  | "value_too_complex";

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
  code: UsersyncErrorCode;
  index?: number;
  id?: string;
  field?: string;
  /** The vendor's own error code when a vendor answered with one (RingCentral `errorCode`, e.g. `CMN-401`; CXone `error`). */
  vendorCode?: string;
}
