import type { Application, Candidate, DocumentInfo } from '../domain/candidate';
import { notFound } from '../domain/errors';
import type { Store } from '../store';
import { erasedError } from '../store/erased';
import type { Page, PageRequest } from '../store/paging';

/** A stored file as the API shows it: with the link that downloads it. */
export type DocumentView = Omit<DocumentInfo, 'sha256'> & { url: string };
export type CandidateView = Omit<Candidate, 'documents'> & { documents: DocumentView[] };
/** `cvNote`: why a CV that came with the application was not kept (e.g. not a document file). */
export type ApplicationView = Application & { documents: DocumentView[]; cvNote?: string };

export interface CandidateFilter extends PageRequest {
  provider?: string;
  jobId?: string;
  since?: string;
}

export interface ApplicationFilter extends CandidateFilter {
  candidateId?: string;
}

const documentView = ({ id, kind, filename, contentType, size }: DocumentInfo): DocumentView => ({
  id,
  kind,
  filename,
  contentType,
  size,
  url: `/v1/documents/${id}`,
});

const candidateView = (c: Candidate): CandidateView => ({ ...c, documents: c.documents.map(documentView) });

/** What the API reads of candidates, applications and their files. */
export function createCandidatesService(store: Store) {
  return {
    async list(filter: CandidateFilter): Promise<Page<CandidateView>> {
      const page = await store.candidates.list(filter);
      return { ...page, items: page.items.map(candidateView) };
    },

    async get(id: string): Promise<CandidateView> {
      const candidate = await store.candidates.get(id);
      if (!candidate) throw notFound('candidate');
      if (candidate.erasedAt) throw erasedError(new Date(candidate.erasedAt));
      return candidateView(candidate);
    },

    async listApplications(filter: ApplicationFilter): Promise<Page<ApplicationView>> {
      const page = await store.applications.list(filter);
      const ids = page.items.map((a) => a.id);
      const [documents, cvNotes] = await Promise.all([store.documents.ofApplications(ids), store.intake.cvNotes(page.items)]);
      return {
        ...page,
        items: page.items.map((a) => ({
          ...a,
          documents: documents.filter((d) => d.applicationId === a.id).map(documentView),
          ...(cvNotes.has(a.id) && { cvNote: cvNotes.get(a.id) }),
        })),
      };
    },

    async document(id: string) {
      const document = await store.documents.get(id);
      if (!document) throw notFound('document');
      return document;
    },
  };
}

export type CandidatesService = ReturnType<typeof createCandidatesService>;
