// An ApiClient over a scripted server for unit tests: each "METHOD /path/" answers from its own list
// (the last answer repeats; a function answers from the URL), and every request is recorded.
import { ApiClient, tokenCredentials } from '../core/api';
import type { KeyValueStorage } from '../core/storage';

export type Answer = [number, unknown] | ((url: string, init: RequestInit) => [number, unknown]);
export interface Call { method: string; url: string; body: Record<string, unknown> | undefined }

/** Storage in a Map (what localStorage holds in the browser). */
export function memoryStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => { map.set(k, v); }, removeItem: (k) => { map.delete(k); } };
}

/** `routeOf` turns a path into its route key (e.g. every frame URL into one). */
export function scriptedApi(routes: Record<string, Answer[]>, routeOf: (path: string) => string = (path) => path) {
  const calls: Call[] = [];
  const impl = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = init.method ?? 'GET';
    calls.push({ method, url, body: init.body ? JSON.parse(String(init.body)) : undefined });
    const key = `${method} ${routeOf(url.split('?')[0])}`;
    const queue = routes[key];
    if (!queue?.length) return new Response(JSON.stringify({ detail: `no route ${key}` }), { status: 500 });
    const next = queue.length > 1 ? queue.shift()! : queue[0];
    const [status, body] = typeof next === 'function' ? next(url, init) : next;
    return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };
  const storage = memoryStorage();
  const api = new ApiClient(tokenCredentials('t'), '', impl as typeof fetch);
  return { calls, api, storage, map: storage.map };
}
