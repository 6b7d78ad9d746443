declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';

  /** pino-roll's options (https://github.com/mcollina/pino-roll): the file, when it rolls, and how many are kept. */
  export interface PinoRollOptions {
    readonly file: string;
    readonly size?: string | number;
    readonly frequency?: 'daily' | 'hourly' | number;
    readonly mkdir?: boolean;
    readonly symlink?: boolean;
    readonly limit?: { readonly count?: number; readonly removeOtherLogFiles?: boolean };
  }

  export default function pinoRoll(
    options: PinoRollOptions,
  ): Promise<DestinationStream & { end(): void; flushSync(): void }>;
}
