import { AlertPhotosController } from '../alerts/alert-photos.controller.js';
import { GateStatusController } from '../registry/gate-status.controller.js';
import { EventExportService } from './event-export.service.js';
import { HeavyReadInterceptor, HeavyReadLimiter } from '../http/heavy-read.limiter.js';
import { ReportsController } from './reports.controller.js';
import { ReportsRepository } from './reports.repository.js';

/** The hub API added for the web app's screens: reports, exports, an alert's two photos, gate health. */
export const reportsControllers = [ReportsController, AlertPhotosController, GateStatusController];
export const reportsProviders = [ReportsRepository, EventExportService, HeavyReadLimiter, HeavyReadInterceptor];
