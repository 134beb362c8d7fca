/**
 * Encryption functions: the documented round trips of dtl-functions-encryption.rst, plus
 * interoperability with Python's `cryptography` (a Fernet token and an RSA-OAEP ciphertext
 * made there) and edge cases. encrypt-pgp / decrypt-pgp are not implemented (no OpenPGP).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { CRYPTO } from '../../src/functions/crypto.js';
import type { FnContext, FunctionImpl } from '../../src/functions/types.js';
import { Decimal } from '../../src/values/decimal.js';
import { writeCanonical } from '../../src/values/json.js';
import { decodeTransitString } from '../../src/values/transit.js';
import { Bytes, DateTime, Float, type Value } from '../../src/values/types.js';
import { testContext } from '../helpers.js';

// A throwaway RSA-2048 key pair made with Python's cryptography, for tests only.
const TEST_PRIVATE_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEpAIBAAKCAQEA0u7Q+gQZMrQkGPev3KDe3KBpbFlDCrRnk9jXdWR+2xD0gfDm',
  'gertvtJJR5MKNxyI7XtNw3Ux3LBOPgR3W2P0UMSRU5hfuxbXrc1BWZup2hkCmwKt',
  'kCbg4Wzx6FAWAw9tPVFfMGD0eIC9k96sz4xgMN89kpGrO3P8eFSIMbMukUQ3lYTH',
  'v2cTS9OZlEX72aAzccjQdaRp6E7NVYQnkt1qoNf298HrUHabMp+hOWxAkl4Hhw/r',
  '+f17cgqSV1DvhxKPsD4m2G9czFJMWDAtl9guGpcVfCSfMPpqLsIFFNJFIO4OE02k',
  'LftzLyR7VmkPASzijnLUrQjznbnznSFSTF6FrwIDAQABAoIBADK2D6/MBHLYNEV8',
  'Zt9YHbxVJINUAnY0YSJ+Y25ptsXcEaybyg859+aEj/GRPEd7qL/PgSaYqmAwUt8+',
  'G6PxJ++zEm1SmNFV8IxsaGWususoUCQMRMX/UtlfY9lCR8h8kPrI8WWkKaI+8VT3',
  'l/xd91JImXj/ZHdqrywOxp+MQInTuMXUYbecnsNkIisojxyNJRSm2H4mHq8IdOA0',
  't3kKNO0mp3G8BLdqX1CpkdKcRgXl0EwqaNxdBxsqCxQyH3ZvsWQYRaJfFWO3LNDg',
  '9asD5l2/gPvel0Ox8ZQpKieMOIsQzERVUOEfxSXlZ06fQ0DYv1AdNYdmwS/iylWS',
  '+KKWWiECgYEA90tFACbek38K+ptxz/0Gti8KkF+1bErkfH25kHK1CcEmAis7bqN3',
  'x9HvTH4yjNjG25o+em4TlA53nbCp2la/tnMAwrStWXeyUiik5HCAIlHXF9mxxZoV',
  '+mnEu2Uzb5NfrCZu38aRQp4H/w8FuQ2SCreKwADJk/pGacZXulSuUHsCgYEA2lvX',
  'zR7EUUQgEtzWmqdNfPi4MARHTNIBz8KDbicVoQfNLYeku6lOQ/U+fbzhkFWjB391',
  'h4iRhkoDjH+0FieQRJulFsHenOyQoXjTQSkCGvcfjF1//gMl3KkQSujGJv+YAxW5',
  'UAe8wao4rAwCZ01sLUnuruMHy++OaJ9k0k3iC10CgYAN9Sag2pDHfG0vNeTXm21s',
  'jP0opu5DfXql+CaoG4FSWp99kdkZ5ooVMikyhRDvWDDpJiyOlnXubl6b/OOpWioZ',
  '7yXE15PNL+9VqcucxSjGRx4/z160S30gFCYxeYXMr2HAAq9RXBDI1MiYwc1N45Ex',
  'n6hqK+E0w/SDddlvv+XSzwKBgQDMtU2a/z0M8tEe3epTEoWSo5oJafluC3OnUrPk',
  'kL+2N5ojFQda5154V3I+btUIe0BbxyJn7aCAROMO1KoAGxclOsWKkDYi56SvvJZQ',
  'gCF5JjRtYzqa6FiWhejAUXlzFitsuPECFj7fULXQlXGrZuoDi0w4qJ6mke7wJn5e',
  'qqVAAQKBgQDJvYiDJ5PfmqPBfmxQaYTWeRXQiFHPbr5xqhbAdZHgIQ3hhIxzwFBk',
  'UI9Y6qhXUzFAXHqVWDnRvLlxXWm2qJr8wLl5s2sUtvQHgHtYVQRQb09W7UUQSctc',
  '5mPpWpIkY8i53vVy/+ZgZ+C32UqTbkyuChYu4AQ5R/0j1an9eqsoHA==',
  '-----END RSA PRIVATE KEY-----',
].join('\n');
const TEST_PUBLIC_KEY = [
  '-----BEGIN PUBLIC KEY-----',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0u7Q+gQZMrQkGPev3KDe',
  '3KBpbFlDCrRnk9jXdWR+2xD0gfDmgertvtJJR5MKNxyI7XtNw3Ux3LBOPgR3W2P0',
  'UMSRU5hfuxbXrc1BWZup2hkCmwKtkCbg4Wzx6FAWAw9tPVFfMGD0eIC9k96sz4xg',
  'MN89kpGrO3P8eFSIMbMukUQ3lYTHv2cTS9OZlEX72aAzccjQdaRp6E7NVYQnkt1q',
  'oNf298HrUHabMp+hOWxAkl4Hhw/r+f17cgqSV1DvhxKPsD4m2G9czFJMWDAtl9gu',
  'GpcVfCSfMPpqLsIFFNJFIO4OE02kLftzLyR7VmkPASzijnLUrQjznbnznSFSTF6F',
  'rwIDAQAB',
  '-----END PUBLIC KEY-----',
].join('\n');

/** encrypt-pki("secret-passphrase") with TEST_PUBLIC_KEY, made with Python (OAEP, SHA-1). */
const PYTHON_PKI_CIPHERTEXT = 'Y+/msn1R4uIsAqXxUiWHMRd2/kQK5QFuLjLagil9TB4UTqnFAo1TG79mdJLBgA0OHD/rc4juNrNGmOSkn1kfE97PGvuGFAzXldwe1qY/nWBGeHHQfQIZzYJx9gcooO7coci4QBPhwCBiJ9RoKLB56COMPV7u1C5i04u2KK8/kOANFxdEPzC753OWOlIylX3+ZTiaFuWlm8yj2SDzKGuhcf5yqYvGC2KmPfDEwsBzm+YG9GWGs/il0fBF1pdQlqdjzBdriWkwjS7QlAYPg1Mqtw6MM7zXpet5L/Hak5qFcGNpuli0n7fEIVZWfUGQNwHXOC5GCDizWhEy7asf6fkn0A==';
/** A Fernet token from Python, key = the KDF of "secret", payload a transit-JSON list. */
const PYTHON_FERNET_TOKEN = 'gAAAAABrCneQkqa2eCEm_jHI8t1No-z6T-yRi3iEI3laoWKDc38G_rj-D65i8qsST1eLn9EB21PgIN-fLduQuk_KM3Su2j_3m9J0pYtm8nSvTQ7VRl-846LnaSkgYA5coUuO5BRoiYWP97mK0pmJviNsowvLZW-ZGYWhjw3JHmCjD3mIuFnF0yA=';

