/** A RenewalInfo object (RFC 9773 §4.2). */
export interface WireRenewalInfo {
  suggestedWindow: { start: string; end: string };
  explanationURL?: string;
}
