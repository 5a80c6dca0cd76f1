// The page's state: one usersync Engine (restored from and saved to IndexedDB after every
// change), the configured business units, who is acting, and the directories loaded per
// unit. Tabs listen for changes and re-read what they show from the engine.

import {
  Engine,
  type Actor,
  type Delta,
  type ExternalUser,
  type PlatformSupport,
  type SourceUser,
  type UnitRef,
} from "usersync";
import { errorWords } from "./words";
import { loadPrefs, loadText, savePrefs, saveText, type UiPrefs } from "./persist";

/** One business unit the page administers, and where its directories are read. */
export interface BusinessUnit {
  businessUnitId: string;
  name: string;
  /** The external platform's name in the engine (`"ringcentral"`). */
  platform: string;
  cxone: { baseUrl: string; token: string };
  ringcentral: { baseUrl: string; token: string };
  /** Base URL of the sample set-up data (security profiles, WFM set-up). */
  samplesUrl: string;
}

export interface AppConfig {
  businessUnits: BusinessUnit[];
}

export const USER_MAPPING_MAP = "UserMapping.Map";

/** Who the page acts as: an admin who may map, and a viewer who may not. */
export const ACTORS: readonly { label: string; actor: Actor }[] = [
  {
    label: "admin@example.com (User Mapping: Map)",
    actor: { id: "admin@example.com", permissions: [USER_MAPPING_MAP] },
  },
  { label: "viewer@example.com (view only)", actor: { id: "viewer@example.com", permissions: [] } },
  {
    label: "rep@example.com (Account Representative)",
    actor: { id: "rep@example.com", permissions: [USER_MAPPING_MAP, "WFM.UserSync.Configure"] },
  },
];

export interface Directories {
  source: SourceUser[];
  external: ExternalUser[];
  fetchedAt: string;
}

const SNAPSHOT_KEY = "snapshot";
const DELTA_KEY = "wfm-last-delta";

/** The engine's key for a business unit's mapping with its external platform. */
export const unitOf = (bu: BusinessUnit): UnitRef => ({
  businessUnitId: bu.businessUnitId,
  platform: bu.platform,
});

/** Every engine call takes the time as RFC 3339. */
export const now = (): string => new Date().toISOString();

/** A thrown value as a sentence for people (the code is for tooltips: `codeOf` in words). */
export function errorText(e: unknown): string {
  return errorWords(e);
}

export class App {
  engine: Engine;
  readonly config: AppConfig;
  /** Why the saved state could not be restored (the page then started fresh). */
  readonly restoreError: string | undefined;
  readonly directories = new Map<string, Directories>();
  lastDelta: Delta | undefined;
  private prefs: UiPrefs;
  private listeners = new Set<() => void>();
  private saving: Promise<void> = Promise.resolve();
  private saveListeners = new Set<(state: string) => void>();

  private constructor(
    engine: Engine,
    config: AppConfig,
    restoreError: string | undefined,
    lastDelta: Delta | undefined,
  ) {
    this.engine = engine;
    this.config = config;
    this.restoreError = restoreError;
    this.lastDelta = lastDelta;
    this.prefs = loadPrefs();
  }

  /** Restores the saved engine; a damaged or unreadable snapshot starts fresh, saying why. */
  static async open(config: AppConfig): Promise<App> {
    let engine: Engine | undefined;
    let restoreError: string | undefined;
    let lastDelta: Delta | undefined;
    try {
      const snap = await loadText(SNAPSHOT_KEY);
      if (snap !== undefined) engine = Engine.fromSnapshot(snap);
      const delta = await loadText(DELTA_KEY);
      if (delta !== undefined) lastDelta = JSON.parse(delta) as Delta;
    } catch (e) {
      restoreError = errorText(e);
    }
    return new App(engine ?? new Engine(), config, restoreError, lastDelta);
  }

  get businessUnit(): BusinessUnit {
    const units = this.config.businessUnits;
    const found = units.find((u) => u.businessUnitId === this.prefs.businessUnitId) ?? units[0];
    if (!found) throw new Error("no business unit is configured");
    return found;
  }

  set businessUnitId(id: string) {
    this.updatePrefs({ businessUnitId: id });
  }

  get unit(): UnitRef {
    return unitOf(this.businessUnit);
  }

  get actorIndex(): number {
    const i = this.prefs.actor ?? 0;
    return i >= 0 && i < ACTORS.length ? i : 0;
  }

  set actorIndex(i: number) {
    this.updatePrefs({ actor: i });
  }

  get actor(): Actor {
    return (ACTORS[this.actorIndex] ?? ACTORS[0]!).actor;
  }

  /** Why the acting user may not change mappings, or undefined when they may. */
  get denyReason(): string | undefined {
    return this.actor.permissions?.includes(USER_MAPPING_MAP)
      ? undefined
      : `${this.actor.id} lacks the ${USER_MAPPING_MAP} permission`;
  }

  /** What the selected unit's platform supports (Auto Sync or manual mapping only). */
  get support(): PlatformSupport {
    return this.engine.platformSupport(this.unit.platform);
  }

  get autorun(): boolean {
    return this.prefs.autorun === true;
  }

  set autorun(on: boolean) {
    this.updatePrefs({ autorun: on });
  }

  get tab(): string | undefined {
    return this.prefs.tab;
  }

  set tab(id: string) {
    this.updatePrefs({ tab: id });
  }

  private updatePrefs(p: UiPrefs): void {
    this.prefs = { ...this.prefs, ...p };
    savePrefs(this.prefs);
  }

  onChange(f: () => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /** Save status: "saving", "saved" or "error: …". */
  onSave(f: (state: string) => void): void {
    this.saveListeners.add(f);
  }

  /** After every change to the engine: save the snapshot, then tell the tabs. */
  changed(): void {
    this.persist();
    this.notify();
  }

  notify(): void {
    for (const f of this.listeners) f();
  }

  setLastDelta(delta: Delta): void {
    this.lastDelta = delta;
    const text = JSON.stringify(delta);
    this.saving = this.saving.then(() => saveText(DELTA_KEY, text)).catch(() => undefined);
  }

  /** Resolves once every save asked for so far is written. */
  flushed(): Promise<void> {
    return this.saving;
  }

  private persist(): void {
    for (const f of this.saveListeners) f("saving");
    let snap: string;
    try {
      snap = this.engine.saveSnapshot();
    } catch (e) {
      for (const f of this.saveListeners) f(`error: ${errorText(e)}`);
      return;
    }
    this.saving = this.saving
      .then(() => saveText(SNAPSHOT_KEY, snap))
      .then(
        () => {
          for (const f of this.saveListeners) f("saved");
        },
        (e: unknown) => {
          for (const f of this.saveListeners) f(`error: ${errorText(e)}`);
        },
      );
  }

  /** Loads freshly fetched directories of a business unit into the engine. */
  loadDirectories(
    bu: BusinessUnit,
    dirs: Directories,
  ): { sourceRejected: number; externalRejected: number } {
    const unit = unitOf(bu);
    const s = this.engine.loadSourceUsers(unit, dirs.source);
    const x = this.engine.loadExternalUsers(unit, dirs.external);
    this.directories.set(bu.businessUnitId, dirs);
    return { sourceRejected: s.rejected.length, externalRejected: x.rejected.length };
  }
}
