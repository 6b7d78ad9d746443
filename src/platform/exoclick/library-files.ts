import { fileName } from '../../core/files.js';
import type { StorageRepository } from '../../store/storage.repository.js';
import type { UploadFile } from '../uploader.js';
import { EXO, exoName, type ExoFile, type ExoFileType } from './endpoints.js';
import type { ExoTransport } from './transport.js';

/** A file we send, with the hashes ExoClick's `file_hash_original` may hold (which one is unsure). */
export interface HashedFile extends UploadFile {
  readonly md5: string;
  readonly sha256: string;
}

/**
 * ExoClick's media library: upload, list, and find a file by its name and its bytes. ExoClick
 * keeps a second copy of bytes sent twice, so a file is found before anything is sent again.
 */
export class LibraryFiles {
  /** Pages of the library read so far. */
  pagesRead = 0;
  /** By type: how many files the walks so far have seen, where the next look-up starts. */
  private readonly tail = new Map<ExoFileType, number>();

  constructor(
    private readonly transport: ExoTransport,
    private readonly storage: StorageRepository,
  ) {}

  async hashed(file: UploadFile): Promise<HashedFile> {
    return { ...file, ...(await this.storage.hashFileTwice(file.path)) };
  }

  /** Sends one file; the answer is the file object ExoClick made. */
  async upload(file: UploadFile, type: ExoFileType): Promise<ExoFile> {
    const form = new FormData();
    form.set('type', type);
    form.set('file', await this.storage.openAsBlob(file.path), fileName(file.path));
    return this.transport.call<ExoFile>('POST', EXO.libraryFile, { form });
  }

  /** One page of a type's files, ids ascending. */
  async page(type: ExoFileType, offset: number, limit: number = EXO.pageSize): Promise<ExoFile[]> {
    this.pagesRead += 1;
    const answer = await this.transport.call<{ result?: ExoFile[] | Record<string, ExoFile> }>('GET', EXO.libraryFile, {
      query: { type, orderBy: 'a:id', limit, offset },
      idempotent: true,
    });
    return resultList(answer.result);
  }

  /**
   * A type's files from `offset`, reading at most `maxPages` pages. The offset moves by what each
   * page held and the walk ends on an empty page, so an API that caps `limit` below ours is still
   * read through.
   */
  async list(type: ExoFileType, maxPages: number, offset = 0): Promise<ExoFile[]> {
    const files: ExoFile[] = [];
    for (let page = 0, at = offset; page < maxPages; page += 1) {
      const batch = await this.page(type, at);
      if (batch.length === 0) break;
      files.push(...batch);
      at += batch.length;
    }
    this.tail.set(type, Math.max(this.tail.get(type) ?? 0, offset + files.length));
    return files;
  }

  /**
   * The library's copy of each file: same name and same bytes (MD5 or SHA-256). A name alone is
   * not enough (ExoClick allows two files of one name), nor are bytes alone (a re-drop under a new
   * name is another creative). The oldest copy wins.
   *
   * The listing runs oldest first, and a copy kept after a fault is among the newest, so the walk
   * starts a page before where the last walk of this type ended (a page of slack for files deleted
   * since) and reads to the end; a fresh process reads the whole type once.
   */
  async find(type: ExoFileType, files: readonly HashedFile[]): Promise<Map<string, ExoFile>> {
    const found = new Map<string, ExoFile>();
    if (files.length === 0) return found;
    const from = Math.max(0, (this.tail.get(type) ?? 0) - EXO.pageSize);
    for (const file of await this.list(type, Number.MAX_SAFE_INTEGER, from)) {
      const ours = files.find((candidate) => candidate.name === exoName(file) && sameBytes(candidate, file));
      if (ours && !found.has(ours.name)) found.set(ours.name, file);
    }
    return found;
  }
}

export function sameBytes(file: HashedFile, exo: ExoFile): boolean {
  const hash = exo.file_hash_original?.toLowerCase();
  return hash === file.md5 || hash === file.sha256;
}

/** `result` as a list, whether the answer gives an array or an object keyed by id. */
export function resultList<T>(result: T[] | Record<string, T> | undefined): T[] {
  if (!result) return [];
  return Array.isArray(result) ? result : Object.values(result);
}
