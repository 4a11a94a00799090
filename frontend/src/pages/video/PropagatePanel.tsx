// Propagation from the current frame: all objects or the selected one, forward, backward or both;
// the running job's progress with Cancel. Frames a person made stay as they are.
import type { VideoController, VideoView } from './VideoController';

export function PropagatePanel({ view, controller }: { view: VideoView; controller: VideoController }) {
  const { propagation, selectedObj: selected } = view;
  const serverObjects = view.objects.filter((o) => !o.local).length;
  return (
    <section className="propagate">
      <h2>Propagate from frame {view.frame}</h2>
      <div className="propagate-buttons">
        <button type="button" className="primary" disabled={!!propagation || serverObjects === 0} onClick={() => void controller.propagate('forward', 'all')} data-testid="propagate-forward">Forward ▶</button>
        <button type="button" disabled={!!propagation || serverObjects === 0} onClick={() => void controller.propagate('backward', 'all')} data-testid="propagate-backward">◀ Backward</button>
        <button type="button" disabled={!!propagation || serverObjects === 0} onClick={() => void controller.propagate('both', 'all')} data-testid="propagate-both">Both ◀▶</button>
      </div>
      <div className="propagate-selected">
        <span className="muted small">Selected only:</span>
        {(['forward', 'backward', 'both'] as const).map((direction) => (
          <button
            key={direction} type="button" className="small-button"
            disabled={!!propagation || selected === null || !!controller.store.get(selected)?.local}
            onClick={() => void controller.propagate(direction, 'selected')}
          >
            {direction}
          </button>
        ))}
      </div>
      {propagation && (
        <div className="propagation" role="status" data-testid="propagation">
          <div className="progress">
            <div className="progress-bar" style={{ width: `${Math.round(propagation.job.progress * 100)}%` }} />
            <span className="progress-label">
              {propagation.cancelling ? 'cancelling…' : `${propagation.direction} · ${propagation.job.state} ${Math.round(propagation.job.progress * 100)}%`}
            </span>
          </div>
          <button type="button" className="danger" onClick={() => void controller.cancelPropagation()} disabled={propagation.cancelling || propagation.job.id === null} data-testid="cancel-propagation">Cancel</button>
        </div>
      )}
      {propagation?.job.message && <p className="muted small propagation-message">{propagation.job.message}</p>}
      <p className="muted small">Frames a person made (◆ in the timeline) are kept when propagating.</p>
    </section>
  );
}
