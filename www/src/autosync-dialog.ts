// Auto Syncing: the schedule of the selected unit (enabled, frequency, time zone), with the
// next run times previewed as they would be before saving. Until an admin saves one the unit
// has none and Auto Sync is not set up; the admin who saves it is the one scheduled runs act
// as. "Remove schedule" makes it not set up again.

import { Engine, type Frequency, type Schedule, type Weekday } from "usersync";
import { append, h, modal, note, replace } from "./dom";
import { errorText, now, USER_MAPPING_MAP, type App } from "./state";
import { localTime } from "./words";

/** What the form shows for a unit with no schedule yet (nothing is saved until Save). */
const SUGGESTED: Schedule = {
  enabled: true,
  frequency: { kind: "daily", time: "02:00" },
  timeZone: "UTC",
};

const DAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function zones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["UTC"];
  }
}

export function openScheduleDialog(app: App): void {
  const { body, close } = modal("Auto Syncing", "schedule-dialog");
  const entry = app.engine.schedule(app.unit);
  const current = entry.schedule ?? {
    ...SUGGESTED,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
  };
  const f = current.frequency;

  const enabled = h("input", { type: "checkbox", "data-testid": "sched-enabled" });
  enabled.checked = current.enabled;
  const kind = h(
    "select",
    { "data-testid": "sched-kind" },
    h("option", { value: "everyMinutes" }, "Every N minutes"),
    h("option", { value: "hourly" }, "Hourly"),
    h("option", { value: "daily" }, "Daily"),
    h("option", { value: "weekly" }, "Weekly"),
  );
  kind.value = f.kind;
  const minutes = h("input", { type: "number", min: 5, step: 1, "data-testid": "sched-minutes" });
  minutes.value = String(f.kind === "everyMinutes" ? f.minutes : 60);
  const minute = h("input", { type: "number", min: 0, max: 59, "data-testid": "sched-minute" });
  minute.value = String(f.kind === "hourly" ? (f.minute ?? 0) : 0);
  const at = h("input", { type: "time", "data-testid": "sched-time" });
  at.value = f.kind === "daily" || f.kind === "weekly" ? f.time : "02:00";
  const days = DAYS.map((d) => {
    const box = h("input", { type: "checkbox", value: d, "data-testid": `sched-day-${d}` });
    box.checked = f.kind === "weekly" ? f.days.includes(d) : d === "mon";
    return box;
  });
  const zoneList = h(
    "datalist",
    { id: "tz-list" },
    ...zones().map((z) => h("option", { value: z })),
  );
  const zone = h("input", { list: "tz-list", "data-testid": "sched-zone" });
  zone.value = current.timeZone;

  const rowMinutes = h("label", { class: "field" }, "Minutes between runs (5 or more)", minutes);
  const rowMinute = h("label", { class: "field" }, "Minute past the hour", minute);
  const rowTime = h("label", { class: "field" }, "Time of day", at);
  const rowDays = h(
    "fieldset",
    { class: "days" },
    h("legend", {}, "Days"),
    ...days.map((box) => h("label", {}, box, box.value)),
  );
  const preview = h("ol", { class: "next-runs", "data-testid": "sched-preview" });
  const message = h("div", { class: "messages" });
  const save = h("button", { class: "primary", "data-testid": "sched-save" }, "Save schedule");
  const remove = h(
    "button",
    { "data-testid": "sched-remove", hidden: entry.schedule === undefined },
    "Remove schedule",
  );
  const deny = app.denyReason;
  save.disabled = deny !== undefined;
  remove.disabled = deny !== undefined;
  if (deny) save.title = remove.title = deny;
  const state =
    entry.schedule === undefined
      ? note(
          "info",
          "Auto Sync is not set up: no schedule has been saved for this unit. Nothing runs until you save one.",
        )
      : note(
          "info",
          entry.savedBy
            ? `Saved by ${entry.savedBy.id}${entry.savedAt ? ` at ${localTime(entry.savedAt)}` : ""}: scheduled runs act as ${entry.savedBy.id}. Saving makes them act as you.`
            : "Saved before owners were recorded: save it again so scheduled runs act as you.",
        );

  append(
    body,
    h("div", { "data-testid": "sched-state" }, state),
    h("label", { class: "check" }, enabled, "Auto Sync runs on this schedule"),
    h("label", { class: "field" }, "Frequency", kind),
    rowMinutes,
    rowMinute,
    rowTime,
    rowDays,
    h("label", { class: "field" }, "Time zone (IANA)", zone),
    zoneList,
    h("h3", {}, "Next runs"),
    preview,
    message,
    h("div", { class: "buttons" }, save, remove, h("button", { onclick: close }, "Cancel")),
    deny ? note("warn", `Saving is disabled: ${deny}.`) : "",
  );

  const read = (): Schedule => {
    const k = kind.value;
    const freq: Frequency =
      k === "everyMinutes"
        ? { kind: "everyMinutes", minutes: Number(minutes.value) }
        : k === "hourly"
          ? { kind: "hourly", minute: Number(minute.value) }
          : k === "daily"
            ? { kind: "daily", time: at.value }
            : {
                kind: "weekly",
                days: days.filter((d) => d.checked).map((d) => d.value as Weekday),
                time: at.value,
              };
    return {
      enabled: enabled.checked,
      frequency: freq,
      timeZone: zone.value.trim(),
      ...(current.anchor ? { anchor: current.anchor } : {}),
    };
  };

  // A scratch engine previews a schedule without touching the real one.
  const scratch = new Engine();
  const scratchUnit = { businessUnitId: "preview", platform: "ringcentral" };
  const scratchActor = { id: "preview", permissions: [USER_MAPPING_MAP] };
  const update = () => {
    const k = kind.value;
    rowMinutes.hidden = k !== "everyMinutes";
    rowMinute.hidden = k !== "hourly";
    rowTime.hidden = k !== "daily" && k !== "weekly";
    rowDays.hidden = k !== "weekly";
    const s = read();
    try {
      scratch.setSchedule({
        unit: scratchUnit,
        schedule: { ...s, enabled: true },
        actor: scratchActor,
        now: "1970-01-01T00:00:00Z",
      });
      const runs = scratch.nextRuns(scratchUnit, now(), 5);
      replace(preview, ...runs.map((r) => h("li", { title: r }, localTime(r))));
      replace(
        message,
        s.enabled
          ? ""
          : note("info", "Turned off: these runs will not happen until it is turned on."),
      );
      save.disabled = deny !== undefined;
    } catch (e) {
      replace(preview);
      replace(message, note("error", errorText(e)));
      save.disabled = true;
    }
  };
  body.addEventListener("input", update);
  body.addEventListener("change", update);
  save.addEventListener("click", () => {
    try {
      app.engine.setSchedule({ unit: app.unit, schedule: read(), actor: app.actor, now: now() });
    } catch (e) {
      replace(message, note("error", errorText(e)));
      return;
    }
    app.changed();
    close();
  });
  remove.addEventListener("click", () => {
    try {
      app.engine.clearSchedule({ unit: app.unit, actor: app.actor });
    } catch (e) {
      replace(message, note("error", errorText(e)));
      return;
    }
    app.changed();
    close();
  });
  body.closest("dialog")?.addEventListener("close", () => scratch.free());
  update();
}
