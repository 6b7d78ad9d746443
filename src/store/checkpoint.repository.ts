import type { Checkpoint } from '../core/campaigns.js';
import type { Layout } from '../core/layout.js';
import { DatabaseFileError, unreadable } from './durable-json-file.js';
import type { StorageRepository } from './storage.repository.js';

const RUN_FILE = /^run_\d{8}_\d{6}(?:_\d+)?\.json$/;

/**
 * Campaign checkpoints in `data/checkpoints/`: whole files written atomically (flushed, then
 * renamed), readable by this user only, as they name the account's campaigns.
 */
export class CheckpointRepository {
  constructor(
    private readonly layout: Pick<Layout, 'checkpointsDir' | 'checkpointFile'>,
    private readonly storage: StorageRepository,
  ) {}

  async read(name: string): Promise<Checkpoint | undefined> {
    const file = this.layout.checkpointFile(name);
    let text: string | undefined;
    try {
      text = await this.storage.readText(file);
    } catch (error) {
      throw unreadable(file, error);
    }
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as Checkpoint;
    } catch (error) {
      throw new DatabaseFileError(`The checkpoint ${file} is not valid JSON`, {
        hint: 'It was damaged outside creative-flow. Move it away (a run then carries on from the one before it), or start over with --fresh.',
        cause: error,
      });
    }
  }

  async write(checkpoint: Checkpoint): Promise<void> {
    await this.storage.ensureDir(this.layout.checkpointsDir, 0o700);
    await this.storage.writeFileAtomic(
      this.layout.checkpointFile(checkpoint.name),
      `${JSON.stringify(checkpoint, null, 1)}\n`,
      { mode: 0o600 },
    );
  }

  /** The names of the `campaigns create` runs' checkpoints, oldest first. */
  async runs(): Promise<string[]> {
    return (await this.storage.list(this.layout.checkpointsDir))
      .filter((name) => RUN_FILE.test(name))
      .sort()
      .map((name) => name.replace(/\.json$/, ''));
  }
}
