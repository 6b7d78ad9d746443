import { randomBytes } from 'node:crypto';

/** Session tokens from `POST /v2/login`, each dying `ttl` seconds after it was issued (not after its last use). */
export class ExoSessions {
  private readonly issued = new Map<string, number>();

  constructor(private readonly ttlSeconds: () => number) {}

  open(): string {
    const token = `exo-sim-${randomBytes(16).toString('hex')}`;
    this.issued.set(token, Date.now());
    return token;
  }

  /** ExoClick ends every session at once (a struck 'session-expired'): each token in use answers 401 from now on. */
  endAll(): void {
    this.issued.clear();
  }

  /** Whether an `Authorization` header carries a live session token. */
  alive(authorization: string | undefined): boolean {
    const [scheme, token] = (authorization ?? '').trim().split(/\s+/);
    if (scheme?.toLowerCase() !== 'bearer' || !token) return false;
    const at = this.issued.get(token);
    if (at === undefined) return false;
    if (Date.now() - at > this.ttlSeconds() * 1000) {
      this.issued.delete(token);
      return false;
    }
    return true;
  }
}
