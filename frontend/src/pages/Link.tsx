// An <a> with a real href (open in a new tab works) that navigates in-app on a plain click.
import type { ReactNode } from 'react';
import { routePath, type Route } from '../core/route';
import { useApp } from './appContext';

export function Link({ to, children, className }: { to: Route; children: ReactNode; className?: string }) {
  const { navigate } = useApp();
  return (
    <a
      href={routePath(to)}
      className={className}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
