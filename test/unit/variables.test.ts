import { describe, expect, it } from 'vitest';
import { parseJsonKeepingBigIntegers } from '../../src/engine/camunda-client.ts';
import { camundaVariableSchema, withoutNullInfo } from '../../src/engine/camunda-variable.ts';
import { lockedExternalTaskSchema } from '../../src/engine/external-task.ts';
import {
  type CamundaVariables,
  decodeVariable,
  decodeVariables,
  encodeOutput,
  encodeVariable,
  encodeVariables,
  formatCamundaDate,
  local,
  parseCamundaDate,
  typed,
} from '../../src/engine/variables.ts';
import { VariableError } from '../../src/errors.ts';
import { echo } from '../../src/work-units/library/echo.ts';

describe('encodeVariable', () => {
  it.each([
    ['a string', 'hi', { type: 'String', value: 'hi' }],
    ['a boolean', false, { type: 'Boolean', value: false }],
    ['an int32 as Integer', 2_147_483_647, { type: 'Integer', value: 2_147_483_647 }],
    ['a negative int32 as Integer', -2_147_483_648, { type: 'Integer', value: -2_147_483_648 }],
    ['a larger integer as Long', 2_147_483_648, { type: 'Long', value: 2_147_483_648 }],
    ['a safe bigint as Long', 12n, { type: 'Long', value: 12 }],
    ['a bigint beyond 2^53 as exact Long text', 2n ** 60n, { type: 'Long', value: '1152921504606846976' }],
    ['the largest Long', 2n ** 63n - 1n, { type: 'Long', value: '9223372036854775807' }],
    ['a fraction as Double', 1.5, { type: 'Double', value: 1.5 }],
    ['null as Null', null, { type: 'Null', value: null }],
    ['undefined as Null', undefined, { type: 'Null', value: null }],
    ['an object as a Json string', { a: [1, 'x'] }, { type: 'Json', value: '{"a":[1,"x"]}' }],
    ['an array as a Json string', [1, 2], { type: 'Json', value: '[1,2]' }],
    ['bytes as base64', new Uint8Array([104, 105]), { type: 'Bytes', value: 'aGk=' }],
    ['typed Xml', typed.xml('<a/>'), { type: 'Xml', value: '<a/>' }],
    ['a typed Json string', typed.json('x'), { type: 'Json', value: '"x"' }],
    ['a typed Short', typed.short(3), { type: 'Short', value: 3 }],
    [
      'a typed Object',
      typed.object({ a: 1 }, 'java.util.HashMap'),
      {
        type: 'Object',
        value: '{"a":1}',
        valueInfo: { objectTypeName: 'java.util.HashMap', serializationDataFormat: 'application/json' },
      },
    ],
  ])('sends %s', (_, value, expected) => {
    expect(encodeVariable('v', value)).toEqual(expected);
  });

  it('sends a Date in the format Camunda parses, in UTC', () => {
    expect(encodeVariable('d', new Date('2024-05-01T08:00:00.000Z'))).toEqual({
      type: 'Date',
      value: '2024-05-01T08:00:00.000+0000',
    });
  });

  it.each([
    ['NaN', Number.NaN, 'NaN cannot be sent'],
    ['Infinity', Number.POSITIVE_INFINITY, 'Infinity cannot be sent'],
    ['a bigint beyond 64 bits', 2n ** 64n, 'does not fit a Long'],
    ['an invalid Date', new Date('nope'), 'invalid Date'],
    ['a function', () => 1, 'a function cannot be sent'],
    ['a Map', new Map(), 'a Map cannot be sent'],
  ])('refuses %s, naming the variable', (_, value, message) => {
    expect(() => encodeVariable('total', value)).toThrowError(VariableError);
    expect(() => encodeVariable('total', value)).toThrowError(new RegExp(`variable 'total': .*${message}`));
  });

  it('refuses a circular object, naming the variable', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => encodeVariables({ ok: 1, loop })).toThrowError(/variable 'loop': cannot be written as Json/);
  });
});

