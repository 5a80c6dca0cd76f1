/**
 * The Presence Sync methods of `Engine` that take a parameter object. Each also accepts its
 * earlier positional form for one release; the actor is an `Actor` with its permissions in
 * both forms (a bare string actor throws `invalid_input` naming the parameter).
 */
export interface Engine {
  /**
   * Links a user to an external account by hand (`mapped`, `manual`). The actor needs
   * `UserMapping.Map` (`permission_denied`). An account mapped to another user throws
   * `external_taken` naming that user, unless `reassign`. Returns the audit events.
   *
   * @example
   * engine.map({ unit, actor: admin, userId: "u1", externalId: "rc-7", now: new Date().toISOString() });
   */
  map(params: MapParams): AuditEvent[];
  /**
   * @deprecated Pass one object: `map({ unit, actor, userId, externalId, now, reassign })`.
   * The positional form goes away in the next release.
   */
  map(unit: UnitRef, actor: Actor, userId: string, externalId: string, now: string, reassign?: boolean): AuditEvent[];
  /** Removes a user's link (`unmapped`, `manual_unmap`); Auto Sync may map them again. */
  unmap(params: UserChangeParams): AuditEvent[];
  /** @deprecated Pass one object: `unmap({ unit, actor, userId, now })`. */
  unmap(unit: UnitRef, actor: Actor, userId: string, now: string): AuditEvent[];
  /** Keeps a user out of Auto Sync (`excluded`), releasing any link. */
  exclude(params: UserChangeParams): AuditEvent[];
  /** @deprecated Pass one object: `exclude({ unit, actor, userId, now })`. */
  exclude(unit: UnitRef, actor: Actor, userId: string, now: string): AuditEvent[];
  /** Gives an excluded user back to Auto Sync (`unmapped`). */
  include(params: UserChangeParams): AuditEvent[];
  /** @deprecated Pass one object: `include({ unit, actor, userId, now })`. */
  include(unit: UnitRef, actor: Actor, userId: string, now: string): AuditEvent[];
  /**
   * Applies a pending Auto Sync or undo plan as `actor`, who needs `UserMapping.Map` (also
   * to `force` past the unmap guard). Refused with `unmap_threshold_exceeded` (nothing
   * changes) when the plan unmaps more users than the guard allows, unless `force`; with
   * `auto_sync_unsupported` for an Auto Sync plan on a manual-only platform. Applying twice
   * changes nothing.
   *
   * @example
   * engine.applyPlan({ runId: plan.runId, actor: admin, now: new Date().toISOString() });
   */
  applyPlan(params: ApplyPlanParams): ApplyOutcome;
  /**
   * @deprecated Pass one object: `applyPlan({ runId, actor, now, force })`. The actor must be
   * an `Actor`; a string is refused.
   */
  applyPlan(runId: string, actor: Actor, now: string, force?: boolean): ApplyOutcome;
}
