/**
 * What the simulator counts of the requests that reached it, for `/_sim/state`: what a test asserts
 * to show a client neither sent a file twice nor ignored a limit.
 */
export interface ExoCounters {
  /** Upload requests per file name, kept or not. */
  readonly uploads: Map<string, number>;
  /** Upload requests per sha256 of the bytes, kept or not. */
  readonly uploadsByHash: Map<string, number>;
  /** Uploads whose name and bytes were both already kept: each one a file sent twice. */
  readonly resent: Map<string, number>;
  readonly logins: { accepted: number; refused: number };
  /** Faults served. `firewall` also counts the pages served to bare clients. */
  readonly faults: { serverErrors: number; dropped: number; firewall: number; rateLimited: number };
  /** Variation-creating requests that created at least one variation (dropped ones too). */
  variationCreates: number;
}

export function newCounters(): ExoCounters {
  return {
    uploads: new Map(),
    uploadsByHash: new Map(),
    resent: new Map(),
    logins: { accepted: 0, refused: 0 },
    faults: { serverErrors: 0, dropped: 0, firewall: 0, rateLimited: 0 },
    variationCreates: 0,
  };
}

export function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
