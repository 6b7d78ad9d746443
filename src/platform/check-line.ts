/** One line of `creative-flow check`: what was looked at, and what was found. */
export interface CheckLine {
  readonly name: string;
  readonly selector: string;
  /**
   * `failed`: a selector or text of the contract is missing; `note`: a hint is (flows do without
   * it); `skipped`: it shows only when something would be written (an upload, a wrong password).
   */
  readonly result: 'ok' | 'failed' | 'note' | 'skipped';
  readonly detail: string;
  readonly screenshot?: string;
}
