import type { DataSubject, PersonalDataHolder } from '../privacy/holders';
import type { Db } from '../store/db';
import { ERASED_DELIVERY } from '../store/relay';

/**
 * The relays' deliveries of the person (a sourcing tool's candidate sent into an ATS), found by the keyed hashes of
 * their email, or phone + surname, kept on each delivery; with the status changes synced for those applications.
 */
async function deliveriesOf(db: Db, { personKeys }: DataSubject) {
  const emails = personKeys.filter((k) => k.kind === 'email').map((k) => k.key);
  const phones = personKeys.filter((k) => k.kind === 'phone+surname').map((k) => k.key);
  if (emails.length + phones.length === 0) return [];
  return db
    .selectFrom('relay_deliveries as d')
    .innerJoin('connectors as c', 'c.id', 'd.connector_id')
    .selectAll('d')
    .select('c.provider')
    .where((eb) => {
      const ways = [];
      if (emails.length > 0) ways.push(eb('d.email_key', 'in', emails));
      // Two different emails are two people, whatever their phone says.
      if (phones.length > 0)
        ways.push(
          emails.length > 0 ? eb.and([eb('d.phone_key', 'in', phones), eb('d.email_key', 'is', null)]) : eb('d.phone_key', 'in', phones),
        );
      return eb.or(ways);
    })
    .orderBy('d.created_at')
    .execute();
}

const iso = (d: Date | null) => d?.toISOString();

export const relayDeliveries: PersonalDataHolder = {
  name: 'relayDeliveries',
  tables: ['relay_deliveries', 'relay_status_pushes', 'relay_status_held'],
  holds:
    'candidates a sourcing tool sent into an ATS (tool’s candidate id, recruitment, ATS application id; name, email, phone and CV link until delivered) and the statuses synced back for them',
  findsByIdentity: true,
  async export(db, subject) {
    const rows = await deliveriesOf(db, subject);
    const sections = [];
    for (const d of rows) {
      const application = d.application_id ?? '';
      const [pushes, held] = await Promise.all([
        db
          .selectFrom('relay_status_pushes')
          .selectAll()
          .where('connector_id', '=', d.connector_id)
          .where('application_id', '=', application)
          .orderBy('changed_at')
          .execute(),
        db
          .selectFrom('relay_status_held')
          .selectAll()
          .where('connector_id', '=', d.connector_id)
          .where('candidate_id', '=', d.candidate_id)
          .orderBy('changed_at')
          .execute(),
      ]);
      sections.push({
        connectorId: d.connector_id,
        provider: d.provider,
        toolCandidateId: d.candidate_id,
        recruitmentId: d.recruitment_id,
        state: d.state,
        applicationId: d.application_id ?? undefined,
        reason: d.reason ?? undefined,
        person: d.person ?? undefined,
        cvUrl: d.cv_url ?? undefined,
        statusesSynced: pushes.map((p) => ({ stageId: p.stage_id, status: p.status, changedAt: iso(p.changed_at) })),
        changesHeld: held.map((h) => ({ stageId: h.stage_id, changedAt: iso(h.changed_at) })),
        createdAt: iso(d.created_at),
        deliveredAt: iso(d.delivered_at),
      });
    }
    return sections;
  },
  async identities(tx, subject) {
    // The tool's record of them: handed over again under another email, it is still refused.
    return (await deliveriesOf(tx, subject)).map((d) => subject.keys.source(d.provider, d.candidate_id));
  },
  async erase(tx, subject) {
    const rows = await deliveriesOf(tx, subject);
    for (const d of rows) {
      if (d.application_id)
        await tx
          .deleteFrom('relay_status_pushes')
          .where('connector_id', '=', d.connector_id)
          .where('application_id', '=', d.application_id)
          .execute();
      await tx
        .deleteFrom('relay_status_held')
        .where('connector_id', '=', d.connector_id)
        .where('candidate_id', '=', d.candidate_id)
        .execute();
      // One under way is ended here: its workflow then finds it done and sends nothing.
      await tx
        .updateTable('relay_deliveries')
        .set({ ...ERASED_DELIVERY, updated_at: new Date() })
        .where('id', '=', d.id)
        .execute();
    }
    return rows.length;
  },
};
