// The video's prompts go to the server one after the other, in the order they were made (a click,
// then a brushed mask, then a propagation...): each is sent once the server has accepted the one
// before it (the server numbers them and the session's worker applies them in that order, so the
// page need not wait for one's masks before sending the next), its own job is followed with the
// masks it writes merged as they come, and the save state says where things are.
import type { Job, MaskletsAnswer, VideoPromptRequest, VideoSessionRecord } from '../../core/apiTypes';
import type { VideoSessionClient } from './sessionClient';

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
  private pending = 0;

  constructor(private readonly host: PromptQueueHost) {}

  /** Resolves once the server has accepted (or refused) every prompt queued so far: an operation
   * sent after that is applied after them. */
  accepted(): Promise<unknown> {
    return this.acceptedChain;
  }

  /** Sends a prompt once the ones before it are accepted, follows its job and reads the masks it wrote. */
  send(prompt: VideoPromptRequest, doneNotice?: string): Promise<void> {
    const session = this.host.session();
    if (!session) return Promise.resolve();
    this.pending++;
    this.host.saveState('saving');
    const sent = this.acceptedChain.then(() => this.host.client.addPrompt(session.id, prompt));
    this.acceptedChain = sent.catch(() => undefined);
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
