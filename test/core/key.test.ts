/** The key a value is assigned to, across the syntaxes config and code use. */
import { describe, expect, it } from 'vitest';
import { extractKey } from '../../src/core/structure/key.js';

const keyOf = (before: string, after = '') => extractKey(before, before + after)?.key ?? null;

describe('extractKey', () => {
  it.each([
    ['POSTMARK_SERVER_TOKEN=', 'POSTMARK_SERVER_TOKEN'],
    ['export POSTMARK_API_KEY="', 'POSTMARK_API_KEY'],
    ['  POSTMARK_API_TOKEN: ', 'POSTMARK_API_TOKEN'],
    ['      - POSTMARK_API_TOKEN=', 'POSTMARK_API_TOKEN'],
    ['    "ServerToken": "', 'ServerToken'],
    ["        'token' => '", 'token'],
    ['token := "', 'token'],
    ['POSTMARK_API_TOKEN ?= ', 'POSTMARK_API_TOKEN'],
    ['Environment="POSTMARK_SERVER_TOKEN=', 'POSTMARK_SERVER_TOKEN'],
    ['$env:POSTMARK_API_TOKEN = "', 'POSTMARK_API_TOKEN'],
    ['$mail->Username = \'', 'Username'],
    ['req["X-Postmark-Server-Token"] = "', 'X-Postmark-Server-Token'],
    ['  -H "X-Postmark-Server-Token: ', 'X-Postmark-Server-Token'],
    ['  delivery_method Mail::Postmark, :api_token => "', 'api_token'],
    ['heroku config:set POSTMARK_API_TOKEN=', 'POSTMARK_API_TOKEN'],
  ])('reads an operator assignment: %s', (before, key) => {
    expect(keyOf(before)).toBe(key);
  });

  it.each([
    ['ENV POSTMARK_API_TOKEN ', 'POSTMARK_API_TOKEN'],
    ['ARG POSTMARK_KEY ', 'POSTMARK_KEY'],
    ['SetEnv POSTMARK_API_TOKEN ', 'POSTMARK_API_TOKEN'],
    ['set -gx POSTMARK_API_TOKEN ', 'POSTMARK_API_TOKEN'],
    ['setx POSTMARK_API_KEY "', 'POSTMARK_API_KEY'],
    ['gh secret set POSTMARK_TOKEN --body "', 'POSTMARK_TOKEN'],
    ['aws ssm put-parameter --name /x --value ', 'value'],
    ['postmark servers list --server-token ', 'server-token'],
    ['machine smtp.postmarkapp.com login ', 'login'],
    ['user           ', 'user'],
  ])('reads a key written without an operator: %s', (before, key) => {
    expect(keyOf(before)).toBe(key);
  });

  it.each([
    ['export const POSTMARK_SERVER_TOKEN: string = "', 'POSTMARK_SERVER_TOKEN'],
    ['POSTMARK_API_TOKEN: Final[str] = "', 'POSTMARK_API_TOKEN'],
    ['var postmarkToken string = "', 'postmarkToken'],
    ["const POSTMARK_TOKEN: &'static str = \"", 'POSTMARK_TOKEN'],
    ['val postmarkToken: String = "', 'postmarkToken'],
  ])('skips a declared type between name and value: %s', (before, key) => {
    expect(keyOf(before)).toBe(key);
  });

  it.each([
    ['debug: POSTMARK_SERVER_TOKEN=', 'POSTMARK_SERVER_TOKEN'],
    ['fix(mail): POSTMARK_API_KEY=', 'POSTMARK_API_KEY'],
    ['env: POSTMARK_SERVER_TOKEN=', 'POSTMARK_SERVER_TOKEN'],
    ['- POSTMARK_SERVER_TOKEN=', 'POSTMARK_SERVER_TOKEN'],
    ['- **POSTMARK_SERVER_TOKEN**: ', 'POSTMARK_SERVER_TOKEN'],
    ['Set POSTMARK_SERVER_TOKEN=', 'POSTMARK_SERVER_TOKEN'],
  ])('reads the key after other text on its line: %s', (before, key) => {
    expect(keyOf(before)).toBe(key);
  });

  it('keeps both readings of `label: NAME="` (a typed declaration or a labelled assignment)', () => {
    expect(extractKey('run: POSTMARK_SERVER_TOKEN="', '')).toEqual({ key: 'run', path: 'run', also: 'POSTMARK_SERVER_TOKEN' });
    expect(extractKey('token: string = "', '')).toEqual({ key: 'token', path: 'token', also: 'string' });
  });

  it('takes the name of a name/value pair on the same line', () => {
    expect(keyOf('<add key="PostmarkServerToken" value="')).toBe('PostmarkServerToken');
    expect(keyOf('<env name="POSTMARK_TOKEN" value="')).toBe('POSTMARK_TOKEN');
    expect(keyOf('{ "name": "POSTMARK_SERVER_TOKEN", "value": "', '" }')).toBe('POSTMARK_SERVER_TOKEN');
  });

  it('reads call-argument keys and list values', () => {
    expect(keyOf('http.DefaultRequestHeaders.Add("X-Postmark-Server-Token", "')).toBe('X-Postmark-Server-Token');
    expect(keyOf('monkeypatch.setenv("POSTMARK_SERVER_TOKEN", "')).toBe('POSTMARK_SERVER_TOKEN');
    expect(keyOf('{"ID":1,"ApiTokens":["')).toBe('ApiTokens');
    expect(keyOf('<ServerToken>')).toBe('ServerToken');
  });

  it('keeps the dotted path of the key', () => {
    expect(extractKey('postmark.server-token=', '')).toEqual({ key: 'server-token', path: 'postmark.server-token' });
    expect(extractKey('Postmark__ServerToken: "', '')).toEqual({ key: 'ServerToken', path: 'Postmark.ServerToken' });
    expect(extractKey('Postmark.api_token = \'', '')).toEqual({ key: 'api_token', path: 'Postmark.api_token' });
  });

  it('finds no key where the value is not assigned', () => {
    expect(keyOf('INFO postmark sent message ')).toBe(null);
    expect(keyOf('Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "Postmark", "Postmark.csproj", "{')).toBe(null);
  });

  const infoOf = (before: string) => {
    const k = extractKey(before, before);
    return k ? [k.key, k.also ?? null] : null;
  };

  it.each([
    ['| POSTMARK_SERVER_TOKEN | ', ['POSTMARK_SERVER_TOKEN', null]],
    ['| `POSTMARK_SERVER_TOKEN` | `', ['POSTMARK_SERVER_TOKEN', null]],
    ['| `postmark_server_token` | Server token for staging | `', ['postmark_server_token', null]],
    ['| Server Token | ', ['Token', 'Server_Token']],
  ])('reads a Markdown table cell: %s', (before, info) => {
    expect(infoOf(before)).toEqual(info);
  });

  it.each([
    ['- **SMTP User**: ', ['User', 'SMTP_User']],
    ['- **SMTP Password:** ', ['Password', 'SMTP_Password']],
    ['* **Secret Key**: ', ['Key', 'Secret_Key']],
    ['SMTP User: ', ['User', 'SMTP_User']],
    ['1. `Server API Token`: ', ['Token', 'Server_API_Token']],
    ['  password: ', ['password', null]],
    ['We asked the support team about the user: ', ['user', null]],
  ])('reads a label of words as a whole: %s', (before, info) => {
    expect(infoOf(before)).toEqual(info);
  });

  it.each([
    ['For staging, the POSTMARK_SERVER_TOKEN is ', ['POSTMARK_SERVER_TOKEN', 'the_POSTMARK_SERVER_TOKEN']],
    ['Set your server token to `', ['token', 'server_token']],
    ['POSTMARK_API_KEY was ', ['POSTMARK_API_KEY', null]],
  ])('reads a key named in a sentence: %s', (before, info) => {
    expect(infoOf(before)).toEqual(info);
  });

  it('reads only the end of a very long line', () => {
    expect(keyOf(`${'x'.repeat(250)} TOKEN=`)).toBe('TOKEN');
    expect(keyOf(`${'a'.repeat(5000)}=`)).not.toBe(null);
  });
});
