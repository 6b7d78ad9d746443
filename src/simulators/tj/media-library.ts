import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { MediaRepository } from '../../media/media.repository.js';
import type { StorageRepository } from '../../store/storage.repository.js';
import { html, json, readForm } from '../http.js';
import { TABS, type SimLibrary, type Tab } from './library.js';
import type { SimulatorOptions } from './options.js';
import { gridFragment } from './pages.js';
import { markupVariant } from './variants.js';

/** What the simulator received, for `/_sim/state`: every upload request counts, kept or not. */
export interface SimCounters {
  /** Upload requests per name (without extension). */
  readonly uploads: Map<string, number>;
  /** Requests that sent a name TJ had already kept: each one an upload sent twice. */
  readonly resent: Map<string, number>;
  /** The faults served, by kind: each one an upload whose answer said nothing of the file. */
  readonly faults: { serverErrors: number; proxyErrors: number; dropped: number };
  signIns: number;
}

const PROXY_ERROR_PAGE =
  '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';

/** The Media Library's grid and upload endpoints, with TJ's rules and the faults the options ask for. */
export class MediaLibraryRoutes {
  /** Upload requests answered so far: the place in the fault plan. */
  private served = 0;

  constructor(
    private readonly library: SimLibrary,
    private readonly media: MediaRepository,
    private readonly storage: StorageRepository,
    private readonly uploadsDir: string,
    private readonly counters: SimCounters,
    private readonly options: () => SimulatorOptions,
    private readonly random: () => number,
  ) {}

  /** One page of one tab (and native sub-type), a moment later, as the page's script fetches it. */
  async grid(res: ServerResponse, url: URL, alive: boolean): Promise<void> {
    if (!alive)
      return json(res, this.options().deadSessionStatus, { error: 'Your session has expired. Please log in again.' });
    const options = this.options();
    const variant = markupVariant(options.variant);
    const delayMs = options.gridDelayMs ?? variant.gridDelayMs;
    if (delayMs > 0) await delay(delayMs);
    const tab: Tab = TABS.find((candidate) => candidate === url.searchParams.get('tab')) ?? 'native';
    const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
    const nativeType = url.searchParams.get('type') === '1' ? 1 : 0;
    const listing = this.library.page(tab, nativeType, page, options.perPage);
    json(
      res,
      200,
      gridFragment({
        tab,
        nativeType,
        page,
        pages: listing.pages,
        creatives: listing.creatives,
        markupChange: options.markupChange,
        variant,
      }),
    );
  }

  /**
   * An upload. TJ's own refusals are 4xx with a message about the file; faults are a 500 with no
   * body, a proxy's 502 page, or a connection dropped after TJ kept the file. A name TJ already
   * has is refused without a word: 200, and no new card.
   */
  async upload(req: IncomingMessage, res: ServerResponse, alive: boolean): Promise<void> {
    if (!alive)
      return json(res, this.options().deadSessionStatus, { error: 'Your session has expired. Please log in again.' });
    const options = this.options();
    const form = await readForm(req);
    const file = form.get('file');
    if (!(file instanceof File)) return json(res, 400, { error: 'No file received' });
    const ext = path.extname(file.name);
    const name = file.name.slice(0, file.name.length - ext.length);
    this.counters.uploads.set(name, (this.counters.uploads.get(name) ?? 0) + 1);
    if (this.library.hasName(name)) this.counters.resent.set(name, (this.counters.resent.get(name) ?? 0) + 1);
    const planned = options.faultPlan[this.served];
    this.served += 1;
    const fate =
      planned ??
      (this.random() < options.errorRate
        ? 'server-error'
        : this.random() < options.proxyErrorRate
          ? 'proxy-error'
          : this.random() < options.dropRate
            ? 'drop'
            : 'ok');
    if (fate === 'server-error') {
      this.counters.faults.serverErrors += 1;
      return void res.writeHead(500).end();
    }
    if (fate === 'proxy-error') {
      this.counters.faults.proxyErrors += 1;
      return html(res, 502, PROXY_ERROR_PAGE);
    }
    const tab: Tab = TABS.find((candidate) => candidate === form.get('tab')) ?? 'native';
    const nativeType = form.get('native_type') === '1' ? 1 : 0;
    const bytes = Buffer.from(await file.arrayBuffer());
    if (options.processingMs > 0) await delay(options.processingMs);

    if (this.library.hasName(name)) return json(res, 200, { ok: true });
    if (options.rejectPattern && new RegExp(options.rejectPattern).test(name))
      return json(res, 422, { error: 'Creative rejected: it does not meet the content guidelines.' });
    const rejection = await this.checkRules(bytes, ext, tab, nativeType);
    if (typeof rejection === 'string') return json(res, 422, { error: rejection });
    this.library.add({
      name,
      fileType: ext.toLowerCase(),
      dimensions: rejection.dimensions,
      tab,
      nativeType,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      uploadDate: new Date().toISOString().slice(0, 10),
    });
    // A dropped connection after TJ kept the file: the case a retry must check the library for. It
    // breaks off mid-answer: a browser resends a request whose connection closed before any answer.
    if (fate === 'drop') {
      this.counters.faults.dropped += 1;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '64' });
      res.write('{"ok"', () => res.socket?.destroy());
      return;
    }
    return json(res, 200, { ok: true });
  }

  /** TJ's known limits; returns the reason for a refusal, or what the card shows. */
  private async checkRules(
    bytes: Buffer,
    ext: string,
    tab: Tab,
    nativeType: 0 | 1,
  ): Promise<string | { dimensions: string }> {
    if (tab === 'native' && nativeType === 0 && bytes.length > 300_000)
      return `File is too big (${bytes.length} bytes). Max filesize: 300000 bytes.`;
    const file = path.join(this.uploadsDir, `${Date.now()}-${Math.random().toString(36).slice(2)}${ext}`);
    await this.storage.writeScratchFile(file, bytes);
    try {
      // A still is read by its decoder: ffprobe here reads video containers only, as the daemon's does.
      if (/^\.(png|jpe?g|gif|webp)$/i.test(ext)) {
        const image = await this.media.imageMetadata(file).catch(() => undefined);
        return image?.width && image.height
          ? { dimensions: `${image.width}x${image.height}` }
          : 'The file could not be read as an image or a video.';
      }
      const probed = await this.media.probe(file).catch(() => undefined);
      const video = probed?.streams.find((stream) => stream.type === 'video');
      if (!probed || !video) return 'The file could not be read as an image or a video.';
      const seconds = probed.durationSec ?? 0;
      if (tab === 'in_stream_video' && (seconds < 5 || seconds > 31))
        return `Video duration must be between 5 and 31 seconds (this one is ${seconds.toFixed(1)} s).`;
      return { dimensions: `${video.width}x${video.height}` };
    } finally {
      await this.storage.remove(file);
    }
  }
}
