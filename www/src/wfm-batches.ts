// The ACD users WFM sync reads, per linked ACD tenant (a business unit of the page), with
// the set-up data WFM needs; shared by the WFM scheduler and the readiness table, and cached
// per fetched directory so a run and the table never fetch twice.

import type { AcdBatch, SourceUser, TenantStatus } from "usersync";
import { fetchCxone, withWfmSetup } from "./directory";
import type { App, BusinessUnit } from "./state";

const enriched = new WeakMap<SourceUser[], SourceUser[]>();

/** The users of a unit as WFM sees them: loaded ones when the page has them, else fetched. */
export async function wfmUsersOf(app: App, bu: BusinessUnit): Promise<SourceUser[]> {
  const source = app.directories.get(bu.businessUnitId)?.source ?? (await fetchCxone(bu));
  const cached = enriched.get(source);
  if (cached) return cached;
  const users = await withWfmSetup(bu, source);
  enriched.set(source, users);
  return users;
}

/** A batch per linked ACD tenant the page has a connection for; the others are named. */
export async function wfmBatches(
  app: App,
  tenant: TenantStatus,
): Promise<{ batches: AcdBatch[]; skipped: string[] }> {
  const batches: AcdBatch[] = [];
  const skipped: string[] = [];
  for (const acd of tenant.acds) {
    const bu = app.config.businessUnits.find((b) => b.businessUnitId === acd.acdTenantId);
    if (!bu) {
      skipped.push(acd.acdTenantId);
      continue;
    }
    batches.push({ acdTenantId: acd.acdTenantId, users: await wfmUsersOf(app, bu) });
  }
  return { batches, skipped };
}
