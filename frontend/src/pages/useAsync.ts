// Loads something for a page and tracks loading / error, re-running when `deps` change.
import { useEffect, useState, type DependencyList } from 'react';
import { ApiError } from '../core/api';

export interface AsyncState<T> { data: T | null; error: string | null; loading: boolean; reload: () => void }

export function useAsync<T>(load: () => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    load()
      .then((value) => { if (live) setData(value); })
      .catch((e) => { if (live) setError(e instanceof ApiError ? e.detail : String(e?.message ?? e)); })
      .finally(() => { if (live) setLoading(false); });
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { data, error, loading, reload: () => setTick((t) => t + 1) };
}
