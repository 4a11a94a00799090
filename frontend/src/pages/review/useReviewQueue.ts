// The review queue of one project and kind as React state: loads it, decides the item shown (and
// moves on, reloading when the loaded page ran out), and says what happened in one notice line.
import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from '../../core/api';
import { ApiError, errorMessage, VersionConflict } from '../../core/apiErrors';
import type { MaskletRecord, MaskRecord } from '../../core/apiTypes';
import type { CompressedRle } from '../../core/rle';
import { ItemTimer, ReviewQueue, type Decision } from './queue';
import { maskQueue, maskletQueue, reviewMask, reviewMasklet, type QueueKind } from './reviewApi';

export interface ReviewState {
  current: MaskRecord | MaskletRecord | null;
  remaining: number;
  decidedCount: number;
  /** A load of this kind finished (the counts and the empty state mean something). */
  loaded: boolean;
  loadError: { status: number; text: string } | null;
  busy: boolean;
  notice: string | null;
  decideMask: (decision: Decision, extra: { reason?: string; rle?: CompressedRle }) => Promise<void>;
  decideMasklet: (decision: Decision, extra: { reason?: string }) => Promise<void>;
}

/** 400 with the item's status: someone decided it meanwhile (or it is no longer submitted). */
function alreadyDecided(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 400 && !!(error.body as { status?: unknown } | null)?.status;
}

export function useReviewQueue(api: ApiClient, projectId: number, kind: QueueKind | null): ReviewState {
  const [queue] = useState(() => new ReviewQueue<MaskRecord | MaskletRecord>());
  const [timer] = useState(() => new ItemTimer());
  // The queue is a plain object changed in place: a new number re-renders the page.
  const [, setVersion] = useState(0);
  const changed = useCallback(() => setVersion((v) => v + 1), []);
  const [loadedKind, setLoadedKind] = useState<QueueKind | null>(null);
  const [loadError, setLoadError] = useState<{ status: number; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const fetchQueue = useCallback(
    (): Promise<{ results: (MaskRecord | MaskletRecord)[]; count: number }> =>
      (kind === 'masklet' ? maskletQueue(api, projectId) : maskQueue(api, projectId)),
    [api, projectId, kind],
  );
  const loadedNow = useCallback((answer: { results: (MaskRecord | MaskletRecord)[]; count: number }) => {
    queue.load(answer.results, answer.count);
    setLoadError(null);
    timer.restart();
    setLoadedKind(kind);
    changed();
  }, [queue, timer, kind, changed]);
  const failed = useCallback((error: unknown) => {
    setLoadError({ status: error instanceof ApiError ? error.status : 0, text: errorMessage(error) });
    setLoadedKind(kind);
  }, [kind]);

  useEffect(() => {
    if (!kind) return;
    let live = true;
    fetchQueue().then((answer) => { if (live) loadedNow(answer); }, (error: unknown) => { if (live) failed(error); });
    return () => { live = false; };
  }, [kind, fetchQueue, loadedNow, failed]);

  /** After a decision: the next item's clock starts; a new page of the queue when this one ran out. */
  const advance = async () => {
    timer.restart();
    if (!queue.needsReload) return;
    try {
      loadedNow(await fetchQueue());
    } catch (error) {
      failed(error);
    }
  };

  const decide = async (item: MaskRecord | MaskletRecord, send: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setNotice(null);
    try {
      await send();
      queue.decide(item.id);
      setNotice(done);
      await advance();
    } catch (error) {
      if (error instanceof VersionConflict) {
        if (error.current.status === 'submitted') {
          queue.replace(error.current);
          setNotice(`Mask ${item.id} changed since it was shown: it is reloaded, look again.`);
        } else {
          queue.decide(item.id);
          setNotice(`Mask ${item.id} was already decided (${error.current.status}); next item.`);
          await advance();
        }
        timer.restart();
      } else if (alreadyDecided(error)) {
        queue.decide(item.id);
        setNotice(`${error.detail}; next item.`);
        await advance();
      } else {
        setNotice(`Not saved: ${errorMessage(error)}`);
      }
    } finally {
      setBusy(false);
      changed();
    }
  };

  const decideMask = async (decision: Decision, extra: { reason?: string; rle?: CompressedRle }) => {
    const mask = queue.current as MaskRecord | null;
    if (!mask || busy) return;
    const done = decision === 'accept' ? 'accepted' : decision === 'reject' ? 'rejected' : 'fixed and accepted';
    await decide(mask, () => reviewMask(api, mask.id, { decision, version: mask.version, seconds: timer.seconds, ...extra }),
      `Mask ${mask.id} ${done}.`);
  };

  const decideMasklet = async (decision: Decision, extra: { reason?: string }) => {
    const masklet = queue.current as MaskletRecord | null;
    if (!masklet || busy || decision === 'fix') return;
    await decide(masklet, () => reviewMasklet(api, masklet.id, { decision, reason: extra.reason ?? '', seconds: timer.seconds }),
      `Masklet ${masklet.id} ${decision === 'accept' ? 'accepted' : 'rejected'}.`);
  };

  return {
    current: queue.current, remaining: queue.remaining, decidedCount: queue.decidedCount, loaded: loadedKind === kind && kind !== null,
    loadError, busy, notice, decideMask, decideMasklet,
  };
}
