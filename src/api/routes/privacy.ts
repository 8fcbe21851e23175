import type { Router } from 'express';
import { z } from 'zod';
import { PhoneCountry } from '../../domain/phone';
import { text } from '../../domain/text';
import type { PrivacyService } from '../../services/privacy';
import { callerOf } from '../auth';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

const tags = ['privacy'];

const ErasureReport = z.object({
  candidateId: text(),
  erasedAt: text(),
  erasedBy: text().describe('the token id that asked (never the token), or `retention`'),
  erased: z.record(text(), z.number()).describe('rows changed or removed per kind of data; empty when it had been erased before'),
});

const ExportQuery = z.object({
  documents: z.enum(['attached', 'linked']).default('attached').describe('files inline as base64, or as links to GET /v1/documents/:id'),
});

const SubjectIdentity = z
  .object({
    email: text().min(3).max(320).optional(),
    phone: text().min(3).max(64).optional(),
    lastName: text().min(1).max(200).optional().describe('with `phone`: a phone number identifies someone with their surname'),
    country: PhoneCountry.optional().describe(
      'where `phone` is read when written without its international prefix (e.g. `PL`: `600 100 200` is +48 600 100 200); default DEFAULT_PHONE_COUNTRY',
    ),
  })
  .refine((b) => Boolean(b.email) || (Boolean(b.phone) && Boolean(b.lastName)), {
    message: 'give the person’s email, or their phone and last name',
  })
  .describe('the data subject as they name themselves; sent in the body so it never appears in a URL or a log');

const SubjectsFound = z.object({
  candidates: z
    .array(z.object({ id: text(), createdAt: text(), deletedAtSource: z.boolean() }))
    .describe('candidates who are this person, oldest first'),
  foundByIdentity: z
    .record(text(), z.number())
    .describe('what else holds them, found by email or phone + surname: deliveries waiting, relay deliveries'),
  erasedBefore: z.boolean().describe('someone with this email (or phone + surname) was erased before'),
});

const IdentityErasureReport = z.object({
  erasedAt: text(),
  erasedBy: text(),
  candidates: z.array(ErasureReport).describe('each candidate who was this person, erased as DELETE /v1/candidates/:id does'),
  erasedByIdentity: z.record(text(), z.number()).describe('rows changed or removed where no candidate held them'),
});

const AuditEntry = z.object({
  id: text(),
  action: z.enum(['erasure', 'export', 'retention']),
  candidateId: text().optional(),
  actor: text(),
  details: z.record(text(), z.unknown()).describe('counts and section names, never the personal data'),
  at: text(),
});

const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: text().optional(),
  action: z.enum(['erasure', 'export', 'retention']).optional(),
  candidateId: text().min(1).optional(),
});

const RetentionView = z.object({
  months: z.number().nullable().describe('RETENTION_MONTHS; null: candidates are kept'),
  schedule: z
    .object({
      scheduleId: text(),
      months: z.number(),
      paused: z.boolean(),
      nextRunAt: text().optional(),
      recentRuns: z.array(z.object({ workflowId: text(), scheduledAt: text() })),
    })
    .nullable(),
  runs: z.array(AuditEntry).describe('what the last runs did, newest first'),
});

export function privacyRoutes(router: Router, openapi: OpenApiRegistry, privacy: PrivacyService) {
  route(
    router,
    openapi,
    {
      method: 'delete',
      path: '/v1/candidates/:id',
      summary: 'Erase a candidate’s personal data everywhere it is held, leaving a tombstone (GDPR erasure)',
      tags,
      scope: 'admin',
      responses: {
        200: { description: 'erased (or erased before): what was removed', schema: ErasureReport },
        404: { description: 'no such candidate' },
      },
    },
    async ({ params, res }) => {
      res.json(await privacy.erase(params.id, callerOf(res)));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/candidates/:id/export',
      summary: 'Everything held about a candidate, as one JSON document (GDPR subject access)',
      tags,
      scope: 'admin',
      query: ExportQuery,
      responses: {
        200: { description: 'the export: one section per kind of data, then the audit entries about them' },
        404: { description: 'no such candidate' },
        410: { description: 'the candidate’s data was erased' },
      },
    },
    async ({ params, query, res }) => {
      const result = await privacy.exportOf(params.id, callerOf(res), query.documents);
      res.set('Cache-Control', 'private, no-store').attachment(`subject-export-${params.id}.json`).json(result);
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/privacy/subjects/find',
      summary: 'Find a data subject by their email, or phone and last name: the candidates who are them, and what else holds them',
      tags,
      scope: 'admin',
      body: SubjectIdentity,
      responses: { 200: { description: 'what is held of them (ids and counts)', schema: SubjectsFound } },
    },
    async ({ body, res }) => {
      res.set('Cache-Control', 'private, no-store').json(await privacy.findSubject(body));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/privacy/subjects/export',
      summary: 'Everything held about a data subject named by email, or phone and last name (GDPR subject access)',
      tags,
      scope: 'admin',
      query: ExportQuery,
      body: SubjectIdentity,
      responses: {
        200: { description: 'each candidate’s export, and what holders found by the identity itself' },
      },
    },
    async ({ query, body, res }) => {
      const result = await privacy.exportSubject(body, callerOf(res), query.documents);
      res.set('Cache-Control', 'private, no-store').attachment('subject-export.json').json(result);
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/privacy/subjects/erase',
      summary: 'Erase a data subject named by email, or phone and last name: every candidate who is them, and what no candidate holds',
      tags,
      scope: 'admin',
      body: SubjectIdentity,
      responses: {
        200: {
          description: 'erased: what was removed; they stay erased (a later delivery or sync of them is refused)',
          schema: IdentityErasureReport,
        },
      },
    },
    async ({ body, res }) => {
      res.json(await privacy.eraseSubject(body, callerOf(res)));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/privacy/audit',
      summary: 'Erasures, exports and retention runs, newest first: who, when, what',
      tags,
      scope: 'admin',
      query: AuditQuery,
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(AuditEntry), nextCursor: text().optional() }) } },
    },
    async ({ query, res }) => {
      res.json(await privacy.audit(query));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/privacy/retention',
      summary: 'Retention: the configured period, its schedule, and what its last runs erased',
      tags,
      scope: 'admin',
      responses: { 200: { description: 'retention', schema: RetentionView } },
    },
    async ({ res }) => {
      res.json(await privacy.retention());
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/privacy/retention/run',
      summary: 'Run retention now (its schedule runs it daily)',
      tags,
      scope: 'admin',
      responses: {
        202: {
          description: 'a run was started; its report appears in GET /v1/privacy/retention',
          schema: z.object({ scheduleId: text() }),
        },
        409: { description: 'retention is off (RETENTION_MONTHS unset)' },
      },
    },
    async ({ res }) => {
      res.status(202).json(await privacy.runRetention());
    },
  );
}
