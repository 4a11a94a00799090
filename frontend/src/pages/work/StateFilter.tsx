// The states of a work list as toggles with the project's count in each; none pressed: every item.
import type { StateCounts, WorkState } from '../../core/apiTypes';
import { STATE_LABELS, STATES, toggleState } from '../../core/work';

export function StateFilter({ counts, states, onChange }: { counts: StateCounts | null; states: WorkState[]; onChange: (states: WorkState[]) => void }) {
  const total = counts ? STATES.reduce((sum, s) => sum + counts[s], 0) : null;
  return (
    <div className="filters" role="group" aria-label="Show items in these states" data-testid="state-filter">
      <button type="button" className={states.length === 0 ? 'primary' : ''} aria-pressed={states.length === 0} onClick={() => onChange([])}>
        All{total !== null ? ` (${total})` : ''}
      </button>
      {STATES.map((state) => (
        <button
          key={state} type="button" data-state={state} className={states.includes(state) ? 'primary' : ''} aria-pressed={states.includes(state)}
          onClick={() => onChange(toggleState(states, state))}
        >
          {STATE_LABELS[state]}{counts ? ` (${counts[state]})` : ''}
        </button>
      ))}
    </div>
  );
}
