import { z } from 'zod';
import type { CandidateFields } from '../domain/candidate';
import { CvLibraryApplication } from '../providers/cv-library/schemas';

/** The largest delivery we read (the CV, base64-encoded, included); larger ones are answered 413. */
export const MAX_DELIVERY_BYTES = 10 * 1024 * 1024;

/**
 * A DirectApply delivery as the board POSTs it. The application id becomes part of a workflow id,
 * so it is held to a plain shape.
 */
export const DirectApplyDelivery = CvLibraryApplication.extend({
  id: z
    .union([z.string(), z.number().int().nonnegative()])
    .transform(String)
    .pipe(z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, dot, dash or underscore, at most 100')),
});
export type DirectApplyDelivery = z.infer<typeof DirectApplyDelivery>;

/** The application without its CV: what is staged as the payload and what the candidate is made from. */
export type DirectApplyFields = Omit<DirectApplyDelivery, 'cv'>;

export function withoutCv(delivery: DirectApplyDelivery): DirectApplyFields {
  const { cv: _cv, ...fields } = delivery;
  return fields;
}

/** DirectApply gives only these: first name, surname, email (when present), telephone, town, county, postcode. */
export function candidateFields(fields: DirectApplyFields): CandidateFields {
  return {
    firstName: fields.first_name,
    lastName: fields.last_name,
    email: fields.email,
    phone: fields.phone,
    location: { town: fields.town, county: fields.county, postcode: fields.postcode },
  };
}
