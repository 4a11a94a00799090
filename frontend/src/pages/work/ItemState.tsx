// An item's state for the team on its annotation page, with the annotator's decisions; complete,
// skip and flag go on to the next item of the list's filter (or back to the list when none is left).
import type { components } from '../../core/api-schema';
import { STATE_LABELS, type WorkAction } from '../../core/work';
import { useApp } from '../appContext';
import { useAsync } from '../useAsync';
import { WorkActions } from './WorkActions';
import type { ItemKind } from './workApi';

type WorkStateRecord = components['schemas']['WorkState'];

export function ItemState({ kind, id, onLeave }: { kind: ItemKind; id: number; onLeave: (action: WorkAction) => void }) {
  const { api } = useApp();
  const work = useAsync(() => api.json<WorkStateRecord>('GET', `/api/${kind}s/${id}/work/`), [api, kind, id]);
  if (!work.data) return null;
  return (
    <section data-testid="item-state">
      <h2>This {kind} <span className={`state-badge state-${work.data.state}`}>{STATE_LABELS[work.data.state]}</span></h2>
      {work.data.reason && <p className="muted small">“{work.data.reason}”</p>}
      <WorkActions kind={kind} id={id} state={work.data.state} onDone={(action) => (action === 'reopen' || action === 'unflag' ? work.reload() : onLeave(action))} />
    </section>
  );
}
