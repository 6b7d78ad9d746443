import type { ActivityBus } from '../core/events.js';
import { fileName } from '../core/files.js';
import { platformCredential, platformName } from '../core/platform.js';
import { chat, joinChat, type ChatText } from './chat-text.js';
import type { Notifier } from './notifier.js';

/**
 * What people hear about, from what the product announces: TJ waiting for a person, a file
 * that failed for good, creatives TJ rejected, the daily report. Never a secret: names, counts and
 * plain reasons only. `where` says which machine and root speaks. Every name, reason and platform
 * word is a value of {@link chat}: escaped for each chat (no `@everyone`, no link of its own) and
 * without credentials.
 */
/** Failed upload passes in a row that make a notice. */
export const FAILED_PASSES_NOTICE = 3;

export function notifyOnEvents(events: ActivityBus, notifier: Notifier, where: string): void {
  const say = (key: string, text: ChatText): void =>
    notifier.notify({ key, text: joinChat(chat`creative-flow (${where}): `, text) });
  events.on('platform', (platform, status) => {
    const name = platformName(platform);
    // TJ signs in through a browser, where a person may be asked for; the others open with their credential alone.
    if (platform !== 'tj') {
      const credential = platformCredential(platform);
      say(
        `password-refused:${platform}`,
        chat`${name} refused ${credential.what}. Uploads to ${name} wait until ${credential.key} is fixed in .env; the other platforms go on.`,
      );
    } else if (status.state === 'password-refused')
      say(
        'password-refused',
        chat`TJ refused the password. Uploads wait until TJ_PASSWORD is fixed in .env (or \`creative-flow login\` succeeds).`,
      );
    else
      say(
        'login-required',
        chat`TJ needs a person to sign in (${status.message}). Run \`creative-flow login\` on the machine; uploads resume on their own.`,
      );
  });
  events.on('creative', (record, message) => {
    const name = fileName(record.source.path);
    if (record.state === 'failed')
      say(
        `failed:${record.key}`,
        chat`${name} failed for good: ${record.reason ?? message}. \`creative-flow process --once\` or the dashboard's "Retry failed" tries it again.`,
      );
    const refusals = (record.outputs ?? []).flatMap((output) =>
      Object.entries(output.uploads ?? {}).flatMap(([platform, upload]) =>
        upload.status === 'rejected'
          ? [chat`${platformName(platform)} rejected ${fileName(output.path)}: ${upload.message ?? 'no reason given'}`]
          : [],
      ),
    );
    if (record.state === 'rejected' && refusals.length > 0)
      say(
        `rejected:${record.key}`,
        joinChat(
          refusals.reduce((all, refusal) => joinChat(joinChat(all, chat`; `), refusal)),
          chat`.`,
        ),
      );
  });
  events.on('browserRestarted', () =>
    say(
      'browser-restarted',
      chat`the browser working on TJ went away (a crash, or killed); a new one took over, and nothing is sent twice. If this repeats, check the machine's memory.`,
    ),
  );
  events.on('passFailed', (inARow, message) => {
    // One failed pass is often a blip the next one covers; three in a row need a person.
    if (inARow >= FAILED_PASSES_NOTICE)
      say(
        'passes-failing',
        chat`upload passes keep failing (${inARow} in a row); the last said: ${message}. Staged files wait in uploaded/; \`creative-flow status\` shows the errors.`,
      );
  });
  events.on('report', (report) => {
    const counts = Object.entries(report.counts)
      .map(([label, n]) => `${label} ${n}`)
      .join(', ');
    say(`report:${report.date}`, chat`daily report for ${report.date}: ${counts}.`);
  });
}
