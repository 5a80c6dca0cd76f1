// The two passes of Auto Sync for one business unit, shared by the Run Auto Sync dialog and
// the scheduled runs: fetch both directories, load them, plan (pass 1), re-fetch the emails
// the plan names, plan the retry (pass 2). Applying is left to the caller.

import type { Plan } from "usersync";
import { fetchDirectories, refetchByEmail, type Progress } from "./directory";
import { nextFrame } from "./dom";
import { now, unitOf, type App, type BusinessUnit, type Directories } from "./state";

export interface PipelineHooks {
  onFetchProgress?: (p: Progress) => void;
  /** Called as each step starts; the function it returns is called with a detail when it ends. */
  step?: (text: string) => (detail?: string) => void;
  signal?: AbortSignal;
}

export interface Planned {
  plan: Plan;
  dirs: Directories;
}

const quiet = () => () => undefined;

/** Fetches, loads and plans both passes of Auto Sync for `bu`; the plan is pending in the engine. */
export async function planAutoSyncWithRetry(
  app: App,
  bu: BusinessUnit,
  hooks: PipelineHooks = {},
): Promise<Planned> {
  const step = hooks.step ?? quiet;
  const unit = unitOf(bu);
  let end = step(`Fetching CXone and RingCentral users of ${bu.name}`);
  const dirs = await fetchDirectories(bu, hooks.onFetchProgress ?? (() => undefined), hooks.signal);
  const loaded = app.loadDirectories(bu, dirs);
  const rejected = loaded.sourceRejected + loaded.externalRejected;
  end(
    `: ${dirs.source.length} CXone users and ${dirs.external.length} RingCentral accounts` +
      (rejected > 0 ? ` (${rejected} rejected by intake)` : ""),
  );
  app.notify();
  await nextFrame();

  end = step("Pass 1");
  const first = app.engine.planAutoSync(unit, now());
  end(`: ${first.transitions.length} transitions; ${first.retry.userIds.length} users to retry`);
  let refreshed = null;
  if (first.retry.emails.length > 0) {
    end = step(`Retry: re-fetching ${first.retry.emails.length} emails from RingCentral`);
    try {
      refreshed = await refetchByEmail(bu, first.retry.emails, hooks.signal);
    } catch (e) {
      app.engine.discardPlan(first.runId);
      throw e;
    }
    end(`: ${refreshed.length} accounts came back`);
  }
  await nextFrame();
  end = step("Pass 2 (the retry)");
  const plan = app.engine.retryAutoSync(first.runId, refreshed, now());
  end(`: ${plan.transitions.length} transitions`);
  return { plan, dirs };
}
