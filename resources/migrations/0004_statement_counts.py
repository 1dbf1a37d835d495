"""The per-owner counters counted per statement instead of per row.

0002's row-level triggers wrote the same counter row once per changed row: a statement
deleting 40,000 public repositories of one owner wrote its two counter rows 80,000 times,
each write walking the versions the statement had left before it (122 s,
docs/performance.md#bulk-writes). Here
each statement's rows arrive as transition tables; their changes are summed per owner and
kind and each counter row is written once, in (owner_id, kind) order, so two statements over
the same owners wait for each other instead of deadlocking. No data changes.
"""

from django.db import migrations

# Transition tables need one trigger per event and no column list (UPDATE OF), so the
# UPDATE trigger fires for every update. It returns at once when each old row's new row
# (joined by id) has the same owner and visibility, as for a description edit; otherwise
# each row leaves its old (owner, kind) and joins its new one, and the sums of the rows
# that did not move are zero, which writes nothing. resources_count_add (0002) keeps its
# rule: a decrement never inserts a counter row, so a cascade that removed a user's
# counters first cannot resurrect one.
FUNCTIONS = """
CREATE TYPE resources_count_change AS (owner_id bigint, kind text, delta bigint);

CREATE FUNCTION resources_count_apply(changes resources_count_change[]) RETURNS void AS $$
DECLARE
  change record;
BEGIN
  FOR change IN
    SELECT owner_id, kind, sum(delta)::bigint AS delta FROM unnest(changes)
    GROUP BY owner_id, kind HAVING sum(delta) <> 0 ORDER BY owner_id, kind
  LOOP
    PERFORM resources_count_add(change.owner_id, change.kind, change.delta);
  END LOOP;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION resources_count_repository() RETURNS trigger AS $$
DECLARE
  removed resources_count_change[] := '{}';
  added resources_count_change[] := '{}';
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NOT EXISTS (SELECT FROM old_rows o LEFT JOIN new_rows n USING (id)
                   WHERE n.id IS NULL OR o.owner_id <> n.owner_id OR o.visibility <> n.visibility) THEN
      RETURN NULL;
    END IF;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    removed := ARRAY(
      SELECT (owner_id, 'repo', -count(*))::resources_count_change FROM old_rows GROUP BY owner_id
      UNION ALL
      SELECT (owner_id, 'repo:public', -count(*))::resources_count_change FROM old_rows
      WHERE visibility = 'public' GROUP BY owner_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    added := ARRAY(
      SELECT (owner_id, 'repo', count(*))::resources_count_change FROM new_rows GROUP BY owner_id
      UNION ALL
      SELECT (owner_id, 'repo:public', count(*))::resources_count_change FROM new_rows
      WHERE visibility = 'public' GROUP BY owner_id);
  END IF;
  PERFORM resources_count_apply(removed || added);
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION resources_count_key() RETURNS trigger AS $$
DECLARE
  removed resources_count_change[] := '{}';
  added resources_count_change[] := '{}';
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NOT EXISTS (SELECT FROM old_rows o LEFT JOIN new_rows n USING (id)
                   WHERE n.id IS NULL OR o.owner_id <> n.owner_id) THEN
      RETURN NULL;
    END IF;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    removed := ARRAY(SELECT (owner_id, TG_ARGV[0], -count(*))::resources_count_change FROM old_rows GROUP BY owner_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    added := ARRAY(SELECT (owner_id, TG_ARGV[0], count(*))::resources_count_change FROM new_rows GROUP BY owner_id);
  END IF;
  PERFORM resources_count_apply(removed || added);
  RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


def triggers(table: str, function: str) -> str:
    """The three statement-level triggers of one counted table."""
    return f"""
DROP TRIGGER {table}_count ON {table};
CREATE TRIGGER {table}_count_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {function};
CREATE TRIGGER {table}_count_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {function};
CREATE TRIGGER {table}_count_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {function};
"""


FORWARD = (
    FUNCTIONS
    + triggers("resources_repository", "resources_count_repository()")
    + triggers("resources_sshkey", "resources_count_key('ssh-key')")
    + triggers("resources_pgpkey", "resources_count_key('pgp-key')")
)

# 0002's row-level functions and triggers, as they were.
REVERSE = """
DROP TRIGGER resources_repository_count_insert ON resources_repository;
DROP TRIGGER resources_repository_count_delete ON resources_repository;
DROP TRIGGER resources_repository_count_update ON resources_repository;
DROP TRIGGER resources_sshkey_count_insert ON resources_sshkey;
DROP TRIGGER resources_sshkey_count_delete ON resources_sshkey;
DROP TRIGGER resources_sshkey_count_update ON resources_sshkey;
DROP TRIGGER resources_pgpkey_count_insert ON resources_pgpkey;
DROP TRIGGER resources_pgpkey_count_delete ON resources_pgpkey;
DROP TRIGGER resources_pgpkey_count_update ON resources_pgpkey;
DROP FUNCTION resources_count_apply(resources_count_change[]);
DROP TYPE resources_count_change;

CREATE OR REPLACE FUNCTION resources_count_repository() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM resources_count_add(OLD.owner_id, 'repo', -1);
    IF OLD.visibility = 'public' THEN PERFORM resources_count_add(OLD.owner_id, 'repo:public', -1); END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM resources_count_add(NEW.owner_id, 'repo', 1);
    IF NEW.visibility = 'public' THEN PERFORM resources_count_add(NEW.owner_id, 'repo:public', 1); END IF;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION resources_count_key() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN PERFORM resources_count_add(OLD.owner_id, TG_ARGV[0], -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM resources_count_add(NEW.owner_id, TG_ARGV[0], 1); END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER resources_repository_count AFTER INSERT OR DELETE OR UPDATE OF owner_id, visibility
  ON resources_repository FOR EACH ROW EXECUTE FUNCTION resources_count_repository();
CREATE TRIGGER resources_sshkey_count AFTER INSERT OR DELETE OR UPDATE OF owner_id
  ON resources_sshkey FOR EACH ROW EXECUTE FUNCTION resources_count_key('ssh-key');
CREATE TRIGGER resources_pgpkey_count AFTER INSERT OR DELETE OR UPDATE OF owner_id
  ON resources_pgpkey FOR EACH ROW EXECUTE FUNCTION resources_count_key('pgp-key');
"""


class Migration(migrations.Migration):
    dependencies = [("resources", "0003_page_indexes")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
