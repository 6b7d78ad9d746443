/**
 * Credentials inside free text (an error's message, a platform's answer, a URL someone mistyped),
 * replaced before the text leaves the process: the log, notifications, the dashboard, `status`,
 * the reports. The log's redaction by key is in `logger.ts`; this is its part for texts.
 */

const CENSOR = '[redacted]';

/** A name whose value is a credential, as a query, form or cookie field: `access_token`, `api_key`, `sessionid`… */
const SECRET_NAME = String.raw`[\w.-]*?(?:token|secret|passw(?:or)?d|pwd|(?:api|access|secret|private)[-_]?key|apikey|session(?:[-_]?id)?|sessid|sid|signature|auth)`;
/** The same as a JSON key, where headers and credentials are spelled out too. */
const SECRET_JSON_KEY = String.raw`[\w.-]*?(?:token|secret|passw(?:or)?d|pwd|(?:api|access|secret|private)[-_]?key|apikey|session(?:[-_]?id)?|cookie|authori[sz]ation|credentials?)`;

/** Each pattern keeps its first group (the name, the scheme) and loses what follows it. */
const PATTERNS: readonly RegExp[] = [
  // `Authorization: Basic …`, `Cookie: a=b; c=d`, `Set-Cookie: …`, `X-Api-Key: …`: the rest of the header line.
  /((?<![\w-])(?:proxy-)?authorization\s*:\s*|(?<![\w-])(?:set-)?cookie\s*:\s*|(?<![\w-])x-[\w-]*(?:token|key|secret|auth)[\w-]*\s*:\s*)[^\r\n"]+/gi,
  // `?access_token=…`, `&password=…`, `#id_token=…`, `sessionid=…` in a cookie or a form.
  new RegExp(String.raw`((?<![\w.-])${SECRET_NAME}=)[^&\s"'<>;,]+`, 'gi'),
  // `"api_token": "…"` in a JSON body quoted into a message.
  new RegExp(String.raw`("${SECRET_JSON_KEY}"\s*:\s*")(?:[^"\\]|\\.)*`, 'gi'),
  // `https://user:password@host`: the user stays, the password goes.
  /(\b[a-z][a-z\d+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]*(?=@)/gi,
  // Webhook URLs carry their channel's key in the path.
  /(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[^\s"'<>]+/gi,
  /(discord(?:app)?\.com\/api\/webhooks\/\d+\/)[^\s"'<>/?]+/gi,
  /(\.webhook\.office\.com\/)[^\s"'<>]+/gi,
  // A bearer token in text.
  /(\bBearer\s+)[\w.~+/=-]+/gi,
];

/** `Basic` then base64 of `user:password`: only what decodes to a pair goes, so "Basic settings" stays. */
const BASIC = /(\bBasic\s+)([A-Za-z\d+/]{4,}={0,2})(?![\w+/=])/gi;

/** The text with every credential it carries replaced by `[redacted]`. */
export function redactText(text: string): string {
  let out = text;
  for (const pattern of PATTERNS) out = out.replace(pattern, (_match, kept: string) => `${kept}${CENSOR}`);
  return out.replace(BASIC, (match, scheme: string, encoded: string) =>
    encoded.length % 4 === 0 && Buffer.from(encoded, 'base64').toString('latin1').includes(':')
      ? `${scheme}${CENSOR}`
      : match,
  );
}
