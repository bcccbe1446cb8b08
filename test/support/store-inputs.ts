/**
 * Parsed inputs for the configuration store in tests. The store takes values its callers parsed (the API in
 * createApp, a configuration file in its schema): these parse a test's literal with the same schemas, so that
 * defaults are filled in and a bad literal fails here with the schema's issues.
 */
import type { z } from 'zod';
import {
  engineInputSchema,
  engineUpdateSchema,
  serviceInputSchema,
  serviceUpdateSchema,
  topicInputSchema,
  topicUpdateSchema,
} from '../../src/store/schemas.ts';

export const engineInput = (input: z.input<typeof engineInputSchema>) => engineInputSchema.parse(input);
export const engineUpdate = (input: z.input<typeof engineUpdateSchema>) => engineUpdateSchema.parse(input);
export const serviceInput = (input: z.input<typeof serviceInputSchema>) => serviceInputSchema.parse(input);
export const serviceUpdate = (input: z.input<typeof serviceUpdateSchema>) => serviceUpdateSchema.parse(input);
export const topicInput = (input: z.input<typeof topicInputSchema>) => topicInputSchema.parse(input);
export const topicUpdate = (input: z.input<typeof topicUpdateSchema>) => topicUpdateSchema.parse(input);
