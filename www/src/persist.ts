// The engine snapshot lives in IndexedDB: with tens of thousands of users it outgrows
// localStorage's few megabytes. Small UI preferences stay in localStorage.

const DB_NAME = "usersync-admin";
const STORE = "kv";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB unavailable"));
  });
}

let db: Promise<IDBDatabase> | undefined;
const database = (): Promise<IDBDatabase> => (db ??= open());

/** The stored string under `key`, or undefined. */
export async function loadText(key: string): Promise<string | undefined> {
  const d = await database();
  return new Promise((resolve, reject) => {
    const req = d.transaction(STORE, "readonly").objectStore(STORE).get(key);
    req.onsuccess = () => resolve(typeof req.result === "string" ? req.result : undefined);
    req.onerror = () => reject(req.error ?? new Error(`cannot read ${key}`));
  });
}

/** Stores `value` under `key`; resolves once the transaction is durable. */
export async function saveText(key: string, value: string): Promise<void> {
  const d = await database();
  return new Promise((resolve, reject) => {
    const tx = d.transaction(STORE, "readwrite");
    tx.objectStore(STORE).put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error(`cannot write ${key}`));
  });
}

export interface UiPrefs {
  businessUnitId?: string;
  actor?: number;
  tab?: string;
  /** Scheduled Auto Sync runs while the page is open. */
  autorun?: boolean;
}

const PREFS = "usersync-admin.ui";

export function loadPrefs(): UiPrefs {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(PREFS) ?? "{}");
    return typeof v === "object" && v !== null ? (v as UiPrefs) : {};
  } catch {
    return {};
  }
}

export function savePrefs(prefs: UiPrefs): void {
  localStorage.setItem(PREFS, JSON.stringify(prefs));
}
