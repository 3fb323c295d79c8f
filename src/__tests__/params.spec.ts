/**
 * @jest-environment node
 */
import {
  initialText,
  kindOf,
  parseEnv,
  parseSweepValues,
  parseValue,
  pythonLiteralToJSON,
  sweepSize
} from '../model/params';

describe('parameter values', () => {
  it('reads Python literals from a parameters cell', () => {
    expect(pythonLiteralToJSON('10')).toBe(10);
    expect(pythonLiteralToJSON('0.5')).toBe(0.5);
    expect(pythonLiteralToJSON("'abc'")).toBe('abc');
    expect(pythonLiteralToJSON('"a \\"b\\""')).toBe('a "b"');
    expect(pythonLiteralToJSON('True')).toBe(true);
    expect(pythonLiteralToJSON('None')).toBeNull();
    expect(pythonLiteralToJSON("[1, 'two', None, False,]")).toEqual([1, 'two', null, false]);
    expect(pythonLiteralToJSON("{'a': (1, 2), 'Trueish': 'None'}")).toEqual({
      a: [1, 2],
      Trueish: 'None'
    });
    expect(pythonLiteralToJSON('datetime.now()')).toBeUndefined();
  });

  it('prefills form text by type', () => {
    expect(initialText({ name: 'n', inferred_type: 'int', default: '3', help: '' })).toBe('3');
    expect(initialText({ name: 's', inferred_type: 'str', default: "'hi'", help: '' })).toBe('hi');
    expect(initialText({ name: 'b', inferred_type: 'bool', default: 'False', help: '' })).toBe(
      'false'
    );
    expect(initialText({ name: 'l', inferred_type: 'list', default: '[1, 2]', help: '' })).toBe(
      '[1,2]'
    );
    expect(kindOf('dict')).toBe('json');
    expect(kindOf(null)).toBe('json');
  });

  it('keeps types when parsing form text and rejects bad text', () => {
    expect(parseValue('int', ' 42 ')).toEqual({ value: 42 });
    expect(parseValue('int', '4.2')).toHaveProperty('error');
    expect(parseValue('float', '1e3')).toEqual({ value: 1000 });
    expect(parseValue('float', 'abc')).toHaveProperty('error');
    expect(parseValue('bool', 'true')).toEqual({ value: true });
    expect(parseValue('str', ' keep spaces ')).toEqual({ value: ' keep spaces ' });
    expect(parseValue('json', '{"a": [1]}')).toEqual({ value: { a: [1] } });
    expect(parseValue('json', '{a: 1}')).toHaveProperty('error');
  });

  it('parses sweep values and counts runs', () => {
    expect(parseSweepValues('int', '1, 2\n3')).toEqual({ values: [1, 2, 3] });
    expect(parseSweepValues('str', 'a, b\nc')).toEqual({ values: ['a, b', 'c'] });
    expect(parseSweepValues('int', '1, x')).toHaveProperty('error');
    expect(sweepSize({ a: [1, 2, 3], b: ['x', 'y'] })).toBe(6);
    expect(sweepSize({})).toBe(0);
  });

  it('parses environment variables', () => {
    expect(parseEnv('A=1\n\nB_2= x=y ')).toEqual({ env: { A: '1', B_2: ' x=y ' } });
    expect(parseEnv('1A=3')).toHaveProperty('error');
    expect(parseEnv('novalue')).toHaveProperty('error');
  });
});

describe('parameter rows for values chosen before', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { parseRows, rowsFromValues } = require('../components/paramRows');
  const declared = [
    { name: 'n', inferred_type: 'int', default: '3', help: 'how many' },
    { name: 'label', inferred_type: 'str', default: '"x"', help: '' }
  ];

  it("types the notebook's parameters and keeps values it does not declare", () => {
    const rows = rowsFromValues({ n: 7, extra: [1, 2], flag: true }, declared);
    expect(rows.map((r: any) => [r.name, r.kind, r.text, r.custom])).toEqual([
      ['n', 'int', '7', false],
      ['label', 'str', 'x', false],
      ['extra', 'json', '[1,2]', true],
      ['flag', 'bool', 'true', true]
    ]);
    expect(parseRows(rows)).toEqual({
      values: { n: 7, label: 'x', extra: [1, 2], flag: true },
      errors: {}
    });
  });

  it('reports every mistake at once', () => {
    const rows = rowsFromValues({ n: 1, extra: 1 }, declared);
    rows[0].text = 'x';
    rows[2].text = '{bad';
    expect(Object.keys(parseRows(rows).errors)).toEqual(['param:n', 'param:extra']);
  });
});
