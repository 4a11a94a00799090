// The reason box of a rejection: required (the annotator reads it), sent with the button or
// Ctrl+Enter; Escape closes it.
import { useEffect, useRef, useState } from 'react';
import { decisionError } from './queue';

export function RejectBox({ onSend, onCancel, busy }: { onSend: (reason: string) => void; onCancel: () => void; busy: boolean }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => { ref.current?.focus(); }, []);
  const send = () => {
    const problem = decisionError('reject', reason);
    setError(problem);
    if (!problem) onSend(reason.trim());
  };
  return (
    <div className="review-reject" data-testid="reject-box">
      <label htmlFor="reject-reason" className="section-title">Why is it rejected? The annotator reads this.</label>
      <textarea id="reject-reason" name="reason" ref={ref} rows={3} value={reason}
        onChange={(e) => { setReason(e.target.value); setError(null); }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(); }
          if (e.key === 'Escape') { e.preventDefault(); onCancel(); }
        }} />
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="actions">
        <button type="button" className="danger" onClick={send} disabled={busy}>Send rejection</button>
        <button type="button" onClick={onCancel}>Cancel</button>
        <span className="muted small">Ctrl+Enter sends, Esc cancels</span>
      </div>
    </div>
  );
}
