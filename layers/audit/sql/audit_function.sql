-- One generic audit trigger function for every audited table (statement-level, with
-- transition tables: a bulk load of a million rows is one INSERT ... SELECT, not a million
-- function calls). Who and from where come from session settings a web request sets
-- (layers.audit.context); without them (commands, the worker) the database role and the
-- connection's application_name stand in. TG_ARGV[0] names the column holding the row's
-- AdminArea id, whose division code is stored so changes can be scoped by area.
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
    area_column text := TG_ARGV[0];
BEGIN
    IF current_setting('gisgov.audit', true) = 'off' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO audit_change
            (at, table_name, row_id, action, actor_id, actor, ip, user_agent, area_code,
             old_values, new_values)
        SELECT now(), TG_TABLE_NAME, (row.data ->> 'id')::bigint, 'insert', actor_id, actor,
               address, agent, coalesce(area.code, ''), NULL, row.data
        FROM (SELECT to_jsonb(n) AS data FROM new_rows n) AS row
        LEFT JOIN areas_adminarea area ON area.id = (row.data ->> area_column)::bigint;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO audit_change
            (at, table_name, row_id, action, actor_id, actor, ip, user_agent, area_code,
             old_values, new_values)
        SELECT now(), TG_TABLE_NAME, pair.id, 'update', actor_id, actor, address, agent,
               coalesce(area.code, ''), diff.old_values, diff.new_values
        FROM (
            SELECT o.id, to_jsonb(o) AS old_data,
                   to_jsonb(n) AS new_data
            FROM old_rows o JOIN new_rows n ON n.id = o.id
        ) AS pair
        CROSS JOIN LATERAL (
            SELECT jsonb_object_agg(key, pair.old_data -> key) AS old_values,
                   jsonb_object_agg(key, pair.new_data -> key) AS new_values
            FROM jsonb_object_keys(pair.new_data) AS key
            WHERE (pair.old_data -> key) IS DISTINCT FROM (pair.new_data -> key)
        ) AS diff
        LEFT JOIN areas_adminarea area ON area.id = (pair.new_data ->> area_column)::bigint
        WHERE diff.new_values IS NOT NULL;
    ELSE
        INSERT INTO audit_change
            (at, table_name, row_id, action, actor_id, actor, ip, user_agent, area_code,
             old_values, new_values)
        SELECT now(), TG_TABLE_NAME, (row.data ->> 'id')::bigint, 'delete', actor_id, actor,
               address, agent, coalesce(area.code, ''), row.data, NULL
        FROM (SELECT to_jsonb(o) AS data FROM old_rows o) AS row
        LEFT JOIN areas_adminarea area ON area.id = (row.data ->> area_column)::bigint;
    END IF;
    RETURN NULL;
END
$function$;
