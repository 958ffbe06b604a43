import { describe, expect, it } from 'vitest';
import { createRenderQueue } from './renderQueue';

/** A queue whose tasks the test runs by hand. */
function manualQueue() {
  const tasks: Array<() => void> = [];
  const queue = createRenderQueue((run) => tasks.push(run));
  const runTask = () => tasks.shift()?.();
  return { queue, tasks, runTask };
}

describe('createRenderQueue', () => {
  it('runs one job per task, the newest first', () => {
    const { queue, tasks, runTask } = manualQueue();
    const ran: number[] = [];
    for (const n of [1, 2, 3]) queue.enqueue(() => ran.push(n));
    expect(tasks).toHaveLength(1);
    runTask();
    expect(ran).toEqual([3]);
    runTask();
    expect(ran).toEqual([3, 2]);
    runTask();
    expect(ran).toEqual([3, 2, 1]);
    expect(tasks).toHaveLength(0);
  });

  it('drops a cancelled job', () => {
    const { queue, runTask } = manualQueue();
    const ran: number[] = [];
    queue.enqueue(() => ran.push(1));
    const cancel = queue.enqueue(() => ran.push(2));
    cancel();
    cancel();
    runTask();
    runTask();
    expect(ran).toEqual([1]);
  });

  it('goes on after a job that throws', () => {
    const { queue, runTask } = manualQueue();
    const ran: number[] = [];
    queue.enqueue(() => ran.push(1));
    queue.enqueue(() => {
      throw new Error('boom');
    });
    expect(runTask).toThrow('boom');
    runTask();
    expect(ran).toEqual([1]);
  });

  it('schedules again for jobs queued after it ran dry', () => {
    const { queue, tasks, runTask } = manualQueue();
    const ran: number[] = [];
    queue.enqueue(() => ran.push(1));
    runTask();
    queue.enqueue(() => ran.push(2));
    expect(tasks).toHaveLength(1);
    runTask();
    expect(ran).toEqual([1, 2]);
  });
});
