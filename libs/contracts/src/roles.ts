import { z } from 'zod';

/**
 * Hub roles. admin: everything; security: alerts and watchlists of their sites; operator: gate
 * consoles of their sites; manager: reports of their sites; ioc: read-only wall display (API key).
 */
export const RoleSchema = z.enum(['admin', 'security', 'operator', 'manager', 'ioc']);
export type Role = z.infer<typeof RoleSchema>;
