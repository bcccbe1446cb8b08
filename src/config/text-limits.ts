/**
 * The longest free text the configuration takes, besides names (names.ts) and URLs (urls.ts): what Camunda
 * itself keeps (its columns are varchar(255), tenant ids varchar(64)), what fits an HTTP header, and counts of
 * list items. Every input schema takes its limits from here; docs/api.md ("Limits") lists them.
 */
import { z } from 'zod';

/** A Camunda key or name: a variable name, process definition key, business key (varchar(255) columns). */
export const MAX_CAMUNDA_TEXT_LENGTH = 255;
/** A Camunda tenant id (varchar(64)). */
export const MAX_TENANT_ID_LENGTH = 64;
/** The most variable names a topic fetches. */
export const MAX_VARIABLES = 1_000;
/** The most tenant ids a topic fetches for. */
export const MAX_TENANT_IDS = 100;
/** The most service bindings of one topic. */
export const MAX_SERVICE_BINDINGS = 100;
/** A work unit's name (defineWorkUnit refuses longer ones, so every unit can be named by a topic). */
export const MAX_WORK_UNIT_NAME_LENGTH = 100;
/** A user name or a client id of an auth object. */
export const MAX_USER_LENGTH = 255;
/** An HTTP header name of an API-key auth. */
export const MAX_HEADER_NAME_LENGTH = 256;
/** A password, token, API key or client secret: it goes into a request header, which servers limit to ~8 KiB. */
export const MAX_SECRET_LENGTH = 8_192;
/** Who wrote, as the audit log names it (`token:<name>`, a console user, `bptl import`). */
export const MAX_ACTOR_LENGTH = 200;
/** A filter of the audit log by resource name (`<engine>/<topic>`, `<service>/<applicationId>`). */
export const MAX_RESOURCE_NAME_LENGTH = 512;

/** A Camunda key or name: 1 to 255 characters. */
export const camundaTextSchema = z.string().min(1).max(MAX_CAMUNDA_TEXT_LENGTH);
/** A Camunda tenant id: 1 to 64 characters. */
export const tenantIdSchema = z.string().min(1).max(MAX_TENANT_ID_LENGTH);
/** A user name or client id: 1 to 255 characters. */
export const userSchema = z.string().min(1).max(MAX_USER_LENGTH);
