// Scheduled Auto Sync while the page is open. Each business unit's schedule (set in the Auto
// Syncing dialog, kept in the snapshot) says when a run is due; the page then runs both passes
// and applies, as the product's Auto Sync does, with nobody confirming. It never forces: a run
// the unmap guard refuses is discarded and left for an admin (Run Auto Sync, then Force), and a
// unit whose run failed or was refused waits for its next scheduled time before trying again.
// Scheduled runs are the system's, not the acting user's: they are recorded as SCHEDULE_ACTOR.

import { isUsersyncError } from "usersync";
import { planAutoSyncWithRetry } from "./autosync-pipeline";
import { errorText, now, unitOf, type App, type BusinessUnit } from "./state";

export const SCHEDULE_ACTOR = "auto-sync (schedule)";
const CHECK_EVERY_MS = 30_000;

export interface ScheduledReport {
  /** The unit it is about; undefined for every unit. */
  businessUnitId: string | undefined;
  kind: "ok" | "warn" | "error" | "info";
  text: string;
}

export class Scheduler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;
  /** Per business unit: after a refused or failed run, no new try before this time (ms). */
  private readonly heldUntil = new Map<string, number>();
  private readonly listeners = new Set<(r: ScheduledReport) => void>();
  /** The last report per business unit ("" for every unit). */
  readonly last = new Map<string, ScheduledReport>();

  constructor(private readonly app: App, private readonly busy: () => boolean) {}

  get enabled(): boolean {
    return this.timer !== undefined;
  }

  set enabled(on: boolean) {
    if (on === this.enabled) return;
    if (on) {
      this.timer = setInterval(() => void this.check(), CHECK_EVERY_MS);
      void this.check();
    } else {
      clearInterval(this.timer);
      this.timer = undefined;
      this.last.clear();
      this.report({ businessUnitId: undefined, kind: "info", text: "Scheduled Auto Sync is off." });
    }
  }

  onReport(f: (r: ScheduledReport) => void): void {
    this.listeners.add(f);
  }

  /** Runs every unit whose Auto Sync is due, one after the other. */
  async check(): Promise<void> {
    if (this.running || this.busy()) return;
    this.running = true;
    try {
      for (const bu of this.app.config.businessUnits) {
        if (!this.enabled) break;
        try {
          await this.checkUnit(bu);
        } catch (e) {
          this.report({ businessUnitId: bu.businessUnitId, kind: "error", text: `Scheduled Auto Sync of ${bu.name}: ${errorText(e)}` });
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async checkUnit(bu: BusinessUnit): Promise<void> {
    const unit = unitOf(bu);
    const say = (kind: ScheduledReport["kind"], text: string) =>
      this.report({ businessUnitId: bu.businessUnitId, kind, text: `Scheduled Auto Sync of ${bu.name}${text}` });
    const at = now();
    if (Date.parse(at) < (this.heldUntil.get(bu.businessUnitId) ?? -Infinity)) return;
    if (!this.app.engine.isAutoSyncDue(unit, at)) {
      say("info", `: next run ${this.nextText(bu, at)}.`);
      return;
    }
    say("info", " is running…");
    let runId: string | undefined;
    try {
      const { plan } = await planAutoSyncWithRetry(this.app, bu);
      runId = plan.runId;
      const out = this.app.engine.applyPlan(plan.runId, SCHEDULE_ACTOR, now(), false);
      this.app.changed();
      say("ok", ` (${plan.runId}) applied ${out.applied} transitions; next run ${this.nextText(bu, now())}.`);
    } catch (e) {
      if (runId !== undefined) this.app.engine.discardPlan(runId);
      const refused = isUsersyncError(e) && e.code === "unmap_threshold_exceeded";
      // Held until the next scheduled time: the engine stays "due" until a run is applied.
      const next = this.next(bu, at);
      this.heldUntil.set(bu.businessUnitId, next === undefined ? Infinity : Date.parse(next));
      say(refused ? "warn" : "error", (refused
        ? ` was refused by the guard and not applied (review it with Run Auto Sync, where it can be forced): ${errorText(e)}`
        : ` failed: ${errorText(e)}`) + `. Next try ${this.nextText(bu, at)}.`);
    }
  }

  /** The unit's next scheduled run after `from`; undefined when its schedule is disabled. */
  private next(bu: BusinessUnit, from: string): string | undefined {
    const unit = unitOf(bu);
    if (!this.app.engine.schedule(unit).schedule.enabled) return undefined;
    return this.app.engine.nextRuns(unit, from, 1)[0];
  }

  private nextText(bu: BusinessUnit, from: string): string {
    return this.next(bu, from) ?? "never (the schedule is disabled)";
  }

  private report(r: ScheduledReport): void {
    this.last.set(r.businessUnitId ?? "", r);
    for (const f of this.listeners) f(r);
  }
}
