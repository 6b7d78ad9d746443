import { CreativeFlowError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { StorageRepository } from '../../store/storage.repository.js';
import type { CheckLine } from '../check-line.js';
import { CredentialsRefusedError } from '../uploader.js';
import { EXO } from './endpoints.js';
import { ExoUploader, type ExoConnection } from './exo-uploader.js';

/**
 * ExoClick's part of `creative-flow check`: the login and reads only (GET), so nothing it sends
 * can change the account. The API token logs in, each library type lists, and a campaign reads.
 * Which call creates variations cannot be learnt without one: that line says so, and the first
 * real creation finds out (a POST, then a PUT if the POST's route does not exist).
 */
export async function checkExo(
  connection: ExoConnection,
  deps: { storage: StorageRepository; log: Logger },
  options: { campaignId?: string | undefined } = {},
): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const line = (name: string, result: CheckLine['result'], detail: string, selector = ''): void =>
    void lines.push({ name, selector, result, detail });
  let uploader: ExoUploader;
  try {
    uploader = await ExoUploader.open(connection, deps);
    line('exoclick.login', 'ok', `the API token logs in at ${connection.apiUrl}`, `POST ${EXO.login}`);
  } catch (error) {
    const plain =
      error instanceof CredentialsRefusedError
        ? error.plain
        : `ExoClick cannot be reached: ${error instanceof CreativeFlowError ? error.plain : (error as Error).message}`;
    line('exoclick.login', 'failed', plain, `POST ${EXO.login}`);
    return lines;
  }
  try {
    const cards = await uploader.listAll(1);
    const counts = [...new Set(Object.values(connection.fileTypes))].map(
      (type) => `${cards.filter((card) => card.creativeType === type).length} ${type}`,
    );
    line('exoclick.library', 'ok', `the library lists (first pages: ${counts.join(', ')})`, `GET ${EXO.libraryFile}`);
  } catch (error) {
    line(
      'exoclick.library',
      'failed',
      `the library does not list: ${(error as Error).message}`,
      `GET ${EXO.libraryFile}`,
    );
  }
  try {
    if (options.campaignId === undefined) {
      line(
        'exoclick.variations',
        'skipped',
        'no ExoClick campaign to look at: give --campaign ID, or a row with platform exoclick in tracking/campaign_mapping.csv',
      );
      return lines;
    }
    const id = options.campaignId;
    const campaign = await uploader.readCampaign(id);
    line(
      'exoclick.campaign',
      'ok',
      `campaign ${id} ("${campaign.name}") reads, with ${campaign.variations} variation(s)`,
      `GET ${EXO.campaign(id)}`,
    );
    line(
      'exoclick.variations',
      'skipped',
      `not verified: which call creates variations (a POST of one multipart form, or a PUT of the JSON list) shows only by creating one, and check changes nothing; the first ads created find out, trying POST ${EXO.variationMultipart(id)} and, if ExoClick has no such route (404, 405), PUT ${EXO.variationsJson(id)}`,
    );
  } catch (error) {
    line(
      'exoclick.campaign',
      'failed',
      `campaign ${options.campaignId ?? ''} does not read: ${(error as Error).message}`,
      `GET ${EXO.campaign(options.campaignId ?? '')}`,
    );
  } finally {
    await uploader.close();
  }
  return lines;
}
