import { mapLimited } from '../../core/map-limited.js';
import type { ExoCampaigns } from './campaigns.js';

/**
 * Which library file each campaign variation shows (`idvariation` → `idvariations_file`), from
 * every campaign's read: the join from a statistics row to our creative. A variation seen in an
 * earlier read keeps its file after it is deleted (ExoClick still reports it, and stops listing
 * it): that is what the API said of it, not a guess. One never seen is left unmapped.
 */
export class ExoVariationFiles {
  private readonly known = new Map<string, string>();
  /** Campaign reads so far (for the benchmark). */
  campaignsRead = 0;

  constructor(
    private readonly campaigns: ExoCampaigns,
    /** Campaign reads at once: each is one small GET, and a hundred one after the other add up their round trips. */
    private readonly concurrency = 4,
  ) {}

  /** Reads every campaign now; the map of every variation seen so far to its file id. Throws if any campaign cannot be read. */
  async refresh(signal?: AbortSignal): Promise<ReadonlyMap<string, string>> {
    const ids = await this.campaigns.listIds(signal);
    const reads = await mapLimited(ids, this.concurrency, (id) => this.campaigns.read(id, signal));
    this.campaignsRead += reads.length;
    // Kept only once every read has come back: a fetch that fails halfway changes nothing.
    for (const read of reads) {
      for (const variation of read.variations) {
        const file = variation.idvariations_file;
        if (file === undefined || file === null || String(file) === '') continue;
        this.known.set(String(variation.idvariation), String(file));
      }
    }
    return new Map(this.known);
  }
}
