// What to do with the selected items: set their category, accept them, or reject them with a reason.
import { useState } from 'react';
import type { Category } from '../../core/apiTypes';
import type { BulkAction } from './bulkApi';

export function BulkBar({ count, categories, busy, onRun, onClear }: {
  count: number; categories: Category[]; busy: boolean;
  onRun: (action: BulkAction, extra: { category?: number | null; reason?: string }) => void; onClear: () => void;
}) {
  const [category, setCategory] = useState<string>(categories[0] ? String(categories[0].id) : '');
  const [reason, setReason] = useState('');
  const none = count === 0 || busy;
  return (
    <div className="bulk-bar" data-testid="bulk-bar">
      <strong>{count} selected</strong>
      <select aria-label="Category for the selection" value={category} onChange={(e) => setCategory(e.target.value)} name="bulk-category">
        <option value="">(no category)</option>
        {categories.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
      </select>
      <button type="button" disabled={none} onClick={() => onRun('categorise', { category: category === '' ? null : Number(category) })}>Set category</button>
      <button type="button" disabled={none} onClick={() => onRun('accept', {})}>Accept</button>
      <input aria-label="Reason to reject" placeholder="Reason (for reject)" value={reason} onChange={(e) => setReason(e.target.value)} name="bulk-reason" maxLength={2000} />
      <button type="button" disabled={none} onClick={() => onRun('reject', { reason })}>Reject</button>
      <button type="button" className="link-button" disabled={count === 0} onClick={onClear}>Clear selection</button>
    </div>
  );
}
