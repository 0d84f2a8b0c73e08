-- The three statement-level audit triggers of one table (transition tables allow one event
-- per trigger). Identifiers and the area id expression are quoted by the caller (psycopg.sql).
CREATE OR REPLACE TRIGGER audit_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes({area_id});
CREATE OR REPLACE TRIGGER audit_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes({area_id});
CREATE OR REPLACE TRIGGER audit_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes({area_id});
