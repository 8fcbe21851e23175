import type { BoardIntake } from '../../boards/types';
import { ApplicationId } from '../../intake/delivery';
import { CvLibraryApplication } from './schemas';

/** The application without its CV: what is staged, and what the candidate is made from. */
export function withoutCv<T extends { cv?: unknown }>(delivery: T): Omit<T, 'cv'> {
  const { cv: _cv, ...fields } = delivery;
  return fields;
}

/** CV-Library's DirectApply: one POST per application to the job's `direct_apply_url`, the CV inline as base64. */
export const directApply: BoardIntake = {
  summary: 'CV-Library DirectApply: an application for a posting (the URL given to the board when the job was posted)',
  delivery: CvLibraryApplication.extend({ id: ApplicationId }).transform((d) => ({
    applicationId: d.id,
    cv: d.cv && { filename: d.cv.filename, contentType: d.cv.content_type, content: Buffer.from(d.cv.content, 'base64') },
    fields: withoutCv(d),
  })),
  // DirectApply gives only these: first name, surname, email (when present), telephone, town, county, postcode.
  application: CvLibraryApplication.omit({ cv: true }).transform((f) => ({
    candidate: {
      firstName: f.first_name,
      lastName: f.last_name,
      email: f.email,
      phone: f.phone,
      location: { town: f.town, county: f.county, postcode: f.postcode },
    },
    appliedAt: f.applied_at,
  })),
  referrer: 'cv-library.co.uk',
  // The per-posting token in the delivery URL is all DirectApply can carry (a signing proxy may add X-Signature).
  authenticate: (request) => request.postingTokenValid,
};
