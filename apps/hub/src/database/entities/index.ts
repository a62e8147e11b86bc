import { CountMinuteEntity } from './count-minute.entity.js';
import { DeadLetterEntity } from './dead-letter.entity.js';
import { GateEventEntity } from './gate-event.entity.js';
import { GateEntity } from './gate.entity.js';
import { SiteEntity } from './site.entity.js';
import { ZoneEntity } from './zone.entity.js';

export { CountMinuteEntity, DeadLetterEntity, GateEventEntity, GateEntity, SiteEntity, ZoneEntity };
export const hubEntities = [SiteEntity, ZoneEntity, GateEntity, GateEventEntity, CountMinuteEntity, DeadLetterEntity];
