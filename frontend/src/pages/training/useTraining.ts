// The training page's data: the project's rounds and model versions, the running round followed
// (its job for progress, the round again for its log when the job's message changes), and the
// manager's actions (start, cancel, promote, roll back) with what they answered.
import { useCallback, useEffect, useState } from 'react';
import { isFinalJob, waitForJob, type ApiClient } from '../../core/api';
import { errorMessage } from '../../core/apiErrors';
import type { ModelVersion, TrainingRound } from '../../core/apiTypes';
import { roundNumbers } from './series';
import {
  modelVersions, promoteVersion, rollback, round as fetchRound, RoundRunning, rounds as fetchRounds, startRound,
} from './trainingApi';

/** queued / running: what Start round answered; ok / error: any other action's outcome. */
export interface Notice { kind: 'queued' | 'running' | 'ok' | 'error'; text: string }

export interface Training {
  rounds: TrainingRound[] | null;
  versions: ModelVersion[] | null;
  loadError: string | null;
  busy: boolean;
  /** Round numbers (1 = the oldest) by round id. */
  numbers: Map<number, number>;
  startNotice: Notice | null;
  versionNotice: Notice | null;
  reload: () => Promise<void>;
  start: (steps: number | null) => Promise<void>;
  cancel: (round: TrainingRound) => Promise<void>;
  promote: (version: ModelVersion) => Promise<void>;
  rollBack: () => Promise<void>;
}

export function useTraining(api: ApiClient, projectId: number, onServingChanged: () => void): Training {
  const [rounds, setRounds] = useState<TrainingRound[] | null>(null);
  const [versions, setVersions] = useState<ModelVersion[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [startNotice, setStartNotice] = useState<Notice | null>(null);
  const [versionNotice, setVersionNotice] = useState<Notice | null>(null);

  const fetchAll = useCallback(() => Promise.all([fetchRounds(api, projectId), modelVersions(api, projectId)]), [api, projectId]);
  const show = useCallback(([r, v]: [TrainingRound[], ModelVersion[]]) => {
    setRounds(r);
    setVersions(v);
    setLoadError(null);
  }, []);
  const reload = useCallback(async () => {
    try {
      show(await fetchAll());
    } catch (e) {
      setLoadError(errorMessage(e));
    }
  }, [fetchAll, show]);

  useEffect(() => {
    let live = true;
    fetchAll().then((answer) => { if (live) show(answer); }, (e: unknown) => { if (live) setLoadError(errorMessage(e)); });
    return () => { live = false; };
  }, [fetchAll, show]);

  const replaceRound = useCallback((next: TrainingRound) => {
    setRounds((list) => {
      if (!list) return [next];
      return list.some((r) => r.id === next.id) ? list.map((r) => (r.id === next.id ? next : r)) : [next, ...list];
    });
  }, []);

  const running = rounds?.find((r) => !isFinalJob(r.job)) ?? null;
  const runningJobId = running?.job.id ?? null;
  const runningRoundId = running?.id ?? null;
  useEffect(() => {
    if (runningJobId === null || runningRoundId === null) return;
    const abort = new AbortController();
    let lastMessage: string | null = null;
    waitForJob(api, runningJobId, {
      signal: abort.signal, intervalMs: 1000,
      onProgress: (job) => {
        if (abort.signal.aborted) return;
        // Final: the round has its candidate, figures and decision now; so may the versions.
        if (isFinalJob(job)) { void reload(); return; }
        setRounds((list) => list?.map((r) => (r.id === runningRoundId ? { ...r, job } : r)) ?? list);
        if (job.message !== lastMessage) {
          lastMessage = job.message;
          fetchRound(api, runningRoundId).then((r) => { if (!abort.signal.aborted) replaceRound(r); }).catch(() => undefined);
        }
      },
    }).catch((e: unknown) => { if (!abort.signal.aborted) setLoadError(errorMessage(e)); });
    return () => abort.abort();
  }, [api, runningJobId, runningRoundId, reload, replaceRound]);

  const numbers = roundNumbers(rounds ?? []);

  /** Runs a manager's action with the buttons disabled meanwhile. */
  async function acting(action: () => Promise<void>): Promise<void> {
    setBusy(true);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  }

  const start = (steps: number | null) => acting(async () => {
    setStartNotice(null);
    try {
      const started = await startRound(api, projectId, steps ? { steps } : {});
      replaceRound(started);
      setStartNotice({ kind: 'queued', text: `Round ${(rounds?.length ?? 0) + 1} queued (job ${started.job.id}, ${started.job.state}).` });
    } catch (e) {
      if (!(e instanceof RoundRunning)) {
        setStartNotice({ kind: 'error', text: errorMessage(e) });
        return;
      }
      const current = e.current;
      if (current) replaceRound(current);
      const which = current ? numbers.get(current.id) : undefined;
      setStartNotice({
        kind: 'running',
        text: `Not started: ${e.detail}.${current ? ` Round ${which ?? current.id} is ${current.job.state} (${Math.round((current.job.progress ?? 0) * 100)}%); wait for it or cancel it.` : ''}`,
      });
    }
  });

  const cancel = (r: TrainingRound) => acting(async () => {
    try {
      replaceRound({ ...r, job: await api.cancelJob(r.job.id) });
    } catch (e) {
      setStartNotice({ kind: 'error', text: errorMessage(e) });
    }
  });

  const promote = (v: ModelVersion) => acting(async () => {
    setVersionNotice(null);
    try {
      const promoted = await promoteVersion(api, v.id);
      await reload();
      setVersionNotice({ kind: 'ok', text: `${promoted.version} is now the serving model.` });
      onServingChanged();
    } catch (e) {
      setVersionNotice({ kind: 'error', text: errorMessage(e) });
    }
  });

  const rollBack = () => acting(async () => {
    setVersionNotice(null);
    try {
      const { active } = await rollback(api, projectId);
      await reload();
      setVersionNotice({ kind: 'ok', text: active ? `Rolled back: ${active.version} serves again.` : "Rolled back to the deployment's default model." });
      onServingChanged();
    } catch (e) {
      setVersionNotice({ kind: 'error', text: errorMessage(e) });
    }
  });

  return { rounds, versions, loadError, busy, numbers, startNotice, versionNotice, reload, start, cancel, promote, rollBack };
}
