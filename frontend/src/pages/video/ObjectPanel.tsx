// The video's objects in the side panel: colour, category and what each is on this frame; the
// selected one gets its category choice and Remove (asked first: it goes from every frame).
import type { Category } from '../../core/apiTypes';
import { objectColor } from '../../core/video';
import type { VideoController, VideoView } from './VideoController';

function frameState(view: VideoView, controller: VideoController, objId: number, local: boolean): string {
  if (local) return 'new';
  const mask = controller.store.mask(objId, view.frame);
  if (!mask) return '—';
  return mask.area > 0 ? `${mask.area}px${mask.edited ? ' · edited' : ''}` : 'not visible';
}

export function ObjectPanel({ view, controller, categories }: { view: VideoView; controller: VideoController; categories: Category[] }) {
  const { objects, selectedObj: selected } = view;
  const list = controller.objects;
  return (
    <section className="video-objects">
      <div className="section-head">
        <h2>Objects ({objects.length})</h2>
        <span className="spacer" />
        <button type="button" onClick={() => list.add()} title="N" data-testid="add-object">+ Add object</button>
      </div>
      {objects.length === 0 && <p className="muted small">Click an object on the frame to start tracking it.</p>}
      <ul data-testid="objects">
        {objects.map((o) => {
          const categoryId = list.categoryOf(o.objId);
          return (
            <li key={o.objId} className={o.objId === selected ? 'selected' : ''} data-testid={`object-${o.objId}`}>
              <button type="button" className="mask-row" onClick={() => list.select(o.objId)} aria-pressed={o.objId === selected}>
                <span className="swatch" style={{ background: objectColor(o.objId) }} />
                <span className="mask-name">#{o.objId} {categories.find((c) => c.id === categoryId)?.name ?? 'no category'}</span>
                <span className="muted small">{frameState(view, controller, o.objId, o.local)}</span>
              </button>
              {o.objId === selected && (
                <div className="object-actions">
                  <select
                    aria-label="category" value={categoryId ?? ''}
                    onChange={(e) => { list.setCategory(o.objId, e.target.value === '' ? null : Number(e.target.value)); e.target.blur(); }}
                  >
                    <option value="">(no category)</option>
                    {categories.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                  </select>
                  <button type="button" className="danger" onClick={() => list.askRemove(o.objId)}>Remove</button>
                  {o.objId in view.pendingCategory && <p className="muted small">The category is stored with this object's next click or brushed mask.</p>}
                  {view.removing === o.objId && (
                    <div className="confirm" role="alertdialog" aria-label="remove object">
                      <p>Remove object #{o.objId} from every frame of the video?</p>
                      <div className="row">
                        <button type="button" className="danger" onClick={() => void list.confirmRemove()} data-testid="confirm-remove">Remove</button>
                        <button type="button" onClick={() => list.cancelRemove()}>Cancel</button>
                      </div>
                    </div>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
