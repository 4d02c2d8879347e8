import { domainToASCII, domainToUnicode } from 'node:url';

/**
 * An A-label ("xn--…") must be the exact punycode of a valid U-label (RFC 5890 §2.3.2.1, RFC 5891
 * §5.4): it decodes (UTS 46 non-transitional processing, as Node's ICU does it), the U-label is
 * not plain ASCII, encoding it again gives the same A-label (so no uppercase or non-NFC form), and
 * the U-label holds only what IDNA 2008 allows in host names: letters, combining marks (never
 * first), digits and inner hyphens. Symbols, emoji and punctuation pass UTS 46 but are DISALLOWED
 * by IDNA 2008 (RFC 5892 §2.1-2.2), so they are refused here.
 * Returns why `label` (lowercase) is refused, or null.
 */
export function aLabelProblem(label: string): string | null {
  const unicode = domainToUnicode(label);
  if (unicode === '' || unicode === label) return `label '${label}' is not valid punycode`;
  if (/^[\x00-\x7f]*$/.test(unicode)) return `label '${label}' decodes to plain ASCII ('${unicode}'), which must not be punycode-encoded`;
  if (domainToASCII(unicode) !== label) return `label '${label}' is not the canonical punycode of '${unicode}'`;
  if (/^\p{M}/u.test(unicode)) return `label '${label}' ('${unicode}') begins with a combining mark, which IDNA 2008 forbids`;
  const bad = [...unicode].find((c) => !/[\p{L}\p{M}\p{Nd}-]/u.test(c));
  if (bad !== undefined) {
    const code = `U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    return `label '${label}' ('${unicode}') holds ${code}, a character IDNA 2008 does not allow in host names`;
  }
  return null;
}
