"""Per-owner counters kept exact by triggers, so a list page's ``total`` needs no ``COUNT(*)``."""

from django.db import migrations, models

# Inserts upsert; deletes only decrement (never insert), so a cascade that removes a user's
# counters before the rows they count cannot resurrect a counter row.
FUNCTIONS = """
CREATE FUNCTION resources_count_add(owner bigint, what text, delta bigint) RETURNS void AS $$
BEGIN
  IF delta > 0 THEN
    INSERT INTO resources_ownercount (owner_id, kind, n) VALUES (owner, what, delta)
    ON CONFLICT (owner_id, kind) DO UPDATE SET n = resources_ownercount.n + EXCLUDED.n;
  ELSE
    UPDATE resources_ownercount SET n = n + delta WHERE owner_id = owner AND kind = what;
  END IF;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION resources_count_repository() RETURNS trigger AS $$
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

CREATE FUNCTION resources_count_key() RETURNS trigger AS $$
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

INSERT INTO resources_ownercount (owner_id, kind, n)
  SELECT owner_id, 'repo', count(*) FROM resources_repository GROUP BY owner_id
  UNION ALL SELECT owner_id, 'repo:public', count(*) FROM resources_repository WHERE visibility = 'public' GROUP BY owner_id
  UNION ALL SELECT owner_id, 'ssh-key', count(*) FROM resources_sshkey GROUP BY owner_id
  UNION ALL SELECT owner_id, 'pgp-key', count(*) FROM resources_pgpkey GROUP BY owner_id;
"""

REVERSE = """
DROP TRIGGER resources_repository_count ON resources_repository;
DROP TRIGGER resources_sshkey_count ON resources_sshkey;
DROP TRIGGER resources_pgpkey_count ON resources_pgpkey;
DROP FUNCTION resources_count_repository();
DROP FUNCTION resources_count_key();
DROP FUNCTION resources_count_add(bigint, text, bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="OwnerCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("owner_id", models.BigIntegerField()),
                ("kind", models.CharField(max_length=32)),
                ("n", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("owner_id", "kind"), name="ownercount_owner_kind")],
            },
        ),
        migrations.RunSQL(FUNCTIONS, REVERSE),
    ]
