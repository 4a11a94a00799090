// The top bar's link to "Sent back to me", with the count of rejected items (refreshed on navigation
// and every minute).
import { useEffect, useState } from 'react';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { myRejections } from './reviewApi';
import { badgeText } from './sentBack';

export function SentBackBadge() {
  const { api, user } = useApp();
  const [count, setCount] = useState<number | null>(null);
  const path = typeof window !== 'undefined' ? window.location.pathname : '';
  useEffect(() => {
    if (!user) return;
    let live = true;
    const load = () => myRejections(api).then((page) => { if (live) setCount(page.count); }).catch(() => undefined);
    void load();
    const timer = window.setInterval(load, 60_000);
    return () => { live = false; window.clearInterval(timer); };
  }, [api, user, path]);
  const text = badgeText(count);
  return (
    <Link to={{ page: 'sentBack' }} className="topbar-link">
      Sent back to me{text && <span className="count-badge" data-testid="sent-back-badge">{text}</span>}
    </Link>
  );
}
