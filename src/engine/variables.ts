/**
 * The Camunda typed-variable codec, both ways.
 *
 * Camunda's REST API carries every variable as `{type, value, valueInfo}`. BPTL decodes those into plain
 * JavaScript values for work units, and encodes work-unit output back, always with an explicit type (a value
 * sent without one becomes a Java-serialised object in the engine).
 *
 * | JavaScript value                | Camunda type | note                                                   |
 * |---------------------------------|--------------|--------------------------------------------------------|
 * | string                          | String       |                                                        |
 * | boolean                         | Boolean      |                                                        |
 * | integer in int32                | Integer      | the rule of Camunda's JavaScript client                |
 * | other safe integer, bigint      | Long         | beyond 2^53 sent and read as exact decimal text        |
 * | other finite number             | Double       | NaN and ±Infinity are refused                          |
 * | Date                            | Date         | sent as `yyyy-MM-dd'T'HH:mm:ss.SSS+0000`               |
 * | null, undefined                 | Null         |                                                        |
 * | Uint8Array (Buffer)             | Bytes        | base64                                                 |
 * | plain object or array           | Json         | sent as a JSON string                                  |
 * | `typed.xml(s)`, `typed.object(v, javaType)`, `typed.json(v)`, `typed.short(n)` … | as named |       |
 *
 * Decoding is the reverse; Json (and Object with `application/json`) is parsed, Xml stays a string.
 */
import { VariableError } from '../errors.ts';
import type { CamundaVariable, CamundaVariables } from './camunda-variable.ts';

export type { CamundaVariable, CamundaVariables } from './camunda-variable.ts';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** A value with an explicit Camunda type, for the cases that plain JavaScript values cannot express. */
export class TypedValue {
  readonly type: string;
  readonly value: unknown;
  readonly valueInfo: Record<string, unknown> | undefined;
  constructor(type: string, value: unknown, valueInfo?: Record<string, unknown>) {
    this.type = type;
    this.value = value;
    this.valueInfo = valueInfo;
  }
}

/** Marks a work-unit output value to be set as a local variable of the task's execution. */
export class LocalValue {
  readonly value: unknown;
  constructor(value: unknown) {
    this.value = value;
  }
}

/** Sets an output as a local variable (on the external task's execution) instead of a process variable. */
export function local(value: unknown): LocalValue {
  return new LocalValue(value);
}

/** Builders for values whose Camunda type differs from the one a plain value would get. */
export const typed = {
  /** An XML document (Spin Xml), given as a string. */
  xml: (xml: string) => new TypedValue('Xml', xml),
  /** A JSON value (Spin Json); useful to send a string or number as Json. */
  json: (value: unknown) => new TypedValue('Json', value),
  /** A Java object serialised as JSON, with its Java class name. */
  object: (value: unknown, objectTypeName: string) =>
    new TypedValue('Object', value, { objectTypeName, serializationDataFormat: 'application/json' }),
  short: (value: number) => new TypedValue('Short', value),
  integer: (value: number) => new TypedValue('Integer', value),
  long: (value: number | bigint) => new TypedValue('Long', value),
  double: (value: number) => new TypedValue('Double', value),
  string: (value: string) => new TypedValue('String', value),
};

/** Formats a date the way Camunda parses it by default: `yyyy-MM-dd'T'HH:mm:ss.SSSZ`, in UTC. */
export function formatCamundaDate(date: Date): string {
  return date.toISOString().replace(/Z$/, '+0000');
}

/** Parses Camunda's date format (`2024-05-01T10:00:00.000+0200`), and ISO-8601 too. */
export function parseCamundaDate(text: string): Date {
  // ISO-8601 wants the offset as +02:00; Camunda writes +0200.
  const iso = text.replace(/([+-])(\d{2})(\d{2})$/, '$1$2:$3');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`'${text}' is not a date`);
  return date;
}

function typeName(variable: CamundaVariable): string {
  // Camunda emits capitalised names, and folds only the first letter on input.
  const t = variable.type;
  return t.length > 0 ? t[0]!.toUpperCase() + t.slice(1) : t;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Decodes one wire variable into a JavaScript value. Throws VariableError naming the variable. */
export function decodeVariable(name: string, variable: CamundaVariable): unknown {
  if (variable === null || typeof variable !== 'object' || typeof variable.type !== 'string') {
    throw new VariableError(name, 'is not a typed value ({type, value, valueInfo})');
  }
  const { value } = variable;
  const type = typeName(variable);
  const expect = (ok: boolean, what: string) => {
    if (!ok) throw new VariableError(name, `a ${type} value must be ${what}, got ${JSON.stringify(value)}`);
  };
  if (value === null && type !== 'File') return null;
  switch (type) {
    case 'Null':
      return null;
    case 'String':
      expect(typeof value === 'string', 'a string');
      return value;
    case 'Boolean':
      expect(typeof value === 'boolean', 'a boolean');
      return value;
    case 'Short':
    case 'Integer':
      expect(typeof value === 'number' && Number.isInteger(value), 'an integer');
      return value;
    case 'Long':
      // Beyond 2^53 the client keeps a Long as its decimal text (see parseJsonKeepingBigIntegers).
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
      expect(typeof value === 'number' && Number.isInteger(value), 'an integer');
      return value;
    case 'Double':
      expect(typeof value === 'number', 'a number');
      return value;
    case 'Date':
      expect(typeof value === 'string', 'a date string');
      try {
        return parseCamundaDate(value as string);
      } catch (cause) {
        throw new VariableError(name, `'${String(value)}' is not a date`, { cause });
      }
    case 'Json':
      expect(typeof value === 'string', 'a JSON string');
      return parseJson(name, value as string);
    case 'Xml':
      expect(typeof value === 'string', 'an XML string');
      return value;
    case 'Bytes':
      expect(typeof value === 'string', 'a base64 string');
      return new Uint8Array(Buffer.from(value as string, 'base64'));
    case 'Object': {
      const format = variable.valueInfo?.serializationDataFormat;
      if (format === 'application/json' && typeof value === 'string') return parseJson(name, value);
      throw new VariableError(
        name,
        `an Object in format '${String(format)}' cannot be read; only application/json can (fetch with deserializeValues false)`,
      );
    }
    case 'File':
      throw new VariableError(name, 'File variables are not supported as work-unit input');
    default:
      throw new VariableError(name, `unknown variable type '${variable.type}'`);
  }
}

function parseJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const preview = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    throw new VariableError(
      name,
      `Json value does not parse: ${(cause as Error).message} (value: ${preview})`,
      {
        cause,
      },
    );
  }
}

