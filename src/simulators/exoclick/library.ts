import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { json } from '../http.js';
import { bump, type ExoCounters } from './counters.js';
import { dropAfterKeeping, serveFaultBeforeKeeping, type FaultPlan } from './faults.js';
import type { ExoSimulatorOptions } from './options.js';
import type { RateLimiter } from './rate-limit.js';
import { fail, formBody, jsonBody, isRecord, pageOf, pagingOf } from './request.js';

export const FILE_TYPES = ['image', 'video', 'video_banner'] as const;
export type ExoFileType = (typeof FILE_TYPES)[number];

/**
 * What `status` means. The contract only says it is an integer: this mapping is the simulator's
 * own guess, not ExoClick's. A file is in review when uploaded; `setStatus` plays the review.
 */
export const FILE_STATUS = { inReview: 0, approved: 1, rejected: 2 } as const;

/** A kept file. The simulator keeps no bytes: only what the file object and the tests need. */
export interface ExoFile {
  readonly id: number;
  readonly name: string;
  readonly type: ExoFileType;
  readonly extension: string;
  readonly md5: string;
  readonly sha256: string;
  readonly size: number;
  status: number;
}

/**
 * The media library: uploads (never refusing the same bytes twice, as the contract says ExoClick
 * does not), the list a type at a time, and landing-page URLs. Ids start far apart per kind, so a
 * client that passes a URL's id as a file's is refused rather than lucky.
 */
export class ExoLibrary {
  private readonly files: ExoFile[] = [];
  private readonly urls = new Map<number, string>();
  private nextFileId = 700_001;
  private nextUrlId = 300_001;

  constructor(
    private readonly options: () => ExoSimulatorOptions,
    private readonly counters: ExoCounters,
    private readonly limiter: RateLimiter,
    private readonly faults: FaultPlan,
  ) {}

  get all(): readonly ExoFile[] {
    return this.files;
  }

  file(id: number): ExoFile | undefined {
    return this.files.find((file) => file.id === id);
  }

  url(id: number): string | undefined {
    return this.urls.get(id);
  }

  setStatus(fileId: number, status: number): void {
    const file = this.file(fileId);
    if (!file) throw new Error(`The simulator has no file ${fileId}.`);
    file.status = status;
  }

  /** The file object as the API answers it. */
  answer(file: ExoFile): Record<string, unknown> {
    return {
      id: file.id,
      type: file.type,
      // The simulator decodes nothing: dimensions and duration are unknown, 0.
      width: 0,
      height: 0,
      duration: 0,
      file_hash_original: this.options().fileHash === 'md5' ? file.md5 : file.sha256,
      file_extension: file.extension,
      file_name: file.name,
      file_size_original: file.size,
      // Not served: `.invalid` says so.
      url: `https://static.exoclick.invalid/library/${file.id}.${file.extension}`,
      status: file.status,
      is_archived: false,
      is_adult: true,
    };
  }

  /**
   * `POST /v2/library/file`. Order: the body (415/400), its fields (422, not counted), then the
   * request counts, then its planned or random fate, then the content review (422), then the file
   * is kept, and answered unless its fate is to be dropped.
   */
  async upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await formBody(req, res);
    if (!form) return;
    const upload = form.get('file');
    const type = form.get('type');
    if (!(upload instanceof File) || upload.name === '')
      return fail(res, 422, 'The field "file" must hold a file with its file name.');
    if (!FILE_TYPES.includes(type as ExoFileType))
      return fail(res, 422, `The field "type" must be one of ${FILE_TYPES.join(', ')}.`);
    const bytes = Buffer.from(await upload.arrayBuffer());
    const md5 = createHash('md5').update(bytes).digest('hex');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    bump(this.counters.uploads, upload.name);
    bump(this.counters.uploadsByHash, sha256);
    if (this.files.some((file) => file.name === upload.name && file.sha256 === sha256))
      bump(this.counters.resent, upload.name);

    const fate = this.faults.next();
    if (serveFaultBeforeKeeping(res, fate, this.counters, this.limiter)) return;
    const { rejectPattern } = this.options();
    if (rejectPattern !== undefined && new RegExp(rejectPattern).test(upload.name)) {
      return fail(res, 422, `The file "${upload.name}" was refused: it does not meet the content guidelines.`);
    }
    const file: ExoFile = {
      id: this.nextFileId++,
      name: upload.name,
      type: type as ExoFileType,
      extension: path.extname(upload.name).slice(1).toLowerCase(),
      md5,
      sha256,
      size: bytes.length,
      status: FILE_STATUS.inReview,
    };
    this.files.push(file);
    if (fate === 'dropped-after-kept') return dropAfterKeeping(res, this.counters);
    json(res, 200, this.answer(file));
  }

  /** `GET /v2/library/file?type=…&orderBy=a:id&limit=N&offset=M`: one page of one type. */
  list(res: ServerResponse, url: URL): void {
    const type = url.searchParams.get('type');
    if (!type) return fail(res, 400, 'The parameter "type" is required.');
    if (!FILE_TYPES.includes(type as ExoFileType))
      return fail(res, 400, `The parameter "type" must be one of ${FILE_TYPES.join(', ')}.`);
    const paging = pagingOf(url, res, 'a:id');
    if (!paging) return;
    json(res, 200, {
      result: pageOf(
        this.files.filter((file) => file.type === type),
        paging,
      ).map((file) => this.answer(file)),
    });
  }

  /** `POST /v2/library/url` `{url}`: a new id each time (the contract is silent on repeats), answered in the shape the options pick. */
  async registerUrl(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await jsonBody(req, res);
    if (!body) return;
    const url = isRecord(body.value) ? body.value.url : undefined;
    if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+/i.test(url))
      return fail(res, 422, 'The field "url" must be an http(s) URL.');
    const id = this.nextUrlId++;
    this.urls.set(id, url);
    const answer = { id, url };
    json(res, 200, this.options().urlResultShape === 'array' ? [answer] : answer);
  }
}
