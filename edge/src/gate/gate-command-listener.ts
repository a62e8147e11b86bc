import { Logger } from '@nestjs/common';
import { GateCommandSchema, topics, type GateCommand } from '../../../libs/contracts/src/index.js';
import type { GateLink } from '../mqtt/gate-link.js';
import type { CommandGuard } from './command-guard.js';
import type { Lane } from './lane.js';

/**
 * Operator commands for one gate (review verdicts, CAN typed at the console, manual open) from the
 * hub over the gate's link; the broker ACL lets only the hub publish there. A command that is not
 * JSON, not for this gate, stale or replayed is never acted on (a refusal is shown on its lanes).
 */
export class GateCommandListener {
  private readonly log = new Logger('Gate');
  private subscribed = false;

  constructor(
    private readonly siteId: string,
    private readonly gateId: string,
    /** The gate's lanes by id (in the config's order). */
    private readonly lanes: ReadonlyMap<string, Lane>,
    private readonly guard: CommandGuard,
  ) {}

  /** The broker has acknowledged the subscription on the current connection: commands published now reach the gate. */
  get listening(): boolean {
    return this.subscribed;
  }

  listen(link: GateLink): void {
    link.onClose(() => (this.subscribed = false));
    link.subscribe(
      topics.gateCommands(this.siteId, this.gateId),
      1,
      (payload) => this.receive(payload),
      (e) => {
        if (e) this.log.warn(`gate ${this.gateId}: command subscription failed: ${e.message}`);
        else this.subscribed = true;
      },
    );
  }

  receive(payload: Buffer): void {
    const g = this.gateId;
    let json: unknown;
    try {
      json = JSON.parse(payload.toString());
    } catch {
      return this.log.warn(`gate ${g}: command is not JSON`);
    }
    const r = GateCommandSchema.safeParse(json);
    if (!r.success || r.data.siteId !== this.siteId || r.data.gateId !== g) return this.log.warn(`gate ${g}: command refused`);
    this.dispatch(r.data);
  }

  private dispatch(cmd: GateCommand): void {
    const g = this.gateId;
    const targets = [...this.lanes.values()].filter((l) => !('laneId' in cmd) || cmd.laneId === undefined || cmd.laneId === l.id);
    // Stale or seen before (replayed, or delivered late after a broker outage): never acted on.
    const refused = this.guard.admit(cmd);
    // The hub's command id on the gate's line (the hub logs it with the operator's HTTP request id).
    const ids = { gateId: g, laneId: 'laneId' in cmd ? cmd.laneId : undefined, commandId: cmd.commandId };
    if (refused) {
      this.log.warn({
        msg: `gate ${g}: ${cmd.type} ${cmd.commandId} by ${cmd.issuedBy} refused: ${refused} (expires ${cmd.expiresAt})`,
        ...ids,
      });
      for (const lane of targets) lane.commandRefused(refused);
      return;
    }
    this.log.log({ msg: `gate ${g}: ${cmd.type} by ${cmd.issuedBy}`, ...ids });
    for (const lane of targets) lane.command(cmd);
  }
}
