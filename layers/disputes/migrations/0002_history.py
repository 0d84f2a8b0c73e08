from django.db import migrations

TABLES = [
    "disputes_disputecase",
    "disputes_disputecase_officers",
    "disputes_party",
    "disputes_claim",
    "disputes_referenceboundary",
    "disputes_imagery",
    "disputes_fieldvisit",
    "disputes_visitphoto",
]

FORWARD = """
CREATE FUNCTION disputes_record_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    INSERT INTO disputes_history ("table", row_id, operation, at, actor, "row")
    VALUES (TG_TABLE_NAME, changed.id, TG_OP, clock_timestamp(),
            coalesce(current_setting('gisgov.actor', true), ''), to_jsonb(changed));
    RETURN NULL;
END;
$$;
CREATE FUNCTION disputes_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'dispute history is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER disputes_history_append_only
    BEFORE UPDATE OR DELETE ON disputes_history
    FOR EACH ROW EXECUTE FUNCTION disputes_history_append_only();
""" + "".join(
    f"""
CREATE TRIGGER {table}_history AFTER INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION disputes_record_history();"""
    for table in TABLES
)

REVERSE = (
    "".join(f"DROP TRIGGER {table}_history ON {table};\n" for table in TABLES)
    + """
DROP TRIGGER disputes_history_append_only ON disputes_history;
DROP FUNCTION disputes_history_append_only();
DROP FUNCTION disputes_record_history();
"""
)


class Migration(migrations.Migration):
    """Every insert, update and delete of a disputes row is copied into disputes_history."""

    dependencies = [("disputes", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
