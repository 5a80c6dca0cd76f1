// Scheduled Auto Sync while the page is open. Each business unit's schedule (set in the Auto
// Syncing dialog, kept in the snapshot) says when a run is due; the page then runs both passes
// and applies, as the product's Auto Sync does, with nobody confirming. It never forces: a run
// the unmap guard refuses is discarded and left for an admin (Run Auto Sync, then Force), and a
// unit whose run failed or was refused waits for its next scheduled time before trying again.
// Scheduled runs are the system's, not the acting user's: they are recorded as SCHEDULE_ACTOR.

import { isUsersyncError } from "usersync";
import { planAutoSyncWithRetry } from "./autosync-pipeline";
import { errorText, now, type App, type BusinessUnit } from "./state";

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
  /** Per business unit: after a refused or failed run, no new try before this instant. */
  private readonly heldUntil = new Map<string, string>();
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
    const unit = { businessUnitId: bu.businessUnitId, platform: bu.platform };
    const at = now();
    const held = this.heldUntil.get(bu.businessUnitId);
    if (held !== undefined && Date.parse(at) < Date.parse(held)) return;
    if (!this.app.engine.isAutoSyncDue(unit, at)) {
      this.report({ businessUnitId: bu.businessUnitId, kind: "info", text: `Scheduled Auto Sync of ${bu.name}: next run ${this.next(bu, at)}.` });
      return;
    }
    this.report({ businessUnitId: bu.businessUnitId, kind: "info", text: `Scheduled Auto Sync of ${bu.name} is running…` });
    let runId: string | undefined;
    try {
      const { plan } = await planAutoSyncWithRetry(this.app, bu);
      runId = plan.runId;
      const out = this.app.engine.applyPlan(plan.runId, SCHEDULE_ACTOR, now(), false);
      this.app.changed();
      this.report({ businessUnitId: bu.businessUnitId, kind: "ok", text: `Scheduled Auto Sync of ${bu.name} (${plan.runId}) applied ${out.applied} transitions; ` +
        `next run ${this.next(bu, now())}.` });
    } catch (e) {
      if (runId !== undefined) this.app.engine.discardPlan(runId);
      const refused = isUsersyncError(e) && e.code === "unmap_threshold_exceeded";
      const until = this.next(bu, at);
      this.heldUntil.set(bu.businessUnitId, until);
      this.report({ businessUnitId: bu.businessUnitId, kind: refused ? "warn" : "error", text: `Scheduled Auto Sync of ${bu.name} ` +
        (refused ? `was refused by the guard and not applied (review it with Run Auto Sync, where it can be forced): ${errorText(e)}`
          : `failed: ${errorText(e)}`) + `. Next try ${until}.` });
    }
  }

  /** The unit's next scheduled run after `from`, in words. */
  private next(bu: BusinessUnit, from: string): string {
    const unit = { businessUnitId: bu.businessUnitId, platform: bu.platform };
    if (!this.app.engine.schedule(unit).schedule.enabled) return "never (the schedule is disabled)";
    return this.app.engine.nextRuns(unit, from, 1)[0] ?? "none";
  }

  private report(r: ScheduledReport): void {
    this.last.set(r.businessUnitId ?? "", r);
    for (const f of this.listeners) f(r);
  }
}
