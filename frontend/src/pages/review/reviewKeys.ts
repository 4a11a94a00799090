// Which focused elements keep the review page's letter keys: text fields and selects (typing), but
// not the frame scrubber (a range input), so A / R work while it has the focus.
import { isTextField } from '../../core/keymap';

export function isReviewTyping(target: EventTarget | null): boolean {
  return isTextField(target) || (target as HTMLElement | null)?.tagName === 'SELECT';
}
