-- One generic audit trigger function for every audited table (statement-level, with
-- transition tables: a bulk load of a million rows is one INSERT ... SELECT, not a million
-- function calls). Who and from where come from session settings a web request sets
-- (layers.audit.context); without them (commands, the worker) the database role and the
-- connection's application_name stand in. TG_ARGV[0] is an SQL expression over `data` (the
-- row as jsonb) giving the id of the row's AdminArea — its own column, or one reached through
-- its parent rows (a claim's case's village) — whose division code is stored so changes can be
-- scoped by area; '' for tables outside the hierarchy. It is written by
-- layers/audit/triggers.py from tables.AUDITED, never from user input.
-- A bulk loader of synthetic data (the demo county) may SET LOCAL gisgov.audit = 'off' for its
-- transaction; anyone able to do that could also delete from audit_change, so it weakens
-- nothing, and it saves recording millions of generated rows.
CREATE OR REPLACE FUNCTION audit_record_changes() RETURNS trigger
LANGUAGE plpgsql AS $function$
DECLARE
    actor_id bigint := nullif(current_setting('gisgov.actor_id', true), '')::bigint;
    actor text := coalesce(
        nullif(current_setting('gisgov.actor', true), ''),
        session_user || ' (' || coalesce(nullif(current_setting('application_name'), ''), 'sql') || ')'
    );
    address text := coalesce(current_setting('gisgov.ip', true), '');
    agent text := coalesce(current_setting('gisgov.user_agent', true), '');
    area_code text := CASE
        WHEN coalesce(TG_ARGV[0], '') = '' THEN $$''$$
        ELSE format($$coalesce((SELECT code FROM areas_adminarea WHERE id = %s), '')$$, TG_ARGV[0])
    END;
BEGIN
    IF current_setting('gisgov.audit', true) = 'off' THEN
        RETURN NULL;
    END IF;
    -- Dynamic SQL for the area expression; the transition tables are visible to it too.
    IF TG_OP = 'INSERT' THEN
        EXECUTE format($sql$
            INSERT INTO audit_change
                (at, table_name, row_id, action, actor_id, actor, ip, user_agent, area_code,
                 old_values, new_values)
            SELECT now(), $1, (data ->> 'id')::bigint, 'insert', $2, $3, $4, $5, %s, NULL, data
            FROM (SELECT to_jsonb(n) AS data FROM new_rows n) AS changed
        $sql$, area_code) USING TG_TABLE_NAME, actor_id, actor, address, agent;
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE format($sql$
            INSERT INTO audit_change
                (at, table_name, row_id, action, actor_id, actor, ip, user_agent, area_code,
                 old_values, new_values)
            SELECT now(), $1, pair.id, 'update', $2, $3, $4, $5, %s,
                   diff.old_values, diff.new_values
            FROM (
                SELECT o.id, to_jsonb(o) AS old_data, to_jsonb(n) AS data
                FROM old_rows o JOIN new_rows n ON n.id = o.id
            ) AS pair
            CROSS JOIN LATERAL (
                SELECT jsonb_object_agg(key, pair.old_data -> key) AS old_values,
                       jsonb_object_agg(key, pair.data -> key) AS new_values
                FROM jsonb_object_keys(pair.data) AS key
                WHERE (pair.old_data -> key) IS DISTINCT FROM (pair.data -> key)
            ) AS diff
            WHERE diff.new_values IS NOT NULL
        $sql$, area_code) USING TG_TABLE_NAME, actor_id, actor, address, agent;
    ELSE
        EXECUTE format($sql$
            INSERT INTO audit_change
                (at, table_name, row_id, action, actor_id, actor, ip, user_agent, area_code,
                 old_values, new_values)
            SELECT now(), $1, (data ->> 'id')::bigint, 'delete', $2, $3, $4, $5, %s, data, NULL
            FROM (SELECT to_jsonb(o) AS data FROM old_rows o) AS changed
        $sql$, area_code) USING TG_TABLE_NAME, actor_id, actor, address, agent;
    END IF;
    RETURN NULL;
END
$function$;
