// What the CLI says to an admin, in sentences with local times. Codes stay for machines: the
// JSON output and the `[code]` after an error keep them; the sentences here are for people.

/** An instant as the local clock shows it, e.g. "Mon 23 Nov 2026, 23:36". */
export function localTime(iso, timeZone) {
  if (!iso) return "never";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
    timeZone,
  }).format(d);
}

const DAYS = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

/** "every 15 minutes", "daily at 02:00 (Europe/Berlin)", ... */
export function describeSchedule(s) {
  const f = s.frequency;
  const zone = s.timeZone === "UTC" ? "UTC" : s.timeZone;
  const what =
    f.kind === "everyMinutes"
      ? `every ${f.minutes} minutes`
      : f.kind === "hourly"
        ? `every hour at minute ${String(f.minute ?? 0).padStart(2, "0")}`
        : f.kind === "daily"
          ? `daily at ${f.time} (${zone})`
          : `on ${f.days.map((d) => DAYS[d] ?? d).join(", ")} at ${f.time} ${zone} time`;
  return s.enabled ? what : `${what}, turned off`;
}

export const unitName = (unit) => `${unit.businessUnitId}/${unit.platform}`;

export function notSetUp(unit, support) {
  if (support && !support.autoSync) {
    return `Auto Sync is not available for ${unitName(unit)}: ${support.label} supports manual mapping only, so nothing ran.`;
  }
  return (
    `Auto Sync of ${unitName(unit)} is not set up: no admin has saved a schedule, so nothing ran. ` +
    `Save one with --schedule JSON --actor ID --permission UserMapping.Map.`
  );
}

export function notDue(unit, entry, next) {
  const s = entry.schedule;
  if (!s.enabled)
    return `Auto Sync of ${unitName(unit)} is turned off (${describeSchedule(s)}), so nothing ran.`;
  const refused = entry.lastRefusal
    ? ` The scheduled run at ${localTime(entry.lastRefusal.at)} was refused: ${entry.lastRefusal.message}`
    : "";
  return (
    `Auto Sync of ${unitName(unit)} is not due yet: next run at ${localTime(next)} (${describeSchedule(s)}); ` +
    `last run ${localTime(entry.lastRun)}.${refused}`
  );
}

export function ran(plan, outcome, scheduledAs) {
  const who = scheduledAs ? ` as ${scheduledAs}, who saved the schedule` : "";
  const stale = outcome?.stale?.length
    ? `, ${outcome.stale.length} skipped because the mapping changed meanwhile`
    : "";
  return `Auto Sync ${plan.runId} ran${who}: ${outcome?.applied ?? 0} of ${plan.transitions.length} changes applied${stale}.`;
}

export function refused(unit, error) {
  return `The scheduled Auto Sync of ${unitName(unit)} was refused and nothing changed: ${error.message}`;
}
