import { describe, expect, it } from 'vitest';
import { redactText } from './redact.js';

describe('redactText', () => {
  it('takes out tokens in queries, fragments and forms, cookies, Basic and Bearer credentials, URL passwords and webhook keys', () => {
    const basic = Buffer.from('demo:basic-secret').toString('base64');
    const cases: [string, string][] = [
      [
        'GET https://api.example.test/me?access_token=tok-secret&page=2 failed',
        'GET https://api.example.test/me?access_token=[redacted]&page=2 failed',
      ],
      [
        'redirected to https://app.test/cb#id_token=idt-secret',
        'redirected to https://app.test/cb#id_token=[redacted]',
      ],
      ['form sent: username=demo&password=pw-secret', 'form sent: username=demo&password=[redacted]'],
      ['the answer set sessionid=sid-secret; Path=/', 'the answer set sessionid=[redacted]; Path=/'],
      ['sent Cookie: tj_session=cookie-secret; other=1', 'sent Cookie: [redacted]'],
      ['got Set-Cookie: sid=set-secret; HttpOnly', 'got Set-Cookie: [redacted]'],
      [`sent Authorization: Basic ${basic}`, 'sent Authorization: [redacted]'],
      [`a header Basic ${basic} in text`, 'a header Basic [redacted] in text'],
      ['with Bearer bearer-secret', 'with Bearer [redacted]'],
      ['X-Api-Key: key-secret', 'X-Api-Key: [redacted]'],
      // TJ's reporting API takes its key in the query, first or later.
      [
        'GET https://api.trafficjunky.com/api/campaigns.json?api_key=tj-secret&limit=500',
        'GET https://api.trafficjunky.com/api/campaigns.json?api_key=[redacted]&limit=500',
      ],
      [
        'GET /api/ads/1/stats/one.json?startDate=01/03/2026&endDate=01/03/2026&api_key=tj-secret',
        'GET /api/ads/1/stats/one.json?startDate=01/03/2026&endDate=01/03/2026&api_key=[redacted]',
      ],
      ['TJ_API_KEY=tj-secret apiKey=tj-secret', 'TJ_API_KEY=[redacted] apiKey=[redacted]'],
      [
        'proxy https://demo:url-secret@proxy.test:8080/ refused',
        'proxy https://demo:[redacted]@proxy.test:8080/ refused',
      ],
      ['body {"access_token": "json-secret", "id": 4}', 'body {"access_token": "[redacted]", "id": 4}'],
      [
        'https://hooks.slack.com/services/T000/B000/slack-secret answered 404',
        'https://hooks.slack.com/services/[redacted] answered 404',
      ],
      [
        'https://discord.com/api/webhooks/123456/discord-secret answered 404',
        'https://discord.com/api/webhooks/123456/[redacted] answered 404',
      ],
    ];
    for (const [text, redacted] of cases) expect(redactText(text), text).toBe(redacted);
  });

  it('leaves plain words, ports, ids and hosts alone', () => {
    for (const text of [
      'Basic settings were kept',
      'http://127.0.0.1:4790/api/status answered 503',
      'author=Jane, key=ID-12',
      'TJ refused the password. Fix TJ_PASSWORD in .env',
      'cookie jar is empty',
    ]) {
      expect(redactText(text)).toBe(text);
    }
  });
});
