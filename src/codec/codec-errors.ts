/** Why the payload codec could not decrypt a payload. Each names the key id, never a key. */

/** The payload names a key id that is not among the codec's keys (BPTL_CODEC_KEYS). */
export class UnknownCodecKeyError extends Error {
  override readonly name = 'UnknownCodecKeyError';
  readonly keyId: string;
  constructor(keyId: string, known: readonly string[]) {
    super(
      `the payload was encrypted with codec key '${keyId}', which is not configured ` +
        `(${known.length === 0 ? 'no codec key is configured' : `the keys are ${known.map((k) => `'${k}'`).join(', ')}`}); ` +
        `add it to BPTL_CODEC_KEYS behind the current key`,
    );
    this.keyId = keyId;
  }
}

/** The payload is encrypted with a known key id, but does not decrypt: it was altered, or the key is wrong. */
export class PayloadDecryptError extends Error {
  override readonly name = 'PayloadDecryptError';
  readonly keyId: string;
  constructor(keyId: string, problem: string, options: { cause?: unknown } = {}) {
    super(`cannot decrypt a payload with codec key '${keyId}': ${problem}`, options);
    this.keyId = keyId;
  }
}
