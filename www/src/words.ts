// What the page says to an admin: sentences with local times, never a bare code or instant.
// Codes stay for machines (tooltips, `data-*` attributes, exported CSV); every sentence the
// page shows is made here so the wording is the same everywhere.

import {
  isUsersyncError,
  reasonText,
  type MappingStatus,
  type Reason,
  type PlatformSupport,
  type Schedule,
  type UnitSchedule,
} from "usersync";

/** An instant on the admin's clock: "23:36" today, "Tue 24 Nov, 02:00" otherwise. */
export function localTime(iso: string | undefined, today = new Date()): string {
  if (!iso) return "never";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hm = d.toLocaleTimeString(undefined, {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  if (d.toDateString() === today.toDateString()) return hm;
  const day = d.toLocaleDateString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    ...(d.getFullYear() === today.getFullYear() ? {} : { year: "numeric" }),
  });
  return `${day}, ${hm}`;
}

const DAYS: Record<string, string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

/** "every 30 minutes", "daily at 02:00 (Europe/Berlin time)". */
export function scheduleWords(s: Schedule): string {
  const f = s.frequency;
  const zone = ` (${s.timeZone} time)`;
  switch (f.kind) {
    case "everyMinutes":
      return `every ${f.minutes} minutes`;
    case "hourly":
      return `every hour at minute ${String(f.minute ?? 0).padStart(2, "0")}`;
    case "daily":
      return `daily at ${f.time}${zone}`;
    case "weekly":
      return `on ${f.days.map((d) => DAYS[d] ?? d).join(", ")} at ${f.time}${zone}`;
  }
}

/** The Auto Sync line of a unit, e.g. "Auto Sync: every 30 minutes · next run at 23:36". */
export function scheduleSummary(
  entry: UnitSchedule,
  next: string | undefined,
  support: PlatformSupport,
): string {
  if (!support.autoSync)
    return `Auto Sync is not available: ${support.label} supports manual mapping only.`;
  const s = entry.schedule;
  const last = entry.lastRun ? ` · last run ${localTime(entry.lastRun)}` : "";
  if (!s) return `Auto Sync is not set up: no schedule has been saved${last}.`;
  if (!s.enabled) return `Auto Sync is turned off (${scheduleWords(s)})${last}.`;
  const owner = entry.savedBy ? ` · runs as ${entry.savedBy.id}` : "";
  const refused = entry.lastRefusal
    ? ` · the scheduled run at ${localTime(entry.lastRefusal.at)} was refused: ${entry.lastRefusal.message}`
    : "";
  return `Auto Sync ${scheduleWords(s)} · next run at ${next ? localTime(next) : "none"}${owner}${last}${refused}.`;
}

/** Why Run Auto Sync and Auto Syncing are hidden for a unit on a manual-only platform. */
export function manualOnly(support: PlatformSupport): string {
  return (
    `${support.label} supports manual mapping only, so Auto Sync is not available for this unit. ` +
    `Map users by hand from each row's menu (…).`
  );
}

const STATUS: Record<MappingStatus, string> = {
  mapped: "Mapped",
  unmapped: "Not mapped",
  skipped: "Skipped",
  excluded: "Excluded from Auto Sync",
};

export const statusWords = (s: MappingStatus): string => STATUS[s] ?? s;

/** A reason in the Status view's words ("No RingCentral account has this email"). */
export const reasonWords = (reason: Reason, platform: string): string =>
  reasonText(reason, platform);

/** An email as people read it: without the stray spaces a directory may carry. */
export const shownEmail = (email: string | undefined): string => email?.trim() || "—";

/** A thrown value as a sentence; the code goes to the tooltip (`codeOf`). */
export function errorWords(e: unknown): string {
  if (!isUsersyncError(e)) return e instanceof Error ? e.message : String(e);
  const lead = LEADS[e.code];
  return lead ? `${lead} ${e.message}` : e.message;
}

/** The machine code of a thrown value, for a tooltip or data attribute. */
export const codeOf = (e: unknown): string | undefined => (isUsersyncError(e) ? e.code : undefined);

const LEADS: Partial<Record<string, string>> = {
  permission_denied: "Not allowed:",
  external_taken: "That account is already mapped to another user.",
  unmap_threshold_exceeded: "Stopped by the safety limit on unmapping.",
  auto_sync_unsupported: "Auto Sync is not available here.",
  not_found: "Not found:",
  undo_conflict: "Cannot undo everything:",
  invalid_input: "Please check the input:",
};

/** "WFM sync is not due yet: next run at 23:36 (every 30 minutes)" and the like. */
export function scheduledRunWords(
  unitName: string,
  kind: "not-set-up" | "off" | "not-due" | "ran" | "refused",
  detail = "",
): string {
  switch (kind) {
    case "not-set-up":
      return `Auto Sync of ${unitName} is not set up, so nothing ran${detail}.`;
    case "off":
      return `Auto Sync of ${unitName} is turned off, so nothing ran.`;
    case "not-due":
      return `Auto Sync of ${unitName} is not due yet: ${detail}.`;
    case "ran":
      return `Auto Sync of ${unitName} ran ${detail}.`;
    case "refused":
      return `The scheduled Auto Sync of ${unitName} was refused and nothing changed: ${detail}`;
  }
}
