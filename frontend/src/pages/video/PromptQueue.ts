// The video's operations (a click, a brushed mask, a propagation...) go to the server in the order
// they were made: a request goes out once the server has accepted the one before it (the server
// numbers the operations and the session's worker applies them in that order, so the page need not
// wait for one's masks before sending the next), and what was made meanwhile goes together in the
// next request. Each prompt's own job is followed with the masks it writes merged as they come, and
// the save state says where things are.
import type { Job, MaskletsAnswer, PropagateDirection, VideoPromptRequest, VideoSessionRecord } from '../../core/apiTypes';
import type { VideoOperationRequest } from '../../core/videoApi';
import type { VideoSessionClient } from './sessionClient';

/** An operation as the page makes it. */
export type VideoOperation =
  | { op: 'prompt'; prompt: VideoPromptRequest }
  | { op: 'propagate'; start: number; direction: PropagateDirection; objIds?: number[] };

/** Operations that go out in one request; open (taking more) until the request before is accepted. */
interface Batch {
  operations: VideoOperation[];
  jobs: Promise<Job[]>;
}

export type SaveState = 'idle' | 'saving' | 'saved' | 'error';

export interface PromptQueueHost {
  readonly client: VideoSessionClient;
  session(): VideoSessionRecord | null;
  /** Where the prompts are: saving while any is queued; how many the server applied. */
  saveState(state: SaveState, message?: string): void;
  applied(): void;
  /** The prompt reached the server (a category it carried is no longer pending). */
  sent(prompt: VideoPromptRequest): void;
  failed(message: string): void;
  flash(notice: string): void;
  merge(answer: MaskletsAnswer, full: boolean): void;
  cursor(): string | null;
  alive(): boolean;
  describe(error: unknown): string;
}

export class PromptQueue {
  private chain: Promise<unknown> = Promise.resolve();
  private acceptedChain: Promise<unknown> = Promise.resolve();
  private open: Batch | null = null;
  private pending = 0;

  constructor(private readonly host: PromptQueueHost) {}

  /** Resolves once the server has accepted (or refused) every prompt queued so far: an operation
   * sent after that is applied after them. */
  accepted(): Promise<unknown> {
    return this.acceptedChain;
  }

  /** The operation's job once the server has accepted it. It goes out with the operations made
   * while the request before it was on its way, once that one is accepted; a refused request
   * refuses all of its operations (the server stores none of them) and does not hold back the next. */
  submit(sessionId: number, operation: VideoOperation): Promise<Job> {
    let batch = this.open;
    if (!batch) {
      const opened: Batch = { operations: [], jobs: Promise.resolve([]) };
      opened.jobs = this.acceptedChain.then(() => {
        if (this.open === opened) this.open = null; // what is made from now on waits for this request
        return this.request(sessionId, opened.operations);
      });
      this.acceptedChain = opened.jobs.catch(() => undefined);
      this.open = batch = opened;
    }
    const index = batch.operations.push(operation) - 1;
    return batch.jobs.then((jobs) => jobs[index]);
  }

  private async request(sessionId: number, operations: VideoOperation[]): Promise<Job[]> {
    const client = this.host.client;
    if (operations.length === 1) { // alone: the endpoint of its kind
      const [only] = operations;
      return [only.op === 'prompt'
        ? await client.addPrompt(sessionId, only.prompt)
        : await client.propagate(sessionId, only.start, only.direction, only.objIds)];
    }
    return client.operations(sessionId, operations.map(toRequest));
  }

  /** Sends a prompt after the ones before it, follows its job and reads the masks it wrote. */
  send(prompt: VideoPromptRequest, doneNotice?: string): Promise<void> {
    const session = this.host.session();
    if (!session) return Promise.resolve();
    this.pending++;
    this.host.saveState('saving');
    const sent = this.submit(session.id, { op: 'prompt', prompt });
    const run = async () => {
      try {
        const job = await sent;
        this.host.sent(prompt);
        const final = await this.follow(job);
        if (final.state !== 'succeeded') throw new Error(final.message || `the prompt job ${final.state}`);
        this.host.applied();
        if (doneNotice) this.host.flash(doneNotice);
        return true;
      } catch (error) {
        const message = this.host.describe(error);
        this.host.saveState('error', message);
        this.host.failed(`Could not apply the prompt: ${message}`);
        await this.refresh(true).catch(() => undefined);
        return false;
      }
    };
    const done = run(); // follows its own job while the next prompt goes out
    const next = this.chain.then(() => done);
    this.chain = next.catch(() => undefined);
    return next.then((ok) => {
      this.pending--;
      if (ok && this.pending === 0) this.host.saveState('saved');
    });
  }

  /** Follows a job; the frames it writes are merged as they come. */
  follow(job: Job, onProgress?: (job: Job) => void): Promise<Job> {
    return this.host.client.follow(job, {
      onProgress, onMasklets: (answer) => this.host.merge(answer, false), since: () => this.host.cursor(), alive: () => this.host.alive(),
    });
  }

  /** Reads the masklets (all of them with `full`, else those written since the last read). */
  async refresh(full: boolean): Promise<void> {
    this.host.merge(await this.host.client.masklets(full ? null : this.host.cursor()), full);
  }
}

function toRequest(operation: VideoOperation): VideoOperationRequest {
  if (operation.op === 'prompt') return { op: 'prompt', ...operation.prompt };
  const { start, direction, objIds } = operation;
  return { op: 'propagate', start, direction, ...(objIds?.length ? { obj_ids: objIds } : {}) };
}
