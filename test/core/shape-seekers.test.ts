/** A seeker must find every match of its shape's regex, so the engine may skip the regex elsewhere. */
import { describe, expect, it } from 'vitest';
import { compileRules, detect } from '../../src/core/engine.js';
import { SEEKERS, SHAPES } from '../../src/core/shapes.js';
import { testRule } from './spec.js';
import { noise } from '../helpers/random.js';

function regexStarts(source: string, text: string): number[] {
  const re = new RegExp(source, 'g');
  const out: number[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m.index);
  return out;
}

function seekStarts(seek: (t: string, from: number) => number, text: string, length: number): number[] {
  const out: number[] = [];
  for (let at = seek(text, 0); at !== -1; at = seek(text, at + length)) out.push(at);
  return out;
}

const ALPHABET = '0123456789abcdefABCDEFxyz_-- .:"\'\n';

describe('uuid seeker', () => {
  const uuid = '4b1f8d2c-7e3a-4c6b-9d05-e8a1f2b3c4d7';
  it.each([
    ['alone', uuid],
    ['in a line', `token: "${uuid}"\nid=${uuid}`],
    ['at both ends of the text', `${uuid} ${uuid}`],
    ['inside longer words (no match)', `x${uuid} ${uuid}-1 _${uuid}`],
    ['not hex', '4b1f8d2c-7e3a-4c6b-9d05-e8a1f2b3c4dz g4b1f8d2c-7e3a-4c6b-9d05-e8a1f2b3c4d7'],
    ['dashes in runs', `--------${uuid}--- a-b-c-d-e-f 12345678-1234-1234-1234-1234567890123`],
    ['unicode around', `é${uuid}😀${uuid}`],
  ])('finds what the regex finds: %s', (_name, text) => {
    expect(seekStarts(SEEKERS.uuid!, text, 36)).toEqual(regexStarts(SHAPES.uuid!, text));
  });

  it('agrees with the regex on random text dense in hex and dashes', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const text = noise(ALPHABET, 400, seed).replace(/ /g, () => (seed % 3 === 0 ? ` ${uuid} ` : ' '));
      expect(seekStarts(SEEKERS.uuid!, text, 36)).toEqual(regexStarts(SHAPES.uuid!, text));
    }
  });

  it('leaves the findings of a rule using the shape unchanged', () => {
    const rules = compileRules([testRule({ id: 'probe', real: 'uuid', contexts: [{ key: 'token' }] })]);
    const text = `# postmark\nTOKEN=${uuid}\nx-TOKEN=${uuid}1\nTOKEN= ${uuid}\n`;
    expect(detect({ text, path: 'a.env' }, rules).map((f) => f.line)).toEqual([2, 4]);
  });
});
