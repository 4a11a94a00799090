// Browser storage (localStorage in the page, a Map in tests) for what must survive a reload: drafts,
// click markers, a job being followed. Storage can be full or hold something unreadable; both are
// answered here, so callers only see "kept" or "nothing stored".

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The JSON stored under `key`, or null when there is none or it does not parse. */
export function readJson<T>(storage: KeyValueStorage, key: string): T | null {
  const raw = storage.getItem(key);
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

/** Stores `value` as JSON; false when the storage refused it (quota). */
export function writeJson(storage: KeyValueStorage, key: string, value: unknown): boolean {
  try {
    storage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

/** Where earlier versions of the app kept an API token. The app now signs in with a session cookie
 * that no script can read; a token left here by an earlier version is removed at start. */
export const LEGACY_TOKEN_KEY = 'segdata.token';

/** Removes a long-lived credential an earlier version stored; true when there was one. */
export function forgetStoredToken(storage: KeyValueStorage): boolean {
  try {
    const had = storage.getItem(LEGACY_TOKEN_KEY) !== null;
    storage.removeItem(LEGACY_TOKEN_KEY);
    return had;
  } catch {
    return false;
  }
}
