import { invalidateAll } from '$app/navigation';
import { failureOf } from '../../api/client';
import { hydration } from '../../forms/hydrated.svelte';

/**
 * The outcome of a document page (a purchase order, a transfer): its state changes
 * (send, approve, cancel, close) and the forms below it report here, the server's
 * refusal as it words it; after a change the page reloads the document.
 * Create it while the page initialises (it waits for hydration).
 */
export class DocumentActions {
  readonly #hydrated = hydration();
  busy = $state(false);
  failure = $state<string | null>(null);
  done = $state<string | null>(null);

  /** Buttons may be pressed: the page runs in the browser and no change is under way. */
  get idle(): boolean {
    return this.#hydrated.done && !this.busy;
  }

  /** Runs one state change; `what` is said when it went through. */
  async run(what: string, call: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.failure = null;
    this.done = null;
    try {
      await call();
      this.done = what;
      await invalidateAll();
    } catch (err) {
      this.failure = failureOf(err).message;
    } finally {
      this.busy = false;
    }
  }

  /** A form's success (it reloads the page itself). */
  report = (message: string): void => {
    this.failure = null;
    this.done = message;
  };
}
