// Previous / next links under a paginated list ("Page 2 of 5" when the count says how many).
import type { Page } from '../core/apiTypes';
import type { Route } from '../core/route';
import { Link } from './Link';

export function Pager({ page, pageNumber, to }: { page: Page<unknown> | null; pageNumber: number; to: (pageNumber: number) => Route }) {
  if (!page || (!page.next && !page.previous)) return null;
  const perPage = page.results.length;
  // The last page may be short: the size of a full one is the count over the pages before this one.
  const lastPage = page.next && perPage ? Math.ceil(page.count / perPage) : pageNumber;
  return (
    <div className="pager">
      {page.previous && <Link to={to(pageNumber - 1)}>← Previous</Link>}
      <span className="muted">Page {pageNumber} of {lastPage}</span>
      {page.next && <Link to={to(pageNumber + 1)}>Next →</Link>}
    </div>
  );
}
