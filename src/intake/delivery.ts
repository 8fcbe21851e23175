import { z } from 'zod';
import { text } from '../domain/text';

// What every board's application delivery shares, whatever the board's own format (src/providers/<board>/intake.ts).

/** The largest delivery we read (the CV, encoded, included); larger ones are answered 413. */
export const MAX_DELIVERY_BYTES = 10 * 1024 * 1024;

/** A board's application id becomes part of a workflow id, so it is held to a plain shape. */
const PlainId = text().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, dot, dash or underscore, at most 100');

/** An application id as a board may send it (a string or a number), kept as a plain string. */
export const ApplicationId = z.union([text(), z.number().int().nonnegative()]).transform(String).pipe(PlainId);

/** A delivery once the board's intake has parsed it. */
export const Delivery = z.object({
  applicationId: PlainId,
  cv: z.object({ filename: text(), contentType: text(), content: z.instanceof(Buffer) }).optional(),
  /** The delivery without its CV, as the board sent it: staged until the intake workflow reads it. */
  fields: z.record(text(), z.unknown()),
});
export type Delivery = z.infer<typeof Delivery>;