describe('decodeVariable', () => {
  it('reads every supported type', () => {
    expect(
      decodeVariables({
        s: { type: 'String', value: 'x' },
        b: { type: 'Boolean', value: true },
        sh: { type: 'Short', value: 1 },
        i: { type: 'Integer', value: 2 },
        l: { type: 'Long', value: 3 },
        d: { type: 'Double', value: 0.5 },
        n: { type: 'Null', value: null },
        j: { type: 'Json', value: '{"a":[1]}' },
        lowercase: { type: 'json', value: '[]' },
        x: { type: 'Xml', value: '<a/>' },
        o: { type: 'Object', value: '{"k":"v"}', valueInfo: { serializationDataFormat: 'application/json' } },
        by: { type: 'Bytes', value: 'aGk=' },
      }),
    ).toEqual({
      s: 'x',
      b: true,
      sh: 1,
      i: 2,
      l: 3,
      d: 0.5,
      n: null,
      j: { a: [1] },
      lowercase: [],
      x: '<a/>',
      o: { k: 'v' },
      by: new Uint8Array([104, 105]),
    });
  });

  it('reads Camunda dates with any offset', () => {
    expect(decodeVariable('d', { type: 'Date', value: '2024-05-01T10:00:00.000+0200' })).toEqual(
      new Date('2024-05-01T08:00:00.000Z'),
    );
  });

  it.each([
    ['a Json value that does not parse', { type: 'Json', value: '{bad' }, 'Json value does not parse'],
    ['an unknown type', { type: 'Currency', value: 1 }, "unknown variable type 'Currency'"],
    ['a String that is a number', { type: 'String', value: 5 }, 'must be a string'],
    ['an Integer that is a fraction', { type: 'Integer', value: 1.5 }, 'must be an integer'],
    ['a bad Date', { type: 'Date', value: 'yesterday' }, "'yesterday' is not a date"],
    [
      'a Java-serialised Object',
      {
        type: 'Object',
        value: 'rO0AB',
        valueInfo: { serializationDataFormat: 'application/x-java-serialized-object' },
      },
      'cannot be read',
    ],
    ['a File', { type: 'File', value: null }, 'File variables are not supported'],
  ])('refuses %s, naming the variable', (_, variable, message) => {
    expect(() => decodeVariables({ customer: variable })).toThrowError(VariableError);
    expect(() => decodeVariables({ customer: variable })).toThrowError(`variable 'customer': `);
    expect(() => decodeVariables({ customer: variable })).toThrowError(message);
  });

  it('round-trips every plain value through the wire form', () => {
    const values = {
      s: 'x',
      b: false,
      i: 7,
      l: 2 ** 40,
      d: 2.5,
      n: null,
      date: new Date('2030-01-02T03:04:05.678Z'),
      json: { nested: { list: [1, 'two', null, true] } },
      bytes: new Uint8Array([0, 255]),
    };
    expect(decodeVariables(encodeVariables(values))).toEqual(values);
  });
});

describe('Longs beyond 2^53', () => {
  it('survive the JSON of a fetch answer and decode to an exact bigint', () => {
    const parsed = parseJsonKeepingBigIntegers(
      '{"variables":{"big":{"type":"Long","value":9223372036854775807},"small":{"type":"Long","value":42},"d":{"type":"Double","value":1.5}}}',
    ) as { variables: CamundaVariables };
    expect(parsed.variables.big!.value).toBe('9223372036854775807');
    expect(decodeVariables(parsed.variables)).toEqual({ big: 9_223_372_036_854_775_807n, small: 42, d: 1.5 });
  });
});

