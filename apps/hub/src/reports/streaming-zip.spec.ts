import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { StreamingZip } from './streaming-zip.js';

/** A destination that takes one chunk every `delayMs`, like a slow client. */
function slowSink(delayMs: number, keep: Buffer[]): Writable {
  return new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      keep.push(chunk);
      setTimeout(cb, delayMs);
    },
  });
}

test('a streamed ZIP reads back with unzip, entry for entry, byte for byte', async () => {
  const parts: Buffer[] = [];
  const sink = slowSink(0, parts);
  const zip = new StreamingZip(sink);
  // Random bytes do not compress: the deflated entry is larger than its source.
  const noise = randomBytes(300_000);
  const text = Array.from({ length: 20_000 }, (_, i) => `row ${i} Hoàng Sa, Trường Sa\n`).join('');
  await zip.entry('a/noise.bin', [noise.subarray(0, 100_000), noise.subarray(100_000)]);
  await zip.entry(
    'b/văn bản.txt',
    (async function* () {
      for (let i = 0; i < text.length; i += 7777) yield text.slice(i, i + 7777);
    })(),
  );
  await zip.entry('empty.txt', []);
  await zip.finish();
  const dir = mkdtempSync(join(tmpdir(), 'cg-zip-'));
  writeFileSync(join(dir, 'x.zip'), Buffer.concat(parts));
  const listing = execFileSync('unzip', ['-t', join(dir, 'x.zip')], { encoding: 'utf8' });
  assert.match(listing, /No errors detected/);
  execFileSync('unzip', ['-q', join(dir, 'x.zip'), '-d', join(dir, 'out')]);
  assert.deepEqual(readFileSync(join(dir, 'out/a/noise.bin')), noise);
  assert.equal(readFileSync(join(dir, 'out/b/văn bản.txt'), 'utf8'), text);
  assert.equal(readFileSync(join(dir, 'out/empty.txt')).length, 0);
});

test('the source is read only as fast as a slow destination takes the archive (backpressure)', async () => {
  let written = 0;
  const sink = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      written += chunk.length;
      setTimeout(cb, 1);
    },
  });
  const zip = new StreamingZip(sink);
  let produced = 0;
  let maxAhead = 0;
  // 300 incompressible 64 KB chunks (19.7 MB): read ahead without bound, the source would be whole in memory.
  const chunk = randomBytes(64 * 1024);
  await zip.entry(
    'big.bin',
    (function* () {
      for (let i = 0; i < 300; i++) {
        produced += chunk.length;
        maxAhead = Math.max(maxAhead, produced - written);
        yield chunk;
      }
    })(),
  );
  await zip.finish();
  // archiver's stages (source, deflater, zip stream, archive) each hold a high-water mark's worth:
  // a few MB ahead of the destination at most, whatever the size (3.6 MB measured at 20 MB and at 64 MB).
  assert.ok(maxAhead < 6 * 1024 * 1024, `read ${maxAhead} bytes ahead of the destination`);
  assert.ok(written > 300 * chunk.length, 'everything reached the destination');
});

test('a destination that closes mid-entry stops the writer with an error, and the source is not drained', async () => {
  const sink = new Writable({
    highWaterMark: 1024,
    write(_c, _e, cb) {
      setTimeout(cb, 5);
    },
  });
  const zip = new StreamingZip(sink);
  let pulled = 0;
  const chunk = randomBytes(32 * 1024);
  setTimeout(() => sink.destroy(), 50);
  await assert.rejects(
    zip.entry(
      'x.bin',
      (function* () {
        for (;;) {
          pulled++;
          yield chunk;
        }
      })(),
    ),
    /client closed the connection/,
  );
  assert.ok(pulled < 200, `pulled ${pulled} chunks after the client left`);
});

test('exceljs reads a workbook written by hand through the streaming ZIP (the export path)', async () => {
  // Covered end to end by the manager walk (test/e2e/web-app.spec.ts); here the parts alone.
  const parts: Buffer[] = [];
  const zip = new StreamingZip(slowSink(0, parts));
  await zip.entry('xl/worksheets/sheet1.xml', [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Cổng &amp; lối</t></is></c><c r="B1"><v>42</v></c></row>',
    '</sheetData></worksheet>',
  ]);
  await zip.entry('[Content_Types].xml', [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
  ]);
  await zip.entry('_rels/.rels', [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
  ]);
  await zip.entry('xl/workbook.xml', [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="events" sheetId="1" r:id="rId1"/></sheets></workbook>',
  ]);
  await zip.entry('xl/_rels/workbook.xml.rels', [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
  ]);
  await zip.finish();
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.concat(parts) as never);
  const ws = wb.getWorksheet('events')!;
  assert.equal(ws.getCell('A1').value, 'Cổng & lối');
  assert.equal(ws.getCell('B1').value, 42);
});
