#!/bin/sh
# The database roles (docs/operations.md#database-roles), made by the superuser: the owner `inviaro`, which owns
# the database and runs the migrations, and one role per service, which the migrations grant what it needs.
# None is a superuser or may create roles or databases. Each password comes from the environment.
# The postgres image runs this once, on an empty volume; it is safe to run again (it then resets the
# passwords and attributes): `docker compose exec postgres sh /docker-entrypoint-initdb.d/10-inviaro-roles.sh`.
set -eu
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v owner_password="$POSTGRES_OWNER_PASSWORD" \
  -v gateway_password="$POSTGRES_GATEWAY_PASSWORD" \
  -v verifier_password="$POSTGRES_VERIFIER_PASSWORD" \
  -v contacts_password="$POSTGRES_CONTACTS_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I', name) FROM unnest(ARRAY['inviaro', 'inviaro_gateway', 'inviaro_verifier', 'inviaro_contacts']) AS name
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) \gexec
ALTER ROLE inviaro WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_password';
ALTER ROLE inviaro_gateway WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'gateway_password';
ALTER ROLE inviaro_verifier WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'verifier_password';
ALTER ROLE inviaro_contacts WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'contacts_password';
SELECT 'CREATE DATABASE inviaro OWNER inviaro' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'inviaro') \gexec
ALTER DATABASE inviaro OWNER TO inviaro;
SQL
