// WFM sync runs by itself while the page is open: every half minute each WFM tenant whose
// slot is due (the engine decides) reads its ACD users and runs. There is no "run now": the
// product has no manual WFM sync. A delta is never marked received here; it waits for WFM's
// confirmation (see the WFM tab).

import { errorText, now, type App } from "./state";
import { wfmBatches } from "./wfm-batches";

const CHECK_EVERY_MS = 30_000;

export interface WfmReport {
  wfmTenantId: string;
  kind: "ok" | "warn" | "error";
  text: string;
}

export class WfmScheduler {
  private running = false;
  private readonly listeners = new Set<(r: WfmReport) => void>();
  /** The last report per WFM tenant. */
  readonly last = new Map<string, WfmReport>();

  constructor(
    private readonly app: App,
    private readonly busy: () => boolean,
  ) {
    setInterval(() => void this.check(), CHECK_EVERY_MS);
  }

  onReport(f: (r: WfmReport) => void): void {
    this.listeners.add(f);
  }

  /** Runs every WFM tenant whose slot is due, one after the other. */
  async check(): Promise<void> {
    if (this.running || this.busy()) return;
    this.running = true;
    try {
      const status = this.app.engine.wfmStatus(now());
      for (const tenant of status.tenants) {
        if (tenant.acds.length === 0 || !this.app.engine.isWfmSyncDue(tenant.wfmTenantId, now()))
          continue;
        await this.runOne(tenant.wfmTenantId);
      }
    } catch (e) {
      this.report({ wfmTenantId: "", kind: "error", text: `WFM sync: ${errorText(e)}` });
    } finally {
      this.running = false;
    }
  }

  private async runOne(id: string): Promise<void> {
    const tenant = this.app.engine.wfmStatus(now()).tenants.find((t) => t.wfmTenantId === id);
    if (!tenant) return;
    try {
      const { batches, skipped } = await wfmBatches(this.app, tenant);
      // The slot may have been taken while the users were read (another tab, a cron).
      if (!this.app.engine.isWfmSyncDue(id, now())) return;
      const delta = this.app.engine.wfmSync(id, batches, now());
      this.app.setLastDelta(delta);
      const next = this.app.engine
        .wfmStatus(now())
        .tenants.find((t) => t.wfmTenantId === id)?.nextDue;
      this.report({
        wfmTenantId: id,
        kind: "ok",
        text:
          `WFM sync of ${id} ran: ${delta.additions.length} additions, ` +
          `${delta.changes.length} changes, ${delta.absent.length} absent to send` +
          (skipped.length
            ? `; not examined (no connection configured): ${skipped.join(", ")}`
            : "") +
          (next ? `. Next run ${new Date(next).toLocaleString()}.` : "."),
      });
    } catch (e) {
      this.report({
        wfmTenantId: id,
        kind: "error",
        text: `WFM sync of ${id} failed: ${errorText(e)}`,
      });
    } finally {
      // A run, failed or not, is in the WFM log: save it.
      this.app.changed();
    }
  }

  private report(r: WfmReport): void {
    this.last.set(r.wfmTenantId, r);
    for (const f of this.listeners) f(r);
  }
}
