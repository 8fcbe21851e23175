import type { BoardIntake } from '../../boards/types';
import { ApplicationId } from '../../intake/delivery';
import { CvLibraryApplication } from './schemas';

/** The application without its CV: what is staged, and what the candidate is made from. */
export function withoutCv<T extends { cv?: unknown }>(delivery: T): Omit<T, 'cv'> {
  const { cv: _cv, ...fields } = delivery;
  return fields;
}

const hasText = (value: string | null | undefined) => Boolean(value?.trim());

/** A field the delivery left out, sent empty or null: absent (never blanking what we hold). */
const given = (value: string | null | undefined) => value ?? undefined;

/** CV-Library's DirectApply: one POST per application to the job's `direct_apply_url`, the CV inline as base64. */
export const directApply: BoardIntake = {
  summary: 'CV-Library DirectApply: an application for a posting (the URL given to the board when the job was posted)',
  // Only what identifies the application is required (its id, our reference, a name); the rest is taken as it comes.
  delivery: CvLibraryApplication.extend({ id: ApplicationId })
    .refine((d) => hasText(d.first_name) || hasText(d.last_name), 'a name is required: first_name or last_name')
    .transform((d) => ({
      applicationId: d.id,
      cv: d.cv ? { filename: d.cv.filename, contentType: d.cv.content_type, content: d.cv.content } : undefined,
      fields: withoutCv(d),
    })),
  // DirectApply gives at most these: first name, surname, email, telephone, town, county, postcode.
  application: CvLibraryApplication.omit({ cv: true }).transform((f) => ({
    candidate: {
      firstName: given(f.first_name),
      lastName: given(f.last_name),
      email: given(f.email),
      phone: given(f.phone),
      location: { town: given(f.town), county: given(f.county), postcode: given(f.postcode) },
    },
    appliedAt: given(f.applied_at),
  })),
  referrer: 'cv-library.co.uk',
  // The per-posting token in the delivery URL is all DirectApply can carry (a signing proxy may add X-Signature).
  authenticate: (request) => request.postingTokenValid,
};
