import { baseName } from '../core/files.js';
import type { RootPath } from '../core/layout.js';
import type { CreativeKind } from '../core/record.js';
import type { CreativeIds } from '../platform/results-source.js';
import type { CreativeRepository } from '../store/creative.repository.js';

/** What the results name a creative by, and what they compare it within. */
export interface CreativeEntry {
  readonly uniqueId: string;
  /** As it shows on the platforms: its main output's name without the extension. */
  readonly name: string;
  readonly testId: string | undefined;
  readonly kind: CreativeKind | undefined;
  /** The record, for the report's thumbnail. */
  readonly key: string;
  /** A picture of it (the native thumbnail, the image), for thumbnails. */
  readonly picture: RootPath | undefined;
}

/**
 * Our creatives by their `ID-XXXXXXXX`, and by ExoClick library file id: the join from a
 * platform's ad or variation to a creative. Made in one walk of the database, on demand.
 */
export class CreativeDirectory implements CreativeIds {
  private constructor(
    private readonly byId: ReadonlyMap<string, CreativeEntry>,
    private readonly byExoFile: ReadonlyMap<string, string>,
  ) {}

  static async read(creatives: Pick<CreativeRepository, 'forEachSegment'>): Promise<CreativeDirectory> {
    const byId = new Map<string, CreativeEntry>();
    const byExoFile = new Map<string, string>();
    await creatives.forEachSegment((records) => {
      for (const record of records) {
        if (!record.naming || !record.outputs?.length) continue;
        const uniqueId = `ID-${record.naming.id}`;
        const outputs = record.outputs;
        const shown =
          outputs.find((output) => output.role === 'video') ??
          outputs.find((output) => output.role === 'creative') ??
          outputs[0];
        const picture =
          outputs.find((output) => output.role === 'image') ?? (record.kind === 'image' ? shown : undefined);
        // A re-drop of the same content shares the id: the first record keeps it.
        if (!byId.has(uniqueId)) {
          byId.set(uniqueId, {
            uniqueId,
            name: shown ? baseName(shown.path) : uniqueId,
            testId: record.naming.tokens.testId || undefined,
            kind: record.kind,
            key: record.key,
            picture: picture?.path,
          });
        }
        for (const output of outputs) {
          const exo = output.uploads?.exoclick?.creativeId;
          if (exo) byExoFile.set(exo, uniqueId);
        }
      }
    });
    return new CreativeDirectory(byId, byExoFile);
  }

  isOurs(uniqueId: string): boolean {
    return this.byId.has(uniqueId);
  }

  uniqueIdOfExoFile(fileId: string): string | undefined {
    return this.byExoFile.get(fileId);
  }

  entry(uniqueId: string): CreativeEntry | undefined {
    return this.byId.get(uniqueId);
  }
}
