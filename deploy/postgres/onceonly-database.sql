-- onceonly's own database and role on the PostgreSQL server Temporal also uses: a role that
-- is no superuser and owns one database, which no other role may connect to (Temporal's role
-- is the server's superuser and could anyway). Run by docker-compose.yml's
-- `onceonly-database` one-shot as that superuser, with psql (15 or later, for \getenv):
--     psql -f onceonly-database.sql
-- Idempotent: the role and database are created when missing; the role's password is set
-- from ONCEONLY_DB_PASSWORD on every run, so a new value there rotates it. The tables are
-- the migrations' business (`onceonly setup`), not this script's.

\set ON_ERROR_STOP on
\getenv password ONCEONLY_DB_PASSWORD
\if :{?password}
\else
  \set password ''
\endif
SELECT :'password' = '' AS no_password \gset
\if :no_password
  DO $$ BEGIN RAISE EXCEPTION 'ONCEONLY_DB_PASSWORD is not set'; END $$;
\endif

SELECT format('CREATE ROLE onceonly LOGIN PASSWORD %L', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'onceonly') \gexec
ALTER ROLE onceonly WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
    PASSWORD :'password';

SELECT 'CREATE DATABASE onceonly OWNER onceonly'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'onceonly') \gexec
REVOKE ALL ON DATABASE onceonly FROM PUBLIC;
