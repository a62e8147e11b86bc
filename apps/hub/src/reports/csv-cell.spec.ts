import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { csvCell } from './event-export.service.js';

const nasty = [
  'ok;=1+1',
  '=HYPERLINK("http://x")',
  '+1',
  '-2+3',
  '@SUM(A1)',
  '\t=1+1',
  '\r=1+1',
  'a,=1+1',
  'a\t=1',
  'fine',
  'Cổng 1; "quoted"',
  'x\n=1',
];

test('CSV cells never start a formula, whether a spreadsheet splits on "," or on ";" (vi-VN Excel list separator)', () => {
  const line = nasty.map(csvCell).join(',');
  for (const delimiter of [',', ';']) {
    const [row] = parse(line, { delimiter, relax_quotes: true, relax_column_count: true }) as string[][];
    for (const cell of row!)
      assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `delimiter ${JSON.stringify(delimiter)}: cell ${JSON.stringify(cell)} of ${line}`);
  }
  // Read back with the file's own separator, every value is there (behind the neutralising quote).
  const [row] = parse(line, { delimiter: ',' }) as string[][];
  assert.deepEqual(
    row,
    nasty.map((s) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s)),
  );
});
