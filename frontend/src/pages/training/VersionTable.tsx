// A project's model versions: status, parent, the gate figure of the candidate and of the model
// serving when it was trained, and Promote for managers.
import type { ModelVersion } from '../../core/apiTypes';
import { when } from './RoundCard';
import { formatFigure } from './series';

export function VersionTable({ versions, gateMetric, manager, busy, onPromote }: {
  versions: ModelVersion[]; gateMetric?: string; manager: boolean; busy: boolean; onPromote: (v: ModelVersion) => void;
}) {
  if (versions.length === 0) return <p className="muted small">No trained versions yet: the project uses the deployment's default model.</p>;
  const gate = gateMetric ?? 'NoC@90';
  return (
    <table className="table versions-table" data-testid="model-versions">
      <thead>
        <tr>
          <th>Version</th><th>Status</th><th>Parent</th><th className="num">{gate} candidate</th><th className="num">{gate} serving then</th>
          <th className="num">Masks</th><th>Created</th><th>Promoted</th><th />
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.id} data-testid="model-version" data-status={v.status}>
            <td><code>{v.version}</code></td>
            <td><span className={`badge version-${v.status}`}>{v.status}</span></td>
            <td className="small">{v.parent_version ? <code>{v.parent_version}</code> : '—'}</td>
            <td className="num">{formatFigure(gate, v.metrics?.candidate?.[gate])}</td>
            <td className="num">{formatFigure(gate, v.metrics?.parent?.[gate])}</td>
            <td className="num">{typeof v.snapshot?.masks === 'number' ? v.snapshot.masks : '—'}</td>
            <td className="small">{when(v.created_at)}</td>
            <td className="small">{when(v.promoted_at)}</td>
            <td>
              {manager && v.status !== 'active' && (
                <button type="button" onClick={() => onPromote(v)} disabled={busy}>Promote</button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
