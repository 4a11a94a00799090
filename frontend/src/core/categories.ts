// A project's categories as the annotators use them: stepping through them with C / Shift+C, and the
// colour a mask of a category is drawn in.
import type { Category } from './apiTypes';

/** Masks without a category (or of an unknown one) are drawn in this blue. */
export const NO_CATEGORY_COLOR = '#1e90ff';

/** The category after (step 1) or before (-1) `current`, wrapping; from none, the first or the last. */
export function stepCategory(categories: Pick<Category, 'id'>[], current: number | null, step: 1 | -1): number | null {
  if (!categories.length) return null;
  const at = categories.findIndex((c) => c.id === current);
  const index = at < 0 ? (step > 0 ? 0 : categories.length - 1) : (at + step + categories.length) % categories.length;
  return categories[index].id;
}

export function categoryColor(categories: Category[], id: number | null): string {
  return categories.find((c) => c.id === id)?.color || NO_CATEGORY_COLOR;
}
