/** What a site's scope holds: the structure around a value, lines away where it must be. */
import { describe, expect, it } from 'vitest';
import { Document } from '../../src/core/document.js';
import { enclosingBlocks, scalarMembers } from '../../src/core/structure/brackets.js';
import { Site } from '../../src/core/structure/site.js';

const VALUE = 'VALUE-0001';

function siteOf(text: string, marker = VALUE): Site {
  const start = text.indexOf(marker);
  if (start === -1) throw new Error('marker missing');
  return new Site(new Document(text), start, start + marker.length);
}

describe('scope', () => {
  it('holds the siblings of a YAML block, five lines away', () => {
    const s = siteOf(['mail:', '  smtp:', '    host: smtp.postmarkapp.com', '    port: 587', '    tls: true', '    auth: plain', `    password: ${VALUE}`].join('\n'));
    expect(s.scope).toContain('host: smtp.postmarkapp.com');
    expect(s.scope).toContain('  smtp:');
  });

  it("holds the parent's scalar siblings for a nested auth block (bracket and indentation)", () => {
    const text = ['const t = nodemailer.createTransport({', '  host: "smtp.postmarkapp.com",', '  port: 587,', '  auth: {', `    user: "${VALUE}",`, '  },', '});'].join('\n');
    expect(siteOf(text).scope).toContain('smtp.postmarkapp.com');
  });

  it('leaves out sibling members that open their own block', () => {
    const yaml = ['services:', '  postmark:', '    enabled: true', '  redis:', `    password: ${VALUE}`].join('\n');
    expect(siteOf(yaml).scope).not.toMatch(/postmark/);
    const json = `{ "mail": { "postmark": { "enabled": true }, "redis": { "password": "${VALUE}" } } }`;
    expect(siteOf(json).scope).not.toMatch(/postmark/);
  });

  it('does not lend top-level settings to a nested block', () => {
    const yaml = ['mailer: postmark', 'database:', `  password: ${VALUE}`].join('\n');
    expect(siteOf(yaml).scope).not.toContain('mailer: postmark');
    const json = `{\n  "mailer": "postmark",\n  "database": {\n    "password": "${VALUE}"\n  }\n}`;
    expect(siteOf(json).scope).not.toContain('"mailer"');
  });

  it('keeps list items apart', () => {
    const yaml = ['env:', '  - name: POSTMARK_SERVER_TOKEN', '    valueFrom: {}', '  - name: RELEASE_ID', `    value: ${VALUE}`].join('\n');
    const scope = siteOf(yaml).scope;
    expect(scope).toContain('RELEASE_ID');
    expect(scope).not.toContain('POSTMARK_SERVER_TOKEN');
  });

  it('ends a top-level paragraph at a blank line and ignores commands beside settings', () => {
    expect(siteOf(['MAIL_HOST=smtp.postmarkapp.com', '', `MAIL_PASSWORD=${VALUE}`].join('\n')).scope).not.toContain('postmarkapp');
    expect(siteOf(['MAIL_HOST=smtp.postmarkapp.com', `MAIL_PASSWORD=${VALUE}`].join('\n')).scope).toContain('postmarkapp');
    expect(siteOf(['aws ssm put-parameter --name /postmark/token --value x', `aws ssm put-parameter --name /id --value ${VALUE}`].join('\n')).scope).not.toContain('postmark');
  });

  it('holds the other items of a Markdown list of settings, and the line that introduces it', () => {
    const md = ['## Mail', '', '- **SMTP Host**: smtp.postmarkapp.com', '', '- **SMTP Port**: 587', `- **SMTP User**: ${VALUE}`, '', '## Other', '- **SMTP Host**: smtp.example.net'].join('\n');
    const scope = siteOf(md).scope;
    expect(scope).toContain('smtp.postmarkapp.com');
    expect(scope).toContain('## Mail');
    expect(scope).not.toContain('smtp.example.net');
    expect(siteOf(['* **Access Key:** PM-T-x', `* **Secret Key:** ${VALUE}`].join('\n')).scope).toContain('PM-T-x');
    expect(siteOf(['**SMTP Host**: smtp.postmarkapp.com', `**SMTP User**: ${VALUE}`].join('\n')).scope).toContain('postmarkapp');
  });

  it('keeps a list of Markdown settings apart from the list before a heading', () => {
    const md = ['- **SMTP Host**: smtp.postmarkapp.com', '', '## Old provider', `- **SMTP Password**: ${VALUE}`].join('\n');
    expect(siteOf(md).scope).not.toContain('postmarkapp');
  });

  it('holds the other rows of a Markdown table and the line above it', () => {
    const md = ['Postmark settings:', '', '| Key | Value |', '| --- | --- |', '| Provider | postmark |', `| Token | ${VALUE} |`, '', '| other | x |'].join('\n');
    const scope = siteOf(md).scope;
    expect(scope).toContain('| Provider | postmark |');
    expect(scope).toContain('Postmark settings:');
    expect(scope).not.toContain('| other | x |');
  });

  it('holds the INI/TOML section across blank lines', () => {
    const ini = ['[email]', 'provider = postmark', '', 'sender = a@example.com', '', `token = ${VALUE}`, '', '[other]', 'x = 1'].join('\n');
    const scope = siteOf(ini).scope;
    expect(scope).toContain('[email]');
    expect(scope).toContain('provider = postmark');
    expect(scope).not.toContain('x = 1');
  });

  it("holds the value's own line, the key path and the headers of enclosing blocks", () => {
    const s = siteOf(`config.action_mailer.postmark_settings = { api_token: "${VALUE}" }`);
    expect(s.scope).toContain('postmark_settings');
    expect(siteOf(`postmark.api.token=${VALUE}`).scope).toContain('postmark.api.token');
    const php = ["return [", "    'postmark' => [", `        'token' => '${VALUE}',`, '    ],', '];'].join('\n');
    expect(siteOf(php).scope).toContain("'postmark' =>");
  });
});

describe('block members', () => {
  it('keeps scalar members and calls, drops nested objects and lists', () => {
    const text = "{ host: env('MAIL_HOST', 'smtp.postmarkapp.com'), tags: ['postmark'], nested: { postmark: 1 }, port: 587 }";
    const [block] = enclosingBlocks(text, text.indexOf('port'));
    const members = scalarMembers(text, block!);
    expect(members).toContain("host: env('MAIL_HOST', 'smtp.postmarkapp.com')");
    expect(members).toContain('port: 587');
    expect(members).not.toContain('tags');
    expect(members).not.toContain('nested');
  });

  it('lists the unclosed brackets before a value, innermost first, skipping closed ones', () => {
    const text = 'a(b, (z), { c: [1, X] }, d)';
    const blocks = enclosingBlocks(text, text.indexOf('X'));
    expect(blocks.map((b) => text[b.open])).toEqual(['[', '{', '(']);
    expect(enclosingBlocks(text, text.indexOf('X'), 1)).toHaveLength(1);
  });

  it('ends a block\'s members at its closing bracket', () => {
    const text = '{ a: 1, b: 2 } c: 3';
    expect(scalarMembers(text, { open: 0, char: '{' })).toBe('a: 1\nb: 2');
  });
});
