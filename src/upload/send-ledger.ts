/**
 * The one rule for every resend, kept in one place: a file goes to a platform a second time only
 * once a listing read since its last send, in the listing it was sent to, shows its name absent.
 * A send that got no answer, a read-back cut short by a dead session, a crash: each leaves a file
 * that may be on the platform, and only a read of its listing can say it is not.
 */
export class SendLedger {
  /** Sends per name since this ledger began. */
  private readonly sends = new Map<string, number>();
  /** Names a listing read since their last send showed absent. */
  private readonly absent = new Set<string>();

  /** A listing read since the name's last send does not show it: it may go again, once. */
  shownAbsent(name: string): void {
    this.absent.add(name);
  }

  /** Whether a file sent before may go again: its name shown absent since its last send. */
  mayResend(name: string): boolean {
    return this.absent.has(name);
  }

  /** The names are about to be sent: from now on each needs a new read before it goes again. */
  sent(names: readonly string[]): void {
    for (const name of names) {
      this.sends.set(name, (this.sends.get(name) ?? 0) + 1);
      this.absent.delete(name);
    }
  }

  /** Sends per name so far: more than one is a resend, each made after a read showed the name absent. */
  get counts(): ReadonlyMap<string, number> {
    return this.sends;
  }

  /** Sends after a file's first, in all. */
  get resends(): number {
    let again = 0;
    for (const count of this.sends.values()) again += count - 1;
    return again;
  }
}
