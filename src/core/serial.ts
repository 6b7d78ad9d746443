// Running tasks one at a time, in the order they were asked for: the one mutex of the code.

/**
 * Tasks run one at a time, in the order they were asked for: each starts once every one asked
 * before it has settled, fulfilled or rejected. A rejection goes to its own caller and never
 * stops the tasks after it.
 *
 * A task never starts inside {@link run} itself, always on a later turn of the microtask queue:
 * a caller may keep what `run` returned (to let later callers join it) before the task starts.
 * p-queue starts an idle queue's task at once, which is why this is not p-queue.
 */
export class Serial {
  /** Settles when the last task asked for has: never rejects. */
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  /** Runs `task` after every task asked for before it; resolves or rejects as the task does. */
  run<T>(task: () => T | PromiseLike<T>): Promise<T> {
    this.waiting += 1;
    const done = (): void => {
      this.waiting -= 1;
    };
    const run = this.tail.then(() => task());
    this.tail = run.then(done, done);
    return run;
  }

  /** Resolves once every task asked for so far has settled (how, it does not say). */
  settled(): Promise<void> {
    return this.tail;
  }

  /** Whether no task runs or waits. */
  get idle(): boolean {
    return this.waiting === 0;
  }
}

/**
 * A {@link Serial} for each key (a file's path): tasks of one key run one at a time, in order;
 * tasks of different keys do not wait for each other. A key's queue is forgotten once it is idle,
 * so keys come and go without the map growing.
 */
export class SerialByKey<K> {
  private readonly lanes = new Map<K, Serial>();

  /** Runs `task` after every task of `key` asked for before it; resolves or rejects as the task does. */
  run<T>(key: K, task: () => T | PromiseLike<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = new Serial();
      this.lanes.set(key, lane);
    }
    const serial = lane;
    const run = serial.run(task);
    const forget = (): void => {
      if (serial.idle && this.lanes.get(key) === serial) this.lanes.delete(key);
    };
    void run.then(forget, forget);
    return run;
  }

  /** Keys with a task running or waiting. */
  get size(): number {
    return this.lanes.size;
  }
}
