// A job's address on the careers site: its title for people and search engines, then the job's id, which never
// changes. So a retitled job keeps its old links working (they redirect to the new slug), and two jobs with the
// same title never share an address.

const ID_PREFIX = 'job_';
const TAIL = /-([0-9a-z]{20})$/;

export function slugFor(job: { id: string; title: string }): string {
  const words = job.title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return `${words || 'job'}-${job.id.slice(ID_PREFIX.length)}`;
}

/** The job id a slug names, whatever title it was made from; undefined when it is not one of ours. */
export function jobIdFromSlug(slug: string): string | undefined {
  const match = TAIL.exec(slug);
  return match ? `${ID_PREFIX}${match[1]}` : undefined;
}
