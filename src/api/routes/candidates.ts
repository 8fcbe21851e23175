import type { Router } from 'express';
import { z } from 'zod';
import { Application, Candidate, DocumentInfo } from '../../domain/candidate';
import { text } from '../../domain/text';
import { safeFilename } from '../../intake/cv-type';
import type { CandidatesService } from '../../services/candidates';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

const tags = ['candidates'];

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: text().optional(),
  provider: text().min(1).optional().describe('only those that came through this source, e.g. cv-library'),
  source: text().min(1).optional().describe('the same as provider'),
  jobId: text().min(1).optional().describe('only those who applied to this job'),
  since: z.iso.datetime({ offset: true }).optional().describe('only those created or changed since'),
});
const ApplicationsQuery = ListQuery.extend({ candidateId: text().min(1).optional() });

const DocumentView = DocumentInfo.omit({ sha256: true }).extend({ url: text() });
const CandidateView = Candidate.extend({ documents: z.array(DocumentView) });
const ApplicationView = Application.extend({
  documents: z.array(DocumentView),
  cvNote: text().optional().describe('why a CV that came with the application was not kept (e.g. not a document file)'),
});
const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: text().optional() });

const filterOf = <Q extends z.infer<typeof ListQuery>>({ source, provider, ...rest }: Q) => ({ ...rest, provider: provider ?? source });

export function candidateRoutes(router: Router, openapi: OpenApiRegistry, candidates: CandidatesService) {
  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/candidates',
      scope: 'read',
      summary: 'Candidates, newest first, with their sources and CV links',
      tags,
      query: ListQuery,
      responses: { 200: { description: 'a page', schema: pageOf(CandidateView) } },
    },
    async ({ query, res }) => {
      res.json(await candidates.list(filterOf(query)));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/candidates/:id',
      scope: 'read',
      summary: 'A candidate',
      tags,
      responses: {
        200: { description: 'the candidate', schema: CandidateView },
        404: { description: 'no such candidate' },
        410: { description: 'the candidate’s data was erased (details: erasedAt)' },
      },
    },
    async ({ params, res }) => {
      res.json(await candidates.get(params.id));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/applications',
      scope: 'read',
      summary: 'Applications, newest first, with their referrer and CV links',
      tags,
      query: ApplicationsQuery,
      responses: { 200: { description: 'a page', schema: pageOf(ApplicationView) } },
    },
    async ({ query, res }) => {
      res.json(await candidates.listApplications(filterOf(query)));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/documents/:id',
      scope: 'read',
      summary: 'Download a stored file (a CV)',
      tags,
      responses: { 200: { description: 'the file, with its content type' }, 404: { description: 'no such document' } },
    },
    async ({ params, res }) => {
      const document = await candidates.document(params.id);
      res
        .status(200)
        .attachment(safeFilename(document.filename, document.contentType)) // before type(): attachment() guesses a type from the name
        .type(document.contentType)
        .set('X-Content-Type-Options', 'nosniff')
        .set('Cache-Control', 'private, no-store')
        .send(Buffer.from(document.content));
    },
  );
}
