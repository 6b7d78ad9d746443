/** A webhook refused a notification, or could not be reached. */
export class WebhookError extends Error {}

/**
 * Posts JSON to a webhook: the one place notifications touch the network. The URL is a secret
 * (it carries the channel's key), so it never appears in an error.
 */
export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new WebhookError(
      `the webhook at ${new URL(url).host} could not be reached (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message})`,
    );
  }
  await response.body?.cancel();
  if (!response.ok) throw new WebhookError(`the webhook at ${new URL(url).host} answered HTTP ${response.status}`);
}
