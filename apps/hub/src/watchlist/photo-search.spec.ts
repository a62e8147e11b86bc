import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { authedFetch, login } from '../../../../test/support/hub-auth.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';

/** A PNG whose header claims width × height (signature, IHDR, empty IDAT, IEND; valid CRCs). */
function pngHeaderClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(0))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test(
  'photo search refuses empty, decompression-bomb, SVG, GIF and face-less photos with 422 and the reason, as enrolment does; a 48 MP photo is scaled, not refused',
  { timeout: 120_000 },
  async () => {
    const { hub, siteA } = await startTwoSiteHub();
    try {
      const admin = authedFetch((await login(hub.url)).accessToken);
      const search = async (photo: Buffer) => {
        const res = await admin(`${hub.url}/api/sites/${siteA}/watchlist/search`, {
          method: 'POST',
          body: { photo: photo.toString('base64') },
        });
        return { status: res.status, body: (await res.json()) as { message: string; photos?: { refusal: string; reason: string }[] } };
      };
      const enrol = async (photo: Buffer) => {
        const res = await admin(`${hub.url}/api/sites/${siteA}/watchlist`, {
          method: 'POST',
          body: { fullName: 'Phạm Văn D', photos: [photo.toString('base64')] },
        });
        return { status: res.status, body: (await res.json()) as { photos?: { refusal: string; reason: string }[] } };
      };
      const jpeg = readFileSync('../shared/faces/df01/1.jpg');
      const cases: [string, Buffer, string, RegExp][] = [
        ['empty', Buffer.alloc(0), 'image', /empty/],
        [
          'SVG',
          Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><circle cx="50" cy="50" r="40"/></svg>'),
          'image',
          /svg/i,
        ],
        ['GIF', await sharp(jpeg).resize(64).gif().toBuffer(), 'image', /gif/i],
        // A header claiming 900 megapixels (a decompression bomb) is refused before decoding…
        ['oversized', pngHeaderClaiming(30_000, 30_000), 'image', /too-large|pixel/i],
        // …while a real 48-megapixel photo is scaled down and searched (here: no face in it).
        [
          '48 MP, no face',
          await sharp({ create: { width: 8000, height: 6000, channels: 3, background: '#808080' } })
            .png({ compressionLevel: 9 })
            .toBuffer(),
          'no-face',
          /no face/,
        ],
        [
          'no face',
          await sharp({ create: { width: 320, height: 240, channels: 3, background: '#406080' } })
            .jpeg()
            .toBuffer(),
          'no-face',
          /no face/,
        ],
      ];
      for (const [what, photo, refusal, reason] of cases) {
        const r = await search(photo);
        assert.equal(r.status, 422, `${what}: ${JSON.stringify(r.body).slice(0, 300)}`);
        assert.equal(r.body.photos?.[0]?.refusal, refusal, what);
        assert.match(r.body.message, reason, what);
        if (what !== 'empty') {
          // The same photo at enrolment is refused for the same kind of reason.
          const e = await enrol(photo);
          assert.equal(e.status, 422, what);
          assert.equal(e.body.photos?.[0]?.refusal, refusal, `${what} at enrolment`);
        }
      }
      // A real face still searches.
      assert.equal((await search(jpeg)).status, 200);
    } finally {
      await hub.close();
    }
  },
);
