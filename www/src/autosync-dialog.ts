// Auto Syncing: the schedule of the selected unit (enabled, frequency, time zone), with the
// next run times previewed as they would be before saving.

import { Engine, type Frequency, type Schedule, type Weekday } from "usersync";
import { append, h, modal, note, replace } from "./dom";
import { errorText, now, type App } from "./state";

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
  const current = app.engine.schedule(app.unit).schedule;
  const f = current.frequency;

  const enabled = h("input", { type: "checkbox", "data-testid": "sched-enabled" });
  enabled.checked = current.enabled;
  const kind = h("select", { "data-testid": "sched-kind" },
    h("option", { value: "everyMinutes" }, "Every N minutes"), h("option", { value: "hourly" }, "Hourly"),
    h("option", { value: "daily" }, "Daily"), h("option", { value: "weekly" }, "Weekly"));
  kind.value = f.kind;
  const minutes = h("input", { type: "number", min: 5, step: 1, "data-testid": "sched-minutes" });
  minutes.value = String(f.kind === "everyMinutes" ? f.minutes : 60);
  const minute = h("input", { type: "number", min: 0, max: 59, "data-testid": "sched-minute" });
  minute.value = String(f.kind === "hourly" ? f.minute ?? 0 : 0);
  const at = h("input", { type: "time", "data-testid": "sched-time" });
  at.value = f.kind === "daily" || f.kind === "weekly" ? f.time : "02:00";
  const days = DAYS.map((d) => {
    const box = h("input", { type: "checkbox", value: d, "data-testid": `sched-day-${d}` });
    box.checked = f.kind === "weekly" ? f.days.includes(d) : d === "mon";
    return box;
  });
  const zoneList = h("datalist", { id: "tz-list" }, ...zones().map((z) => h("option", { value: z })));
  const zone = h("input", { list: "tz-list", "data-testid": "sched-zone" });
  zone.value = current.timeZone;

  const rowMinutes = h("label", { class: "field" }, "Minutes between runs (5 or more)", minutes);
  const rowMinute = h("label", { class: "field" }, "Minute past the hour", minute);
  const rowTime = h("label", { class: "field" }, "Time of day", at);
  const rowDays = h("fieldset", { class: "days" }, h("legend", {}, "Days"),
    ...days.map((box) => h("label", {}, box, box.value)));
  const preview = h("ol", { class: "next-runs", "data-testid": "sched-preview" });
  const message = h("div", { class: "messages" });
  const save = h("button", { class: "primary", "data-testid": "sched-save" }, "Save schedule");
  const deny = app.denyReason;
  save.disabled = deny !== undefined;
  if (deny) save.title = deny;

  append(body,
    h("label", { class: "check" }, enabled, "Auto Sync runs on this schedule"),
    h("label", { class: "field" }, "Frequency", kind), rowMinutes, rowMinute, rowTime, rowDays,
    h("label", { class: "field" }, "Time zone (IANA)", zone), zoneList,
    h("h3", {}, "Next runs"), preview, message,
    h("div", { class: "buttons" }, save, h("button", { onclick: close }, "Cancel")),
    deny ? note("warn", `Saving is disabled: ${deny}.`) : "");

  const read = (): Schedule => {
    const k = kind.value;
    const freq: Frequency = k === "everyMinutes" ? { kind: "everyMinutes", minutes: Number(minutes.value) }
      : k === "hourly" ? { kind: "hourly", minute: Number(minute.value) }
      : k === "daily" ? { kind: "daily", time: at.value }
      : { kind: "weekly", days: days.filter((d) => d.checked).map((d) => d.value as Weekday), time: at.value };
    return { enabled: enabled.checked, frequency: freq, timeZone: zone.value.trim(), ...(current.anchor ? { anchor: current.anchor } : {}) };
  };

  // A scratch engine previews a schedule without touching the real one.
  const scratch = new Engine();
  const update = () => {
    const k = kind.value;
    rowMinutes.hidden = k !== "everyMinutes";
    rowMinute.hidden = k !== "hourly";
    rowTime.hidden = k !== "daily" && k !== "weekly";
    rowDays.hidden = k !== "weekly";
    const s = read();
    try {
      scratch.setSchedule(app.unit, { ...s, enabled: true });
      const runs = scratch.nextRuns(app.unit, now(), 5);
      replace(preview, ...runs.map((r) => h("li", {}, `${new Date(r).toLocaleString()} `, h("span", { class: "muted" }, r))));
      replace(message, s.enabled ? "" : note("info", "Disabled: these runs will not happen until it is enabled."));
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
      app.engine.setSchedule(app.unit, read());
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
