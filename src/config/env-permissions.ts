import type { StorageRepository } from '../store/storage.repository.js';
import { dotEnvPath } from './config.js';

/**
 * What to tell a person when the root's `.env` (the TJ password, the API token, the webhook URL)
 * can be read or changed by other users of the machine; undefined when only its owner can.
 * Windows keeps no such bits: nothing to say there.
 */
export async function dotEnvExposure(
  root: string,
  storage: Pick<StorageRepository, 'permissions'>,
  platform: NodeJS.Platform = process.platform,
): Promise<string | undefined> {
  if (platform === 'win32') return undefined;
  const file = dotEnvPath(root);
  const mode = await storage.permissions(file);
  if (mode === undefined || (mode & 0o077) === 0) return undefined;
  return `${file} holds the TJ password and API tokens, and other users of this machine can ${mode & 0o022 ? 'read or change' : 'read'} it (mode ${mode.toString(8).padStart(3, '0')}). Make it yours alone: chmod 600 ${file}`;
}
