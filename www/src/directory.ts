// Reading a business unit's two directories through the package's Rust connectors, from the
// local API server (or any server speaking the same APIs): CXone agents with their security
// profiles resolved, and the RingCentral user list.

import {
  fetchCxoneUsers,
  fetchRingCentralUsers,
  fetchRingCentralUsersByEmail,
  type ExternalUser,
  type FetchProgress,
  type ProfilePermissions,
  type SourceUser,
} from "usersync";
import { now, type BusinessUnit, type Directories } from "./state";

/** Running totals of both fetches, for one progress bar. */
export interface Progress {
  cxone?: FetchProgress;
  ringcentral?: FetchProgress;
}

/** The share done in [0, 1], or undefined while no total is known. */
export function fraction(p: Progress): number | undefined {
  const parts = [p.cxone, p.ringcentral];
  let done = 0;
  let total = 0;
  for (const x of parts) {
    if (!x?.totalRecords) return undefined;
    done += x.recordsFetched;
    total += x.totalRecords;
  }
  return total > 0 ? Math.min(1, done / total) : undefined;
}

const VENDORS: Record<keyof Progress, string> = { cxone: "CXone", ringcentral: "RingCentral" };

/**
 * What the fetch is waiting for, as a sentence ("waiting 60 s for RingCentral's rate limit"),
 * or undefined while it is not waiting: the connectors report each wait before they sleep.
 */
export function waitingText(p: Progress): string | undefined {
  const said: string[] = [];
  for (const side of ["cxone", "ringcentral"] as const) {
    const x = p[side];
    if (!x?.waitingMs) continue;
    const s = Math.max(1, Math.round(x.waitingMs / 1000));
    const vendor = VENDORS[side];
    if (x.reason === "rate_limited") said.push(`waiting ${s} s for ${vendor}'s rate limit`);
    else if (x.reason === "pacing")
      said.push(`pacing requests to stay under ${vendor}'s rate limit (${s} s)`);
    else if (x.reason === "unavailable")
      said.push(`${vendor} is unavailable: trying again in ${s} s`);
    else said.push(`${vendor} failed for a moment: trying again in ${s} s`);
  }
  return said.length ? said.join("; ") : undefined;
}

async function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(url, { signal: signal ?? null });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

/** Which permissions each CXone security profile grants (sample set-up of the local server). */
export async function profilePermissions(
  bu: BusinessUnit,
  signal?: AbortSignal,
): Promise<ProfilePermissions[]> {
  const v = await getJson(`${bu.samplesUrl}/__sample/profile-permissions`, signal);
  if (!Array.isArray(v)) throw new Error("profile permissions: not a list");
  return v as ProfilePermissions[];
}

/** Both directories of a unit, fetched in parallel. */
export async function fetchDirectories(
  bu: BusinessUnit,
  onProgress: (p: Progress) => void,
  signal?: AbortSignal,
): Promise<Directories> {
  const progress: Progress = {};
  const perms = await profilePermissions(bu, signal);
  const controls = (side: keyof Progress) => ({
    ...(signal ? { signal } : {}),
    onProgress: (p: FetchProgress) => {
      progress[side] = p;
      onProgress({ ...progress });
    },
  });
  const [source, external] = await Promise.all([
    fetchCxoneUsers({
      ...bu.cxone,
      perPage: 1000,
      profilePermissions: perms,
      ...controls("cxone"),
    }),
    fetchRingCentralUsers({ ...bu.ringcentral, perPage: 1000, ...controls("ringcentral") }),
  ]);
  return { source, external, fetchedAt: now() };
}

/** The CXone agents of a unit only (WFM sync reads no external directory). */
export async function fetchCxone(bu: BusinessUnit, signal?: AbortSignal): Promise<SourceUser[]> {
  const perms = await profilePermissions(bu, signal);
  return fetchCxoneUsers({
    ...bu.cxone,
    perPage: 1000,
    profilePermissions: perms,
    ...(signal ? { signal } : {}),
  });
}

/** The Auto Sync retry's targeted re-fetch: accounts with any of these emails. */
export function refetchByEmail(
  bu: BusinessUnit,
  emails: string[],
  signal?: AbortSignal,
): Promise<ExternalUser[]> {
  return fetchRingCentralUsersByEmail({ ...bu.ringcentral, ...(signal ? { signal } : {}) }, emails);
}

interface WfmSetup {
  teams: { teamId: string; teamName: string; features: string[] }[];
  acdProfiles: { agentId: string; acdProfileId: string }[];
}

/**
 * The users as WFM sync sees them: the agent list has no team features or ACD profile, so
 * they come from the set-up data; the security profile's permissions stand for the role's.
 */
export async function withWfmSetup(bu: BusinessUnit, users: SourceUser[]): Promise<SourceUser[]> {
  const setup = (await getJson(`${bu.samplesUrl}/__sample/wfm-setup`)) as WfmSetup;
  const teams = new Map(setup.teams.map((t) => [t.teamId, t.features]));
  const profiles = new Map(setup.acdProfiles.map((p) => [p.agentId, p.acdProfileId]));
  return users.map((u) => {
    const teamFeatures = u.teamId === undefined ? undefined : teams.get(u.teamId);
    const acdProfileId = profiles.get(u.id);
    return {
      ...u,
      tenantId: bu.businessUnitId,
      ...(teamFeatures ? { teamFeatures } : {}),
      ...(u.permissions ? { rolePermissions: u.permissions } : {}),
      ...(acdProfileId ? { acdProfileId } : {}),
    };
  });
}
