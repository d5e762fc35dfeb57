/**
 * Leaks for the seeded differentials (staged-review, range-push-review): every rule's positive
 * example that fails, each holding the one example token (swapped for a fresh token per use), and
 * texts that hold a token outside any Postmark context with the edit that puts it in one.
 */
import { ruleSpecs } from './rules.mjs';

export const EXAMPLE_TOKEN = '6f1c2a7e-93b4-4d1e-b0a2-5c8e1f3d9a47';
export interface Example {
  path: string;
  text: string;
}
/** Every rule's positive examples that fail (no lowered severity) and hold the example token. */
export const EXAMPLES: Example[] = (ruleSpecs() as Array<{ examples?: Array<{ path: string; text: string; severity?: string }> }>).flatMap((s) =>
  (s.examples ?? []).filter((e) => !e.severity && e.text.includes(EXAMPLE_TOKEN) && !e.path.includes('..')).map((e) => ({ path: e.path, text: e.text })),
);

/** Texts that hold a token outside any Postmark context, and their Postmark-context edits. */
export const NEUTRAL = [
  { path: 'config/mail.yml', text: (t: string) => `api_token: ${t}\nfrom: ops@example.com\n`, postmarkPath: 'config/postmark.yml' },
  { path: 'settings.ini', text: (t: string) => `[other]\nserver_token = ${t}\ntimeout = 30\n`, context: (s: string) => s.replace('[other]', '[postmark]') },
  { path: 'config/app.yml', text: (t: string) => `mailer:\n  other:\n    api_key: ${t}\n    region: eu\n`, context: (s: string) => s.replace('other:', 'postmark:') },
];
