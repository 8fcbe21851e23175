import { PGlite } from '@electric-sql/pglite';
(async () => {
  let t = Date.now();
  const pg = await PGlite.create('memory://');
  await pg.exec('create table x (id int)');
  const dump = await pg.dumpDataDir('none');
  console.log('create+dump', Date.now() - t, 'ms', dump.size, 'bytes');
  await pg.close();
  for (let i = 0; i < 3; i++) {
    t = Date.now();
    const c = await PGlite.create('memory://', { loadDataDir: dump });
    const r = await c.query('select count(*) from x');
    console.log('from dump', Date.now() - t, 'ms', JSON.stringify(r.rows));
    await c.close();
  }
  for (let i = 0; i < 2; i++) { t = Date.now(); const c = await PGlite.create('memory://'); console.log('fresh', Date.now() - t); await c.close(); }
})();
