// Runs once, on the first start of an empty data volume (MongoDB's
// /docker-entrypoint-initdb.d), as the root user: Parley's own login may read
// and write its database and nothing else.
const password = process.env.PARLEY_MONGO_PASSWORD;
if (!password) throw new Error('PARLEY_MONGO_PASSWORD is empty');
db.getSiblingDB('admin').createUser({
  user: 'parley',
  pwd: password,
  roles: [{ role: 'readWrite', db: 'parley' }],
});