const secrets: Record<string, string> = { 'secret-name': 'secret', 'private-key-name': TEST_PRIVATE_KEY, 'key-secret-name': TEST_PUBLIC_KEY, 'secret-passphrase-name': 'secret-passphrase' };
const cx = testContext({ secret: (name) => secrets[name] });
const list = (...xs: Value[]): Value[] => xs;

function call(name: string, ...args: Array<Value | undefined>): Value {
  const fn = CRYPTO[name] as FunctionImpl | undefined;
  assert.ok(fn, `CRYPTO has ${name}`);
  return (fn as unknown as (cx: FnContext, ...a: Array<Value | undefined>) => Value)(cx, ...args);
}

const j = (v: Value): string => writeCanonical(v);

describe('functions/crypto', () => {
  describe('documented examples', () => {
    it('decrypt(encrypt(list)) gives the list back', () => {
      const enc = call('encrypt', 'secret', list('a', 'b', 'c'));
      assert.ok(enc instanceof Bytes, 'encrypt returns one bytes value');
      assert.equal(j(call('decrypt', 'secret', enc)), '["a","b","c"]');
    });
    it('with $SECRET keys', () => {
      const enc = call('encrypt', '$SECRET(secret-name)', list('a', 'b', 'c'));
      assert.equal(j(call('decrypt', '$SECRET(secret-name)', enc)), '["a","b","c"]');
      // The secret resolves to "secret", so the plain password decrypts too.
      assert.equal(j(call('decrypt', 'secret', enc)), '["a","b","c"]');
    });
    it('pki round trip through json-transit', () => {
      const payload = '[["a", "b", "c"]]';
      const enc = call('encrypt-pki', TEST_PUBLIC_KEY, payload);
      assert.ok(enc instanceof Bytes);
      assert.equal(call('decrypt-pki', TEST_PRIVATE_KEY, enc), payload);
      assert.equal(call('decrypt-pki', '$SECRET(private-key-name)', enc), payload);
    });
    it('encrypt-pki maps over lists; secrets allowed as key and value', () => {
      const enc = call('encrypt-pki', TEST_PUBLIC_KEY, list('a', 'b', 'c'));
      assert.ok(Array.isArray(enc) && enc.length === 3 && enc.every((b) => b instanceof Bytes));
      assert.equal(j(call('decrypt-pki', TEST_PRIVATE_KEY, enc)), '["a","b","c"]');
      const s = call('encrypt-pki', '$SECRET(key-secret-name)', '$SECRET(secret-passphrase-name)');
      assert.equal(call('decrypt-pki', TEST_PRIVATE_KEY, s), 'secret-passphrase');
    });
  });

  describe('encrypt / decrypt', () => {
    it('the payload is the transit JSON of VALUES, types preserved', () => {
      const v: Value = {
        s: 'x', i: 12345678901234567890123n, f: new Float(2), d: Decimal.parse('1.50')!,
        t: new DateTime(1438076760123450000n), b: new Bytes(new Uint8Array([1, 2])), n: null, l: [true, false],
      };
      assert.equal(j(call('decrypt', 'k', call('encrypt', 'k', v))), j(v));
      assert.equal(j(call('decrypt', 'k', call('encrypt', 'k', 'single'))), '"single"');
      assert.equal(j(call('decrypt', 'k', call('encrypt', 'k', list()))), '[]');
    });
    it('tokens are Fernet: version 0x80, the context clock, a random IV', () => {
      const a = call('encrypt', 'k', 'x') as Bytes;
      const b = call('encrypt', 'k', 'x') as Bytes;
      const raw = Buffer.from(a.toString(), 'base64url');
      assert.equal(raw[0], 0x80);
      assert.equal(raw.readBigUInt64BE(1), 1577836800n); // testContext now()
      assert.notEqual(a.toString(), b.toString());
      assert.match(a.toString(), /^[A-Za-z0-9_-]+=*$/);
    });
    it('decrypts a token made by Python cryptography.Fernet', () => {
      assert.equal(j(call('decrypt', 'secret', PYTHON_FERNET_TOKEN)), '["a","b","c",{"d":"~f1.50","n":1.5,"t":"~t2015-07-28T09:46:00Z"}]');
      assert.equal(j(call('decrypt', 'secret', new Bytes(new Uint8Array(Buffer.from(PYTHON_FERNET_TOKEN))))), j(call('decrypt', 'secret', PYTHON_FERNET_TOKEN)));
    });
    it('wrong keys, tampering and garbage are dropped', () => {
      const enc = call('encrypt', 'secret', 'x') as Bytes;
      assert.equal(call('decrypt', 'wrong', enc), null);
      const text = enc.toString();
      const tampered = text.slice(0, 30) + (text[30] === 'A' ? 'B' : 'A') + text.slice(31);
      assert.equal(call('decrypt', 'secret', tampered), null);
      assert.equal(j(call('decrypt', 'secret', list(enc, 'garbage', 1, null, decodeTransitString('~bYWJj'), enc))), '["x","x"]');
    });
    it('null VALUES, unknown secrets and non-string keys give null', () => {
      assert.equal(call('encrypt', 'k', null), null);
      assert.equal(call('encrypt', '$SECRET(nope)', 'x'), null);
      assert.equal(call('encrypt', 123, 'x'), null);
      assert.equal(call('encrypt', null, 'x'), null);
      const enc = call('encrypt', 'k', 'x');
      assert.equal(call('decrypt', '$SECRET(nope)', enc), null);
      assert.equal(j(call('decrypt', null, list(enc))), '[]');
    });
    it('an empty password is still a password', () => {
      assert.equal(j(call('decrypt', '', call('encrypt', '', 'x'))), '"x"');
    });
  });

  describe('encrypt-pki / decrypt-pki', () => {
    it('decrypts a ciphertext made by Python (RSA-OAEP, SHA-1, MGF1)', () => {
      assert.equal(call('decrypt-pki', TEST_PRIVATE_KEY, decodeTransitString('~b' + PYTHON_PKI_CIPHERTEXT)), 'secret-passphrase');
    });
    it('PKCS#8 and PKCS#1 keys; UTF-8 text', () => {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      const enc = call('encrypt-pki', publicKey, 'Grüße ☃');
      assert.equal(call('decrypt-pki', privateKey, enc), 'Grüße ☃');
      assert.equal(call('decrypt-pki', TEST_PRIVATE_KEY, enc), null); // someone else's key
    });
    it('only strings are encrypted, only bytes decrypted; too long is dropped', () => {
      const enc = call('encrypt-pki', TEST_PUBLIC_KEY, list('ok', 1, null, 'x'.repeat(214), 'x'.repeat(215), decodeTransitString('~bYWJj')));
      assert.ok(Array.isArray(enc));
      assert.equal(enc.length, 2);
      assert.equal(j(call('decrypt-pki', TEST_PRIVATE_KEY, list(...enc, 'not-bytes', decodeTransitString('~bYWJj')))), j(['ok', 'x'.repeat(214)]));
      assert.equal(call('encrypt-pki', TEST_PUBLIC_KEY, null), null);
      assert.equal(call('decrypt-pki', TEST_PRIVATE_KEY, 'text'), null);
    });
    it('unusable keys give null / drop everything', () => {
      assert.equal(call('encrypt-pki', 'not a pem', 'x'), null);
      assert.equal(j(call('encrypt-pki', '$SECRET(nope)', list('x'))), '[]');
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
      assert.equal(call('encrypt-pki', ec.publicKey, 'x'), null);
      const enc = call('encrypt-pki', TEST_PUBLIC_KEY, 'x');
      assert.equal(call('decrypt-pki', ec.privateKey, enc), null);
      assert.equal(call('decrypt-pki', TEST_PUBLIC_KEY, enc), null); // a public key cannot decrypt
    });
  });

  it('encrypt-pgp and decrypt-pgp are not provided', () => {
    assert.equal(CRYPTO['encrypt-pgp'], undefined);
    assert.equal(CRYPTO['decrypt-pgp'], undefined);
  });
});
