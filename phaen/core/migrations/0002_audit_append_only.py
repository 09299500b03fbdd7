"""On PostgreSQL, make the audit trail append-only at the database level.

A row trigger refuses UPDATE and DELETE on `core_auditrecord`; a statement trigger refuses
TRUNCATE. The head row may only move forward and cannot be deleted. TRUNCATE is allowed when the
session sets `phaen.audit_allow_truncate = on`, which the test settings do so that Django can
empty the tables between transactional tests; like disabling the triggers, which the table's
owner can also do, it is a deliberate act and not an accident, and `phaen audit verify` still
detects what it did to the chain. SQLite has no such triggers here: there the hash chain alone
shows tampering.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION phaen_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('phaen.audit_allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit records cannot be changed or deleted'
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'The audit trail is append-only; see phaen audit verify.';
END;
$$;

CREATE OR REPLACE FUNCTION phaen_audit_head_forward_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF coalesce(current_setting('phaen.audit_allow_truncate', true), '') = 'on' THEN
            RETURN NULL;
        END IF;
    ELSIF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.last_id >= OLD.last_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit chain head can only move forward'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER phaen_audit_no_update_delete
    BEFORE UPDATE OR DELETE ON core_auditrecord
    FOR EACH ROW EXECUTE FUNCTION phaen_audit_append_only();
CREATE TRIGGER phaen_audit_no_truncate
    BEFORE TRUNCATE ON core_auditrecord
    FOR EACH STATEMENT EXECUTE FUNCTION phaen_audit_append_only();
CREATE TRIGGER phaen_audit_head_forward_only
    BEFORE UPDATE OR DELETE ON core_audithead
    FOR EACH ROW EXECUTE FUNCTION phaen_audit_head_forward_only();
CREATE TRIGGER phaen_audit_head_no_truncate
    BEFORE TRUNCATE ON core_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION phaen_audit_head_forward_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS phaen_audit_head_no_truncate ON core_audithead;
DROP TRIGGER IF EXISTS phaen_audit_head_forward_only ON core_audithead;
DROP TRIGGER IF EXISTS phaen_audit_no_truncate ON core_auditrecord;
DROP TRIGGER IF EXISTS phaen_audit_no_update_delete ON core_auditrecord;
DROP FUNCTION IF EXISTS phaen_audit_head_forward_only();
DROP FUNCTION IF EXISTS phaen_audit_append_only();
"""


def _run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(_run_on_postgresql(FORWARD), _run_on_postgresql(BACKWARD)),
    ]
