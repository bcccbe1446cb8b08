/**
 * The codec server of the Temporal UI and CLI (Temporal's codec-server protocol): POST /codec/decode and
 * POST /codec/encode take `{"payloads": [{"metadata": {"<key>": "<base64>"}, "data": "<base64>"}]}` and answer the
 * same shape, each payload run through BPTL's payload codec (src/codec/aes-gcm-codec.ts). They need a viewer
 * token, or a console session: the Temporal UI sends the operator's `bptl_session` cookie when its codec
 * setting "include cross-origin credentials" is on. A browser may call them from the origins in
 * BPTL_CODEC_CORS_ORIGINS (codec-cors.ts). They change nothing, so a cookie is no CSRF risk here; and a
 * cross-origin JSON POST needs a preflight, which other origins do not pass.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { PayloadDecryptError, UnknownCodecKeyError } from '../../codec/codec-errors.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { type Operation, operation } from '../operation.ts';
import { ApiProblem } from '../problem.ts';

const base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64')
  .describe('base64');

const jsonPayloadSchema = z.object({
  metadata: z.record(z.string(), base64).optional(),
  data: base64.optional(),
});

export const codecPayloadsSchema = z.object({ payloads: z.array(jsonPayloadSchema).max(10_000) });
type JsonPayload = z.infer<typeof jsonPayloadSchema>;

const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
const toBase64 = (bytes: Uint8Array | null | undefined) =>
  Buffer.from(bytes?.buffer ?? new ArrayBuffer(0), bytes?.byteOffset ?? 0, bytes?.byteLength ?? 0).toString(
    'base64',
  );

function fromJson(payload: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, fromBase64(v)])),
    data: fromBase64(payload.data ?? ''),
  };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, toBase64(v)])),
    data: toBase64(payload.data),
  };
}

export function codecOperations(deps: ApiDependencies): Operation[] {
  const run = async (
    direction: 'encode' | 'decode',
    codec: PayloadCodec | undefined,
    payloads: JsonPayload[],
  ) => {
    if (!codec) throw new ApiProblem(503, 'no payload codec is configured in this API');
    try {
      const done = await codec[direction](payloads.map(fromJson));
      return { payloads: done.map(toJson) };
    } catch (error) {
      if (error instanceof UnknownCodecKeyError || error instanceof PayloadDecryptError) {
        throw new ApiProblem(422, error.message);
      }
      throw error;
    }
  };
  const common = {
    method: 'post',
    tag: 'codec',
    access: 'viewer',
    sessionCookie: true,
    body: codecPayloadsSchema,
  } as const;
  return [
    operation({
      ...common,
      path: '/codec/decode',
      operationId: 'codecDecode',
      summary: 'Decrypt payloads (the codec server of the Temporal UI)',
      description:
        "Payloads encrypted by BPTL come back as they were; others come back unchanged. Set this API's `/codec` " +
        'as the Temporal UI\'s codec endpoint (docs/operations.md, "Process data in Temporal").',
      responses: { 200: { description: 'the decoded payloads', schema: codecPayloadsSchema } },
      problems: [400, 415, 422, 503],
      handler: async (c, { body }) => c.json(await run('decode', deps.codec, body.payloads)),
    }),
    operation({
      ...common,
      path: '/codec/encode',
      operationId: 'codecEncode',
      summary: 'Encrypt payloads with the current codec key',
      responses: { 200: { description: 'the encoded payloads', schema: codecPayloadsSchema } },
      problems: [400, 415, 422, 503],
      handler: async (c, { body }) => c.json(await run('encode', deps.codec, body.payloads)),
    }),
  ];
}
