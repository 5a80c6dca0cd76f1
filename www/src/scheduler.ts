// Scheduled Auto Sync while the page is open. Each business unit's schedule (set in the Auto
// Syncing dialog, kept in the snapshot) says when a run is due; the page then runs both passes
// and applies, as the product's Auto Sync does, with nobody confirming. It never forces: a run
// the unmap guard refuses is discarded and left for an admin (Run Auto Sync, then Force), and a
// unit whose run failed or was refused waits for its next scheduled time before trying again.
// A unit nobody saved a schedule for never runs. A scheduled run acts as the admin who saved
// the schedule: the engine confirms that admin still holds UserMapping.Map (from the CXone
// users just fetched, and from the session when that admin is the one signed in) and records
// the run as theirs; if they lost it, the run is refused and the refusal shown.

import { isUsersyncError, type Actor } from "usersync";
import { planAutoSyncWithRetry } from "./autosync-pipeline";
import { errorText, now, unitOf, type App, type BusinessUnit } from "./state";
import { localTime, scheduleWords, scheduledRunWords } from "./words";

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

  constructor(
    private readonly app: App,
    private readonly busy: () => boolean,
  ) {}

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
          this.report({
            businessUnitId: bu.businessUnitId,
            kind: "error",
            text: `Scheduled Auto Sync of ${bu.name}: ${errorText(e)}`,
          });
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async checkUnit(bu: BusinessUnit): Promise<void> {
    const unit = unitOf(bu);
    const engine = this.app.engine;
    const say = (kind: ScheduledReport["kind"], text: string) =>
      this.report({ businessUnitId: bu.businessUnitId, kind, text });
    const at = now();
    if (Date.parse(at) < (this.heldUntil.get(bu.businessUnitId) ?? -Infinity)) return;
    const entry = engine.schedule(unit);
    const support = engine.platformSupport(unit.platform);
    if (!support.autoSync) return;
    if (!entry.schedule) {
      say(
        "info",
        scheduledRunWords(bu.name, "not-set-up", ": no admin has saved a schedule (Auto Syncing…)"),
      );
      return;
    }
    if (!engine.isAutoSyncDue(unit, at)) {
      say(
        "info",
        entry.schedule.enabled
          ? scheduledRunWords(
              bu.name,
              "not-due",
              `next run at ${this.nextText(bu, at)} (${scheduleWords(entry.schedule)})`,
            )
          : scheduledRunWords(bu.name, "off"),
      );
      return;
    }
    say("info", `Scheduled Auto Sync of ${bu.name} is running…`);
    let runId: string | undefined;
    try {
      const { plan } = await planAutoSyncWithRetry(this.app, bu);
      runId = plan.runId;
      // The signed-in admin vouches for their own current permissions only.
      const session: Actor = this.app.actor;
      const owner =
        entry.savedBy === undefined || entry.savedBy.id === session.id ? session : undefined;
      const out = engine.applyScheduledPlan({
        runId: plan.runId,
        now: now(),
        ...(owner ? { owner } : {}),
      });
      const by = engine.runSummary(plan.runId).actor;
      this.app.changed();
      say(
        "ok",
        scheduledRunWords(
          bu.name,
          "ran",
          `as ${by}: ${out.applied} changes applied; next run at ${this.nextText(bu, now())}`,
        ),
      );
    } catch (e) {
      if (runId !== undefined) engine.discardPlan(runId);
      const guard = isUsersyncError(e) && e.code === "unmap_threshold_exceeded";
      const denied = isUsersyncError(e) && e.code === "permission_denied";
      if (denied) this.app.changed();
      // Held until the next scheduled time: the engine stays "due" until a run is applied.
      const next = this.next(bu, at);
      this.heldUntil.set(bu.businessUnitId, next === undefined ? Infinity : Date.parse(next));
      const again = ` Next try at ${this.nextText(bu, at)}.`;
      say(
        guard || denied ? "warn" : "error",
        guard
          ? `The scheduled Auto Sync of ${bu.name} would unmap more users than the safety limit allows and was not applied; review it with Run Auto Sync, where it can be forced. ${errorText(e)}${again}`
          : denied
            ? scheduledRunWords(bu.name, "refused", `${errorText(e)}${again}`)
            : `The scheduled Auto Sync of ${bu.name} failed: ${errorText(e)}${again}`,
      );
    }
  }

  /** The unit's next scheduled run after `from`; undefined when none is set up or enabled. */
  private next(bu: BusinessUnit, from: string): string | undefined {
    const unit = unitOf(bu);
    if (!this.app.engine.schedule(unit).schedule?.enabled) return undefined;
    return this.app.engine.nextRuns(unit, from, 1)[0];
  }

  private nextText(bu: BusinessUnit, from: string): string {
    const next = this.next(bu, from);
    return next ? localTime(next) : "never (the schedule is turned off)";
  }

  private report(r: ScheduledReport): void {
    this.last.set(r.businessUnitId ?? "", r);
    for (const f of this.listeners) f(r);
  }
}
