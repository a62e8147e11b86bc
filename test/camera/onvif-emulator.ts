import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export interface OnvifEmulatorOptions {
  username: string;
  password: string;
  /** RTSP URI GetStreamUri hands out (the test's real RTSP server). */
  streamUri: string;
  width: number;
  height: number;
}

const NS =
  'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" ' +
  'xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema" ' +
  'xmlns:ter="http://www.onvif.org/ver10/error"';
const envelope = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><s:Envelope ${NS}><s:Body>${body}</s:Body></s:Envelope>`;
const fault = (code: string, sub: string, reason: string) =>
  envelope(
    `<s:Fault><s:Code><s:Value>s:${code}</s:Value><s:Subcode><s:Value>${sub}</s:Value></s:Subcode></s:Code>` +
      `<s:Reason><s:Text xml:lang="en">${reason}</s:Text></s:Reason></s:Fault>`,
  );

/**
 * A small ONVIF Profile S device on 127.0.0.1 (SOAP 1.2 over HTTP): GetSystemDateAndTime without
 * auth, then WS-Security UsernameToken (PasswordDigest) checked on GetCapabilities, GetProfiles,
 * GetVideoSources, GetStreamUri and GetSnapshotUri. GetServices answers ActionNotSupported, as older
 * cameras do, so clients fall back to GetCapabilities. Records the actions it was asked.
 */
export class OnvifEmulator {
  private server: Server | undefined;
  readonly calls: string[] = [];
  port = 0;

  constructor(private readonly o: OnvifEmulatorOptions) {}

  async start(): Promise<number> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { status, xml } = this.answer(body);
        res.writeHead(status, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
        res.end(xml);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private answer(body: string): { status: number; xml: string } {
    const action = /<s:Body[^>]*>\s*<(?:\w+:)?(\w+)/.exec(body)?.[1] ?? 'unknown';
    this.calls.push(action);
    const base = `http://127.0.0.1:${this.port}/onvif`;
    if (action === 'GetSystemDateAndTime') {
      const d = new Date();
      return {
        status: 200,
        xml: envelope(
          `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>` +
            `<tt:DaylightSavings>false</tt:DaylightSavings><tt:UTCDateTime>` +
            `<tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
            `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date>` +
            `</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`,
        ),
      };
    }
    if (!this.authorised(body)) return { status: 400, xml: fault('Sender', 'ter:NotAuthorized', 'Sender not authorized') };
    switch (action) {
      case 'GetServices':
        return { status: 400, xml: fault('Receiver', 'ter:ActionNotSupported', 'Optional Action Not Implemented') };
      case 'GetCapabilities':
        return {
          status: 200,
          xml: envelope(
            `<tds:GetCapabilitiesResponse><tds:Capabilities>` +
              `<tt:Device><tt:XAddr>${base}/device_service</tt:XAddr></tt:Device>` +
              `<tt:Media><tt:XAddr>${base}/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>` +
              `<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>` +
              `</tds:Capabilities></tds:GetCapabilitiesResponse>`,
          ),
        };
      case 'GetVideoSources':
        return {
          status: 200,
          xml: envelope(
            `<trt:GetVideoSourcesResponse><trt:VideoSources token="vs0"><tt:Framerate>10</tt:Framerate>` +
              `<tt:Resolution><tt:Width>${this.o.width}</tt:Width><tt:Height>${this.o.height}</tt:Height></tt:Resolution>` +
              `</trt:VideoSources></trt:GetVideoSourcesResponse>`,
          ),
        };
      case 'GetProfiles':
        return {
          status: 200,
          xml: envelope(
            `<trt:GetProfilesResponse>` +
              `<trt:Profiles token="main" fixed="true"><tt:Name>MainStream</tt:Name>` +
              `<tt:VideoSourceConfiguration token="vsc0"><tt:Name>vsc0</tt:Name><tt:UseCount>1</tt:UseCount><tt:SourceToken>vs0</tt:SourceToken>` +
              `<tt:Bounds x="0" y="0" width="${this.o.width}" height="${this.o.height}"/></tt:VideoSourceConfiguration>` +
              `<tt:VideoEncoderConfiguration token="vec0"><tt:Name>vec0</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>` +
              `<tt:Resolution><tt:Width>${this.o.width}</tt:Width><tt:Height>${this.o.height}</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality>` +
              `<tt:RateControl><tt:FrameRateLimit>10</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>1024</tt:BitrateLimit></tt:RateControl>` +
              `</tt:VideoEncoderConfiguration></trt:Profiles>` +
              `</trt:GetProfilesResponse>`,
          ),
        };
      case 'GetStreamUri':
        return {
          status: 200,
          xml: envelope(
            `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${this.o.streamUri}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
              `<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`,
          ),
        };
      case 'GetSnapshotUri':
        return {
          status: 200,
          xml: envelope(
            `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>${base}/snapshot.jpg</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
              `<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetSnapshotUriResponse>`,
          ),
        };
      default:
        return { status: 400, xml: fault('Receiver', 'ter:ActionNotSupported', `${action} not implemented`) };
    }
  }

  /** WS-Security UsernameToken: PasswordDigest = base64(sha1(nonce + created + password)). */
  private authorised(body: string): boolean {
    const user = /<(?:\w+:)?Username>([^<]*)</.exec(body)?.[1];
    const digest = /<(?:\w+:)?Password[^>]*>([^<]*)</.exec(body)?.[1];
    const nonce = /<(?:\w+:)?Nonce[^>]*>([^<]*)</.exec(body)?.[1];
    const created = /<(?:\w+:)?Created[^>]*>([^<]*)</.exec(body)?.[1];
    if (!user || !digest || !nonce || !created || user !== this.o.username) return false;
    const expected = createHash('sha1')
      .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created, 'ascii'), Buffer.from(this.o.password, 'ascii')]))
      .digest('base64');
    return expected === digest;
  }
}
