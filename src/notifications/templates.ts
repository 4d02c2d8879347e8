import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Email templates: built-in defaults, each overridable by a file of the same name in
 * notifications.templates_dir. Placeholders are {{name}}; unknown ones stay as written.
 */
const DEFAULTS: Record<string, string> = {
  'expiration-warning.subject.txt': 'Certificate for {{names}} expires in {{days}} days',
  'expiration-warning.txt': [
    'Hello,',
    '',
    'the certificate for {{names}} (serial {{serial}}) issued by {{issuer}}',
    'expires on {{not_after}}, in {{days}} days.',
    '',
    'Renew it with your ACME client. If it was replaced already, you can ignore this message:',
    'you will not be warned about this certificate again at this threshold.',
    '',
    '-- certledger',
  ].join('\n'),
};

export function renderTemplate(name: string, vars: Record<string, string>, dir: string | null): string {
  const override = dir ? join(dir, name) : null;
  const text = override && existsSync(override) ? readFileSync(override, 'utf8') : DEFAULTS[name];
  if (text === undefined) throw new Error(`no template ${name}`);
  return text.replace(/\{\{(\w+)\}\}/g, (m, key: string) => vars[key] ?? m);
}
