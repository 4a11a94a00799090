// Earlier exports of a project, newest first: format and options, the job's state and progress (or
// its message when it failed), size, counts and a download button.
import { isFinalJob } from '../../core/api';
import type { ExportRecord } from '../../core/apiTypes';
import { errorMessage } from '../../core/apiErrors';
import { useApp } from '../appContext';
import { JobBar } from '../JobBar';
import { downloadExport, formatLabel, sizeLabel } from './exportsApi';

function optionsLabel(record: ExportRecord): string {
  const o = record.options;
  const parts = [o.include_all ? 'everything' : 'kept only'];
  if (o.frames) parts.push('with frames');
  if (record.format === 'coco') parts.push(o.uncategorised ? `uncategorised as “${o.uncategorised}”` : 'uncategorised left out');
  return parts.join(', ');
}

export function ExportHistory({ exports, onError }: { exports: ExportRecord[]; onError: (message: string) => void }) {
  const { api } = useApp();
  if (exports.length === 0) return <p className="muted" data-testid="no-exports">No exports yet. Choose a format above and start one.</p>;
  return (
    <table className="table" data-testid="export-history">
      <thead><tr><th>When</th><th>Format</th><th>Options</th><th>Status</th><th>Size</th><th>Items</th><th /></tr></thead>
      <tbody>
        {exports.map((record) => (
          <tr key={record.id} data-testid={`export-${record.id}`} data-state={record.job.state}>
            <td>{new Date(record.created_at).toLocaleString()}</td>
            <td>{formatLabel(record.format)}</td>
            <td className="small">{optionsLabel(record)}</td>
            <td>
              {isFinalJob(record.job) ? <span className={`status job-state-${record.job.state}`}>{record.job.state}</span> : <JobBar job={record.job} />}
              {record.job.state === 'failed' && <div className="form-error small">{record.job.message}</div>}
            </td>
            <td>{record.download_url ? sizeLabel(record.size_bytes) : '—'}</td>
            <td>{record.download_url ? record.item_count : '—'}</td>
            <td>
              {record.download_url && (
                <button type="button" onClick={() => downloadExport(api, record).catch((e: unknown) => onError(errorMessage(e)))}>
                  Download
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
