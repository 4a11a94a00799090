// Loads something for a page and tracks loading / error, re-running when `deps` change (ESLint checks
// callers' deps as for useEffect: eslint.config.js names this hook in exhaustive-deps).
import { useEffect, useMemo, useState, type DependencyList } from 'react';
import { errorMessage } from '../core/apiErrors';

export interface AsyncState<T> { data: T | null; error: string | null; loading: boolean; reload: () => void }

interface Settled<T> { request: object | null; data: T | null; error: string | null }

export function useAsync<T>(load: () => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [tick, setTick] = useState(0);
  // One object per (deps, reload): the answer that settles for the latest one is the page's.
  // eslint-disable-next-line react-hooks/exhaustive-deps, react-hooks/use-memo -- the caller's deps, checked at the call
  const request = useMemo(() => ({}), [...deps, tick]);
  const [settled, setSettled] = useState<Settled<T>>({ request: null, data: null, error: null });
  useEffect(() => {
    let live = true;
    load().then(
      (data) => { if (live) setSettled({ request, data, error: null }); },
      (error: unknown) => { if (live) setSettled((previous) => ({ request, data: previous.data, error: errorMessage(error) })); },
    );
    return () => { live = false; };
    // `load` is a new closure every render; `request` changes exactly when it must run again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [request]);
  const current = settled.request === request;
  return { data: settled.data, error: current ? settled.error : null, loading: !current, reload: () => setTick((t) => t + 1) };
}
