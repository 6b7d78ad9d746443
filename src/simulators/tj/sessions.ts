import { randomBytes } from 'node:crypto';

/** Server-side sessions that die after a stretch of inactivity, as TJ's do. */
export class SimSessions {
  private readonly lastSeen = new Map<string, number>();
  private readonly toured = new Set<string>();

  constructor(private readonly idleMs: number) {}

  open(): string {
    const id = randomBytes(16).toString('hex');
    this.lastSeen.set(id, Date.now());
    return id;
  }

  /** Whether the session is alive; a live one is kept alive by this touch. */
  touch(id: string | undefined): boolean {
    if (!id) return false;
    const seen = this.lastSeen.get(id);
    if (seen === undefined || Date.now() - seen > this.idleMs) {
      this.lastSeen.delete(id);
      return false;
    }
    this.lastSeen.set(id, Date.now());
    return true;
  }

  /** True the first time it is asked for a session: the product tour shows once a session. */
  firstTour(id: string | undefined): boolean {
    if (!id || this.toured.has(id)) return false;
    this.toured.add(id);
    return true;
  }

  /** Kills every session now: the forced expiry the tests use. */
  expireAll(): void {
    this.lastSeen.clear();
  }
}
