import type { PlatformProfile } from '../config/profile.js';
import type { Layout } from '../core/layout.js';
import type { Logger } from '../core/logger.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { MediaRepository } from '../media/media.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';

/** What a stage may touch. Tests hand in real repositories on a temporary root, or fakes. */
export interface StageContext {
  readonly layout: Layout;
  readonly profile: PlatformProfile;
  readonly storage: StorageRepository;
  readonly media: MediaRepository;
  readonly creatives: CreativeRepository;
  readonly log: Logger;
  /** Aborted on shutdown: long work (ffmpeg, hashing) stops and the step resumes on the next start. */
  readonly signal: AbortSignal;
}
