/**
 * A first argument's call is ruled out by its header's last character, read without building the
 * header (Site.firstArgHeaderLast). Where that shortcut answers, it must be the header's own last
 * non-blank character; where the header would come from the line above (a separator before the
 * `(`, a blank line head), it must not answer.
 */
import { describe, expect, it } from 'vitest';
import { Document } from '../../src/core/document.js';
import { Site } from '../../src/core/structure/site.js';
import { noise } from '../helpers/random.js';

const ALPHABET = ['a', 'b', 'Client', 'new ', ' ', ' ', '\t', '\n', '\u00a0', '(', '(', ')', ',', ';', '{', '[', ']', '}', '"', "'", '.', '='];


const lastOf = (header: string) => header.trimEnd().slice(-1);

describe('the last character of a first argument call header', () => {
  it('is the header\'s own, wherever it answers', () => {
    let answered = 0;
    let declined = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const text = noise(ALPHABET, 200, seed) + (seed % 5 === 0 ? ' '.repeat(170) + '("x")' : '');
      const doc = new Document(text);
      for (let start = 1; start < text.length; start++) {
        const site = new Site(doc, start, start + 1);
        if (site.argDelimiter !== '(') continue;
        const last = site.firstArgHeaderLast;
        const call = new Site(doc, start, start + 1).call;
        if (last === undefined) {
          declined++;
          continue;
        }
        answered++;
        expect(call, `seed ${seed}, at ${start}`).not.toBeNull();
        expect(last, `seed ${seed}, at ${start}: ${JSON.stringify(call!.header)}`).toBe(lastOf(call!.header));
      }
    }
    // Both ways are exercised.
    expect(answered).toBeGreaterThan(1000);
    expect(declined).toBeGreaterThan(100);
  });

  it('declines where the header is read from the line above', () => {
    const doc = new Document('postmark.Client\n  , ("x")');
    const start = doc.text.indexOf('"');
    const site = new Site(doc, start, start + 3);
    expect(site.argDelimiter).toBe('(');
    expect(site.firstArgHeaderLast).toBeUndefined();
    expect(new Site(doc, start, start + 3).call!.header).toBe('postmark.Client');
  });
});
