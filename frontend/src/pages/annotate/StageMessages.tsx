// What an annotator says over its picture: a short notice that goes by itself, and an error to dismiss.
export function StageMessages({ notice, error, onDismiss, noticeClass = '' }: {
  notice: string | null; error: string | null; onDismiss: () => void; noticeClass?: string;
}) {
  return (
    <>
      {notice && <div className={`stage-chip notice-chip ${noticeClass}`.trim()} role="status" data-testid="notice">{notice}</div>}
      {error && (
        <div className="banner banner-error stage-error" role="alert">
          {error}
          <button type="button" className="link-button" onClick={onDismiss}>dismiss</button>
        </div>
      )}
    </>
  );
}
