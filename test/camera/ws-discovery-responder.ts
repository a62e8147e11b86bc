import { createSocket, type Socket } from 'node:dgram';
import { randomUUID } from 'node:crypto';

const WS_DISCOVERY_GROUP = '239.255.255.250';
const WS_DISCOVERY_PORT = 3702;

/**
 * Answers WS-Discovery Probe messages on the multicast group as an ONVIF camera does, naming the
 * device service address (XAddrs) of an OnvifEmulator. Used inside a private network namespace,
 * where multicast over loopback reaches nothing but the test.
 */
export class WsDiscoveryResponder {
  private socket: Socket | undefined;
  readonly urn = `urn:uuid:${randomUUID()}`;
  probes = 0;

  constructor(private readonly xaddr: string) {}

  async start(): Promise<void> {
    const s = createSocket({ type: 'udp4', reuseAddr: true });
    this.socket = s;
    s.on('message', (msg, rinfo) => {
      const text = msg.toString();
      if (!/Probe>/.test(text) || /ProbeMatches/.test(text)) return;
      this.probes++;
      const relatesTo = /MessageID[^>]*>([^<]+)</.exec(text)?.[1] ?? '';
      s.send(Buffer.from(this.probeMatch(relatesTo)), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => s.bind(WS_DISCOVERY_PORT, () => r()));
    s.addMembership(WS_DISCOVERY_GROUP, '127.0.0.1');
  }

  private probeMatch(relatesTo: string): string {
    return (
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" ' +
      'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
      'xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
      `<SOAP-ENV:Header><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${relatesTo}</wsa:RelatesTo>` +
      '<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>' +
      '<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>' +
      '<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch>' +
      `<wsa:EndpointReference><wsa:Address>${this.urn}</wsa:Address></wsa:EndpointReference>` +
      '<d:Types>dn:NetworkVideoTransmitter</d:Types>' +
      '<d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/CongAI-Emulator</d:Scopes>' +
      `<d:XAddrs>${this.xaddr}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>` +
      '</d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>'
    );
  }

  stop(): void {
    this.socket?.close();
  }
}
