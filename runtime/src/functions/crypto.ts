/**
 * Encryption functions (docs: dtl-functions-encryption.rst).
 *
 * - `encrypt` / `decrypt`: Fernet tokens (AES-128-CBC + HMAC-SHA256, spec:
 *   github.com/fernet/spec) with a key derived from the KEY password. The whole VALUES
 *   (whatever its shape) is one plaintext, its transit JSON, and becomes ONE bytes value
 *   holding the token text (what Python's `Fernet.encrypt` returns), so
 *   `["decrypt", k, ["encrypt", k, ["list", "a", "b", "c"]]]` gives back the list.
 *   `decrypt` is map-style over tokens (bytes or token strings); tokens that fail
 *   authentication (wrong key, tampering, not a token) are dropped.
 *
 *   Key derivation: PBKDF2-HMAC-SHA256(password, salt "dtl-encrypt/v1", 100 000 iterations,
 *   32 bytes); bytes 0–15 sign, bytes 16–31 encrypt (Fernet's key layout). Sesam does not
 *   document its derivation, so tokens are not interchangeable with Sesam's; the fixed salt
 *   makes the key a pure function of the password, so it is derived once per password and
 *   cached (each token still has a random IV). As the docs say, this is not end-to-end
 *   security: the key travels with the configuration.
 *
 * - `encrypt-pki` / `decrypt-pki`: RSA with OAEP padding, SHA-1 and MGF1 (changelog
 *   2017-12-12), PEM keys (SPKI or PKCS#1 public keys; PKCS#1 or PKCS#8 private keys).
 *   Strings in → bytes out, bytes in → strings out; map-style. Plaintexts longer than the
 *   key allows (214 bytes for RSA-2048) are dropped.
 *
 * - `encrypt-pgp` / `decrypt-pgp` are NOT implemented: they need an OpenPGP implementation,
 *   which node:crypto does not provide and which we do not have as a dependency.
 *
 * KEY (and PASSPHRASE-like) arguments may be `"$SECRET(name)"`, resolved with cx.secret; an
 * unknown secret or an unusable key makes every value unusable (null / dropped).
 */
