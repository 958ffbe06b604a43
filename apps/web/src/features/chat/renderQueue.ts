/**
 * Work run one piece per task, newest first, so that the browser handles input and paints between pieces.
 *
 * Rendering a long message as Markdown can take a good part of a second (a hostile one, built of the costliest
 * constructs, a second or two): a history page of fifty of them, rendered in one go, would freeze the page for a
 * minute. Queued here, each takes its own task. Newest first: the newest messages are the ones on screen.
 */
export interface RenderQueue {
  /** Queues `job`; the function returned takes it off the queue if it has not run yet. */
  enqueue(job: () => void): () => void;
}

export function createRenderQueue(
  schedule: (run: () => void) => void = (run) => {
    setTimeout(run, 0);
  },
): RenderQueue {
  const stack: Array<{ job: () => void }> = [];
  let scheduled = false;

  const runOne = () => {
    scheduled = false;
    const entry = stack.pop();
    // Scheduled before the job runs, so that a job that throws does not stall the rest.
    if (stack.length > 0) {
      scheduled = true;
      schedule(runOne);
    }
    entry?.job();
  };

  return {
    enqueue(job) {
      const entry = { job };
      stack.push(entry);
      if (!scheduled) {
        scheduled = true;
        schedule(runOne);
      }
      return () => {
        const index = stack.indexOf(entry);
        if (index >= 0) stack.splice(index, 1);
      };
    },
  };
}

/** The queue of message bodies waiting to be rendered as Markdown. */
export const renderQueue = createRenderQueue();
