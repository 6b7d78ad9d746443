import type { Logger } from '../../core/logger.js';
import type { StorageRepository } from '../../store/storage.repository.js';
import type { CheckLine } from '../check-line.js';
import { CredentialsRefusedError } from '../uploader.js';
import { EXO } from './endpoints.js';
import { ExoUploader, type ExoConnection } from './exo-uploader.js';

/**
 * ExoClick's part of `creative-flow check`, creating nothing: the API token logs in, each library
 * type lists, and, for a campaign, which variation-creating call the account answers.
 */
export async function checkExo(connection: ExoConnection, deps: { storage: StorageRepository; log: Logger }, options: { campaignId?: string | undefined } = {}): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const line = (name: string, result: CheckLine['result'], detail: string, selector = ''): void => void lines.push({ name, selector, result, detail });
  let uploader: ExoUploader;
  try {
    uploader = await ExoUploader.open(connection, deps);
    line('exoclick.login', 'ok', `the API token logs in at ${connection.apiUrl}`, `POST ${EXO.login}`);
  } catch (error) {
    line('exoclick.login', 'failed', error instanceof CredentialsRefusedError ? error.plain : `ExoClick cannot be reached: ${(error as Error).message}`, `POST ${EXO.login}`);
    return lines;
  }
  try {
    const cards = await uploader.listAll(1);
    const counts = [...new Set(Object.values(connection.fileTypes))].map((type) => `${cards.filter((card) => card.creativeType === type).length} ${type}`);
    line('exoclick.library', 'ok', `the library lists (first pages: ${counts.join(', ')})`, `GET ${EXO.libraryFile}`);
  } catch (error) {
    line('exoclick.library', 'failed', `the library does not list: ${(error as Error).message}`, `GET ${EXO.libraryFile}`);
  }
  if (options.campaignId === undefined) {
    line('exoclick.variations', 'skipped', 'no ExoClick campaign to look at: give --campaign ID, or a row with platform exoclick in tracking/campaign_mapping.csv');
    return lines;
  }
  try {
    const shape = await uploader.variationShape(options.campaignId);
    const route = shape === 'json' ? `PUT ${EXO.variationsJson(options.campaignId)}` : shape === 'multipart' ? `POST ${EXO.variationMultipart(options.campaignId)}` : '';
    line('exoclick.variations', shape ? 'ok' : 'failed', shape ? `campaign ${options.campaignId} takes variations as ${shape === 'json' ? 'a JSON array (newer clients)' : 'one multipart form each (older clients)'}` : `campaign ${options.campaignId} answers neither way of creating variations`, route);
  } catch (error) {
    line('exoclick.variations', 'failed', `campaign ${options.campaignId}: ${(error as Error).message}`);
  }
  await uploader.close();
  return lines;
}