describe('local()', () => {
  it('puts a value apart as a local variable', () => {
    expect(encodeOutput({ a: 1, b: local('x') })).toEqual({
      variables: { a: { type: 'Integer', value: 1 } },
      localVariables: { b: { type: 'String', value: 'x' } },
    });
    expect(encodeOutput({ a: 1 })).toEqual({ variables: { a: { type: 'Integer', value: 1 } } });
  });
});

describe('Camunda dates', () => {
  it('formats and parses symmetrically', () => {
    const date = new Date('2024-12-31T23:59:59.999Z');
    expect(formatCamundaDate(date)).toBe('2024-12-31T23:59:59.999+0000');
    expect(parseCamundaDate(formatCamundaDate(date))).toEqual(date);
  });
});

describe('the wire schema of a typed value (camundaVariableSchema)', () => {
  it('takes what encodeVariable sends, with and without valueInfo', () => {
    for (const value of ['hi', 2n ** 60n, new Date(0), { a: 1 }, typed.xml('<a/>')]) {
      const wire = encodeVariable('v', value);
      expect(camundaVariableSchema.parse(wire)).toEqual(wire);
    }
  });

  it('refuses a value without a type, naming the field', () => {
    const result = camundaVariableSchema.safeParse({ value: 'x' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['type']);
  });

  it("a fetched task's variable may carry valueInfo null (as the engine may send it); the API's may not", () => {
    const variable = { type: 'String', value: 'x', valueInfo: null };
    const task = lockedExternalTaskSchema.parse({ id: 't1', topicName: 'x', variables: { v: variable } });
    expect(task.variables?.v).toEqual(variable);
    expect(camundaVariableSchema.safeParse(variable).success).toBe(false);
  });

  it('withoutNullInfo leaves out a null valueInfo and keeps a set one', () => {
    expect(withoutNullInfo({ type: 'Null', value: null, valueInfo: null })).toEqual({
      type: 'Null',
      value: null,
    });
    const xml = { type: 'Xml', value: '<a/>', valueInfo: { serializationDataFormat: 'application/xml' } };
    expect(withoutNullInfo(xml)).toEqual(xml);
  });
});

describe('variables named like Object.prototype members', () => {
  // JSON.parse makes `__proto__` an own property, as Camunda's JSON answer does.
  const fromCamunda = JSON.parse(
    '{"__proto__": {"type": "String", "value": "p"}, "constructor": {"type": "String", "value": "c"}, "toString": {"type": "String", "value": "t"}}',
  ) as CamundaVariables;

  it('decode into own properties of an object without a prototype', () => {
    const decoded = decodeVariables(fromCamunda);
    expect(Object.getPrototypeOf(decoded)).toBeNull();
    expect(Object.keys(decoded).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toBe('p');
    expect(decoded.constructor).toBe('c');
    expect(decoded.toString).toBe('t');
  });

  it('encode as variables of those names, not as a prototype', () => {
    const values = JSON.parse('{"__proto__": "p", "constructor": "c", "toString": "t"}') as Record<
      string,
      unknown
    >;
    const encoded = encodeVariables(values);
    expect(Object.keys(encoded).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(encoded, '__proto__')?.value).toEqual({
      type: 'String',
      value: 'p',
    });
    expect(JSON.parse(JSON.stringify(encoded))).toEqual(JSON.parse(JSON.stringify(fromCamunda)));
  });

  it("cannot set what a unit reads through a `__proto__` variable (it changed echo's output names)", () => {
    const decoded = decodeVariables(
      JSON.parse(
        '{"__proto__": {"type": "Json", "value": "{\\"echoPrefix\\": \\"owned_\\"}"}, "n": {"type": "Integer", "value": 1}}',
      ) as CamundaVariables,
    );
    const input = echo.input.parse(decoded) as { echoPrefix: string };
    expect(input.echoPrefix).toBe('echo_');
    // zod passes no `__proto__` key to a unit: the variable is not read by any unit's schema.
    expect(Object.keys(input).sort()).toEqual(['echoPrefix', 'n']);
  });
});
