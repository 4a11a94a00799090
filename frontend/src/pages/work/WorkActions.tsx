// An annotator's decisions on one item: complete, skip or flag (with a reason the team sees), or
// reopen / unflag a decided one. `onDone` gets the action once the server recorded it.
import { useState } from 'react';
import type { WorkState } from '../../core/apiTypes';
import { errorMessage } from '../../core/apiErrors';
import { actionsFor, type WorkAction } from '../../core/work';
import { useApp } from '../appContext';
import { decide, type ItemKind } from './workApi';

const LABELS: Record<WorkAction, string> = { complete: 'Mark complete', skip: 'Skip', flag: 'Flag…', unflag: 'Unflag', reopen: 'Reopen' };

export function WorkActions({ kind, id, state, onDone }: { kind: ItemKind; id: number; state: WorkState; onDone: (action: WorkAction) => void }) {
  const { api } = useApp();
  const [asking, setAsking] = useState<'flag' | 'skip' | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run(action: WorkAction, why = '') {
    if (action === 'flag' && !why.trim()) { setAsking('flag'); return; }
    setBusy(true);
    setError(null);
    try {
      await decide(api, kind, id, action, why.trim());
      setAsking(null);
      setReason('');
      onDone(action);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <span className="work-actions" data-testid={`work-actions-${id}`}>
      {asking ? (
        <form className="row" onSubmit={(e) => { e.preventDefault(); void run(asking, reason); }}>
          <input
            autoFocus value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} name="reason"
            placeholder={asking === 'flag' ? 'What is wrong with it? (the team sees this)' : 'Why skip it? (optional)'}
          />
          <button type="submit" className="primary" disabled={busy}>{asking === 'flag' ? 'Flag' : 'Skip'}</button>
          <button type="button" onClick={() => setAsking(null)}>Cancel</button>
        </form>
      ) : (
        actionsFor(state).map((action) => (
          <button key={action} type="button" disabled={busy} onClick={() => void run(action)}>{LABELS[action]}</button>
        ))
      )}
      {error && <span className="form-error small" role="alert">{error}</span>}
    </span>
  );
}
