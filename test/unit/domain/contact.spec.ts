import { MAX_CONTACTS, validateContact } from '../../../src/domain/contact';
import { refusalOf } from './support/given';

describe('contact policy', () => {
  test.each([
    [['mailto:ops@example.com'], ['mailto:ops@example.com']],
    [['mailto:Ops@Example.COM'], ['mailto:Ops@example.com']],
    [['MAILTO:ops@example.com'], ['mailto:ops@example.com']],
    [['mailto:first.last+tag@sub.example.co.uk'], ['mailto:first.last+tag@sub.example.co.uk']],
    [['mailto:a@example.com', 'mailto:b@example.org'], ['mailto:a@example.com', 'mailto:b@example.org']],
    [[], []],
    [undefined, []],
    [null, []],
  ])('accepts %j as %j', (input, expected) => {
    expect(validateContact(input)).toEqual(expected);
  });

  test('accepts up to the maximum', () => {
    expect(MAX_CONTACTS).toBe(10);
    expect(validateContact(Array.from({ length: 10 }, (_, i) => `mailto:a${i}@example.com`))).toHaveLength(10);
  });

  test.each([
    // other schemes
    [['tel:+15555550100'], 'unsupportedContact', /scheme 'tel'/],
    [['https://example.com/contact'], 'unsupportedContact', /scheme 'https'/],
    [['xmpp:ops@example.com'], 'unsupportedContact', /use mailto/],
    // one address per URI, no hfields
    [['mailto:a@example.com?subject=hi'], 'invalidContact', /hfields/],
    [['mailto:a@example.com,b@example.com'], 'invalidContact', /exactly one address/],
    // address syntax
    [['mailto:'], 'invalidContact', /not a valid email address/],
    [['mailto:no-at-sign'], 'invalidContact', /not a valid email address/],
    [['mailto:@example.com'], 'invalidContact', /not a valid email address/],
    [['mailto:.a@example.com'], 'invalidContact', /not a valid email address/],
    [['mailto:a.@example.com'], 'invalidContact', /not a valid email address/],
    [['mailto:a..b@example.com'], 'invalidContact', /not a valid email address/],
    [['mailto:a b@example.com'], 'invalidContact', /not a valid email address/],
    [['mailto:a@localhost'], 'invalidContact', /invalid domain/],
    [['mailto:a@example.com.'], 'invalidContact', /invalid domain/],
    [['mailto:a@[192.0.2.1]'], 'invalidContact', /invalid domain/],
    [['mailto:a@192.0.2.1'], 'invalidContact', /invalid domain/],
    [['mailto:a@*.example.com'], 'invalidContact', /invalid domain/],
    [['mailto:a@exa_mple.com'], 'invalidContact', /invalid domain/],
    [['not a url'], 'invalidContact', /not a URL/],
    [[''], 'invalidContact', /not a URL/],
    // shape
    ['mailto:a@example.com', 'malformed', /array/],
    [{ 0: 'mailto:a@example.com' }, 'malformed', /array/],
    [[42], 'malformed', /string/],
    [[null], 'malformed', /string/],
    [Array.from({ length: 11 }, (_, i) => `mailto:a${i}@example.com`), 'malformed', /at most 10 contacts/],
  ])('refuses %j as %s', (contact, type, detail) => {
    const e = refusalOf(() => validateContact(contact));
    expect(e.type).toBe(type);
    expect(e.detail).toMatch(detail);
  });
});
