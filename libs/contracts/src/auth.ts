import { z } from 'zod';
import { IdSchema, IsoTimeSchema } from './ids.js';
import { RoleSchema } from './roles.js';

/** Hub user names: short, lower-case, safe in logs and audit rows. */
export const UsernameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, 'usernames are 2–63 chars of a-z, 0-9, ".", "_" or "-"');
/** New passwords: long rather than complex (NIST SP 800-63B). */
export const NewPasswordSchema = z.string().min(12, 'passwords have at least 12 characters').max(256);

/** POST /api/auth/login */
export const LoginRequestSchema = z.strictObject({ username: z.string().min(1).max(63), password: z.string().min(1).max(256) });
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** POST /api/auth/refresh and /api/auth/logout: the refresh token is the credential. */
export const RefreshRequestSchema = z.strictObject({ refreshToken: z.string().min(10).max(200) });
export type RefreshRequest = z.infer<typeof RefreshRequestSchema>;

/** POST /api/auth/password: change one's own password. */
export const ChangePasswordSchema = z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: NewPasswordSchema });
export type ChangePassword = z.infer<typeof ChangePasswordSchema>;

/** Who the caller is: a user (JWT) or an IOC wall display (API key). `siteIds: "*"` = every site (admin). */
export const PrincipalInfoSchema = z.object({
  kind: z.enum(['user', 'apiKey']),
  id: z.number().int(),
  name: z.string(),
  role: RoleSchema,
  siteIds: z.union([z.literal('*'), z.array(IdSchema)]),
  /** A user signed in with a one-time or admin-set password: must choose their own before anything else. */
  mustChangePassword: z.boolean().optional(),
});
export type PrincipalInfo = z.infer<typeof PrincipalInfoSchema>;

export const TokenPairSchema = z.object({
  accessToken: z.string(),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int(),
  /** Single use: each refresh returns a new one and revokes the old. */
  refreshToken: z.string(),
  refreshExpiresAt: IsoTimeSchema,
  user: PrincipalInfoSchema,
});
export type TokenPair = z.infer<typeof TokenPairSchema>;

/** Admin: users and their site grants. Admins hold every site; others need at least one grant. */
export const CreateUserSchema = z
  .strictObject({
    username: UsernameSchema,
    password: NewPasswordSchema,
    role: RoleSchema.exclude(['ioc']),
    siteIds: z.array(IdSchema).max(500).default([]),
    /** The password is a one-time one (default): the user must choose their own at first sign-in. */
    mustChangePassword: z.boolean().default(true),
  })
  .refine((u) => u.role === 'admin' || u.siteIds.length > 0, { message: 'non-admin users need at least one site', path: ['siteIds'] });
export type CreateUser = z.infer<typeof CreateUserSchema>;

export const UpdateUserSchema = z.strictObject({
  role: RoleSchema.exclude(['ioc']).optional(),
  siteIds: z.array(IdSchema).max(500).optional(),
  disabled: z.boolean().optional(),
  /** Admin reset; the user's sessions are revoked. */
  password: NewPasswordSchema.optional(),
});
export type UpdateUser = z.infer<typeof UpdateUserSchema>;

export const UserInfoSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  role: RoleSchema,
  siteIds: z.array(IdSchema),
  disabled: z.boolean(),
  mustChangePassword: z.boolean().optional(),
  createdAt: IsoTimeSchema,
  lastLoginAt: IsoTimeSchema.nullable(),
});
export type UserInfo = z.infer<typeof UserInfoSchema>;

/** Admin: API keys for IOC wall displays (role ioc, read-only, limited to their sites). */
export const CreateApiKeySchema = z.strictObject({ name: z.string().min(1).max(100), siteIds: z.array(IdSchema).min(1).max(500) });
export type CreateApiKey = z.infer<typeof CreateApiKeySchema>;
export const ApiKeyInfoSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  siteIds: z.array(IdSchema),
  createdAt: IsoTimeSchema,
  revokedAt: IsoTimeSchema.nullable(),
  lastUsedAt: IsoTimeSchema.nullable(),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfoSchema>;
/** Returned once at creation; the hub keeps only a hash. */
export const ApiKeyCreatedSchema = ApiKeyInfoSchema.extend({ key: z.string() });
export type ApiKeyCreated = z.infer<typeof ApiKeyCreatedSchema>;

/** Admin: MQTT credentials of one gate (issuing again rotates them). */
export const IssueGateCredentialSchema = z.strictObject({ siteId: IdSchema, gateId: IdSchema });
export type IssueGateCredential = z.infer<typeof IssueGateCredentialSchema>;
export const GateCredentialInfoSchema = z.object({ username: z.string(), siteId: IdSchema, gateId: IdSchema, createdAt: IsoTimeSchema });
export type GateCredentialInfo = z.infer<typeof GateCredentialInfoSchema>;
/** Returned once; goes into the edge config as `gates[].mqtt`. */
export const GateCredentialIssuedSchema = GateCredentialInfoSchema.extend({ password: z.string() });
export type GateCredentialIssued = z.infer<typeof GateCredentialIssuedSchema>;

/** GET /api/audit — admin. */
export const AuditQuerySchema = z.strictObject({
  siteId: IdSchema.optional(),
  actor: z.string().max(100).optional(),
  action: z.string().max(64).optional(),
  from: IsoTimeSchema.optional(),
  to: IsoTimeSchema.optional(),
  /** The target: what kind of thing (`user`, `site`, `person`, …) and, optionally, which one. */
  subjectType: z
    .string()
    .regex(/^[a-z_]{1,32}$/)
    .optional(),
  subjectId: z.string().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Rows with a smaller id than this (paging newest first). */
  before: z.coerce.number().int().positive().optional(),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;
export const AuditRowSchema = z.object({
  id: z.number().int(),
  at: IsoTimeSchema,
  actor: z.string(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string().nullable(),
  siteId: z.string().nullable(),
  detail: z.unknown().nullable(),
});
export type AuditRow = z.infer<typeof AuditRowSchema>;
