import type { GateRef } from '../registry/site-registry.service.js';

/**
 * Splits gates over `n` connections by a stable hash of site/gate, so adding a gate does not move
 * the others to another broker session.
 */
export function ingestPartition(gates: readonly GateRef[], n: number): GateRef[][] {
  const parts: GateRef[][] = Array.from({ length: Math.max(1, Math.min(n, gates.length || 1)) }, () => []);
  for (const g of gates) {
    let h = 0x811c9dc5;
    for (const ch of `${g.siteId}/${g.gateId}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    parts[h % parts.length]!.push(g);
  }
  return parts;
}