/** Decodes all wire variables. Throws VariableError naming the first variable that cannot be read. */
export function decodeVariables(variables: CamundaVariables | undefined): Record<string, unknown> {
  // Without a prototype: a variable named `__proto__` is a variable, not the object's prototype, and
  // `constructor` or `toString` shadow nothing a reader relies on.
  const result = Object.create(null) as Record<string, unknown>;
  for (const [name, variable] of Object.entries(variables ?? {})) {
    result[name] = decodeVariable(name, variable);
  }
  return result;
}

function stringifyJson(name: string, value: unknown): string {
  try {
    const text = JSON.stringify(value);
    if (text === undefined) throw new Error('value has no JSON form');
    return text;
  } catch (cause) {
    throw new VariableError(name, `cannot be written as Json: ${(cause as Error).message}`, { cause });
  }
}

function encodeNumber(name: string, value: number): CamundaVariable {
  if (!Number.isFinite(value)) throw new VariableError(name, `${value} cannot be sent to Camunda`);
  if (Number.isInteger(value)) {
    if (value >= INT32_MIN && value <= INT32_MAX) return { type: 'Integer', value };
    if (Number.isSafeInteger(value)) return { type: 'Long', value };
  }
  return { type: 'Double', value };
}

function encodeTyped(name: string, tv: TypedValue): CamundaVariable {
  const info = tv.valueInfo ? { valueInfo: tv.valueInfo } : {};
  switch (tv.type) {
    case 'Json':
    case 'Object':
      return {
        type: tv.type,
        value:
          typeof tv.value === 'string' && tv.type === 'Object' ? tv.value : stringifyJson(name, tv.value),
        ...info,
      };
    case 'Long':
      if (typeof tv.value === 'bigint') return { type: 'Long', value: bigintToLong(name, tv.value) };
      return { type: 'Long', value: tv.value };
    default:
      return { type: tv.type, value: tv.value, ...info };
  }
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A Long within 2^53 is sent as a number; beyond it as decimal text, which Camunda accepts for a Long. */
function bigintToLong(name: string, value: bigint): number | string {
  if (value < LONG_MIN || value > LONG_MAX)
    throw new VariableError(name, `${value} does not fit a Long (64 bits)`);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/** Encodes one JavaScript value as a typed wire variable. Throws VariableError naming the variable. */
export function encodeVariable(name: string, value: unknown): CamundaVariable {
  if (value === null || value === undefined) return { type: 'Null', value: null };
  if (value instanceof TypedValue) return encodeTyped(name, value);
  switch (typeof value) {
    case 'string':
      return { type: 'String', value };
    case 'boolean':
      return { type: 'Boolean', value };
    case 'number':
      return encodeNumber(name, value);
    case 'bigint':
      return { type: 'Long', value: bigintToLong(name, value) };
    case 'object':
      break;
    default:
      throw new VariableError(name, `a ${typeof value} cannot be sent to Camunda`);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new VariableError(name, 'is an invalid Date');
    return { type: 'Date', value: formatCamundaDate(value) };
  }
  if (value instanceof Uint8Array) return { type: 'Bytes', value: Buffer.from(value).toString('base64') };
  if (Array.isArray(value) || isPlainObject(value))
    return { type: 'Json', value: stringifyJson(name, value) };
  throw new VariableError(name, `a ${value.constructor?.name ?? 'object'} cannot be sent to Camunda`);
}

/** Encodes values as typed wire variables. */
export function encodeVariables(values: Record<string, unknown>): CamundaVariables {
  const result = Object.create(null) as CamundaVariables;
  for (const [name, value] of Object.entries(values)) {
    result[name] = encodeVariable(name, value instanceof LocalValue ? value.value : value);
  }
  return result;
}

/** Encodes work-unit output, putting values marked with `local()` apart as local variables. */
export function encodeOutput(values: Record<string, unknown>): {
  variables: CamundaVariables;
  localVariables?: CamundaVariables;
} {
  const variables = Object.create(null) as CamundaVariables;
  const localVariables = Object.create(null) as CamundaVariables;
  for (const [name, value] of Object.entries(values)) {
    if (value instanceof LocalValue) localVariables[name] = encodeVariable(name, value.value);
    else variables[name] = encodeVariable(name, value);
  }
  return Object.keys(localVariables).length > 0 ? { variables, localVariables } : { variables };
}