import {
  KeyObject,
  constants,
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  pbkdf2Sync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { parseJson, STORED, writeCanonical } from '../values/json.js';
import { Bytes, Typed, floorDiv, type Value } from '../values/types.js';
import { firstValue, mapValues } from './support.js';
import type { FnContext, FunctionTable } from './types.js';
import { toBytes } from './bytes.js';

const SECRET_RE = /^\s*\$SECRET\(\s*([^()]*?)\s*\)\s*$/;

/** A string argument with `$SECRET(name)` resolved; undefined when unusable. */
function resolveKey(cx: FnContext, v: Value | undefined): string | undefined {
  const s = firstValue(v);
  if (typeof s !== 'string') return undefined;
  const m = SECRET_RE.exec(s);
  return m ? cx.secret(m[1]!) : s;
}

function bytesOf(v: Value): Buffer | undefined {
  if (v instanceof Typed && v.tag === 'bytes') {
    const d = (v as Bytes).data;
    return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  }
  return undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(b: Buffer): string | undefined {
  try {
    return UTF8.decode(b);
  } catch {
    return undefined;
  }
}

/** Bounded memo: keys are configuration constants, so a handful of entries in practice. */
function memo<T>(make: (k: string) => T): (k: string) => T {
  const cache = new Map<string, T>();
  return (k) => {
    let v = cache.get(k);
    if (v === undefined && !cache.has(k)) {
      v = make(k);
      if (cache.size >= 64) cache.clear();
      cache.set(k, v);
    }
    return v as T;
  };
}

// ---------------------------------------------------------------- Fernet

const KDF_SALT = 'dtl-encrypt/v1';
const KDF_ITERATIONS = 100_000;
const VERSION = 0x80;

const fernetKey = memo((password: string) => pbkdf2Sync(password, KDF_SALT, KDF_ITERATIONS, 32, 'sha256'));

function fernetEncrypt(key: Buffer, plaintext: Buffer, nowSeconds: bigint): Buffer {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', key.subarray(16), iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const header = Buffer.alloc(9);
  header[0] = VERSION;
  header.writeBigUInt64BE(nowSeconds < 0n ? 0n : nowSeconds, 1);
  const signed = Buffer.concat([header, iv, body]);
  const mac = createHmac('sha256', key.subarray(0, 16)).update(signed).digest();
  // Fernet tokens are URL-safe base64 with padding (Node's 'base64url' drops the padding).
  const text = Buffer.concat([signed, mac]).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  return Buffer.from(text, 'ascii');
}

const TOKEN_RE = /^[A-Za-z0-9_-]+={0,2}$/;

/** The plaintext of a Fernet token, or undefined when it does not authenticate. */
function fernetDecrypt(key: Buffer, token: string): Buffer | undefined {
  const t = token.trim();
  if (!TOKEN_RE.test(t) || t.length % 4 !== 0) return undefined;
  const raw = Buffer.from(t, 'base64url');
  // version + timestamp + IV + at least one block + HMAC
  if (raw.length < 1 + 8 + 16 + 16 + 32 || raw[0] !== VERSION || (raw.length - 57) % 16 !== 0) return undefined;
  const signed = raw.subarray(0, raw.length - 32);
  const mac = createHmac('sha256', key.subarray(0, 16)).update(signed).digest();
  if (!timingSafeEqual(mac, raw.subarray(raw.length - 32))) return undefined;
  try {
    const decipher = createDecipheriv('aes-128-cbc', key.subarray(16), raw.subarray(9, 25));
    return Buffer.concat([decipher.update(raw.subarray(25, raw.length - 32)), decipher.final()]);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- RSA

const publicKey = memo((pem: string): KeyObject | null => {
  try {
    const k = createPublicKey(pem);
    return k.asymmetricKeyType === 'rsa' ? k : null;
  } catch {
    return null;
  }
});

const privateKey = memo((pem: string): KeyObject | null => {
  try {
    const k = createPrivateKey(pem);
    return k.asymmetricKeyType === 'rsa' ? k : null;
  } catch {
    return null;
  }
});

const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' };

export const CRYPTO: FunctionTable = {
  encrypt: (cx: FnContext, key: Value | undefined, values: Value | undefined): Value => {
    const password = resolveKey(cx, key);
    if (password === undefined || values === undefined || values === null) return null;
    const text = writeCanonical(values);
    return toBytes(fernetEncrypt(fernetKey(password), Buffer.from(text, 'utf8'), floorDiv(cx.now().ns, 1_000_000_000n)));
  },

  decrypt: (cx: FnContext, key: Value | undefined, values: Value | undefined): Value => {
    const password = resolveKey(cx, key);
    const k = password === undefined ? undefined : fernetKey(password);
    return mapValues(values, (x) => {
      if (!k) return undefined;
      const raw = bytesOf(x);
      const token = raw ? decodeUtf8(raw) : typeof x === 'string' ? x : undefined;
      const plain = token === undefined ? undefined : fernetDecrypt(k, token);
      const text = plain && decodeUtf8(plain);
      if (text === undefined) return undefined;
      try {
        return parseJson(text, STORED);
      } catch {
        return undefined;
      }
    });
  },

  'encrypt-pki': (cx: FnContext, key: Value | undefined, values: Value | undefined): Value => {
    const pem = resolveKey(cx, key);
    const k = pem === undefined ? null : publicKey(pem);
    return mapValues(values, (x) => {
      // The docs' example encrypts "$SECRET(name)" itself, so a value may be a secret too.
      const s = typeof x === 'string' ? resolveKey(cx, x) : undefined;
      if (!k || s === undefined) return undefined;
      try {
        return toBytes(publicEncrypt({ key: k, ...OAEP }, Buffer.from(s, 'utf8')));
      } catch {
        return undefined; // too long for the key
      }
    });
  },

  'decrypt-pki': (cx: FnContext, key: Value | undefined, values: Value | undefined): Value => {
    const pem = resolveKey(cx, key);
    const k = pem === undefined ? null : privateKey(pem);
    return mapValues(values, (x) => {
      const b = bytesOf(x);
      if (!k || !b) return undefined;
      try {
        return decodeUtf8(privateDecrypt({ key: k, ...OAEP }, b));
      } catch {
        return undefined;
      }
    });
  },
};
