// While `active` (something the page shows is queued or running, as its job says), read the page's
// data again every `ms`: the status shown is always the job's own, never a guess from a timer.
import { useEffect } from 'react';

export function useLiveReload(active: boolean, reload: () => void, ms = 1000): void {
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(reload, ms);
    return () => clearTimeout(timer);
  });
}
