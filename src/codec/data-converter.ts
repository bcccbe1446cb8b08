/**
 * The data converter of every Temporal Client and Worker of BPTL: the default payload converter, then the
 * payload codec (aes-gcm-codec.ts), so that process data, memos and failure details reach Temporal encrypted.
 * Search attributes do not go through codecs: they hold only ids and names (workflows/search-attributes.ts).
 */
import type { DataConverter } from '@temporalio/common';
import { createAesGcmCodec } from './aes-gcm-codec.ts';
import type { CodecKey } from './codec-keys.ts';

export function codecDataConverter(keys: readonly CodecKey[]): DataConverter {
  return { payloadCodecs: [createAesGcmCodec(keys)] };
}
