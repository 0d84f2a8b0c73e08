-- How the villages of each township tile it: gaps between villages, villages overlapping each
-- other, and parts of villages outside their township, in m² on the ellipsoid. As for grids,
-- each township is judged in the frame (storage lon/lat or its Gauss-Krueger zone) where its
-- tiling is most exact: a vertex on a boundary is on it only in the CRS it was computed in.
WITH townships AS (
    SELECT a.id, a.code, frame.srid, gisgov_valid_in(a.geom, frame.srid) AS geom
    FROM areas_adminarea a,
         LATERAL (VALUES (4326), (gisgov_gauss_kruger_srid(ST_X(ST_Centroid(a.geom))))) frame(srid)
    WHERE a.id = ANY(%(township_ids)s)
),
villages AS (
    SELECT a.id, a.code, t.id AS township_id, t.srid, gisgov_valid_in(a.geom, t.srid) AS geom
    FROM areas_adminarea a JOIN townships t ON t.id = a.parent_id
),
pieces AS (
    SELECT 'gap' AS kind, t.id AS township_id, t.srid, ARRAY[]::text[] AS codes,
           ST_Difference(t.geom, coalesce(c.geom, ST_SetSRID('POLYGON EMPTY'::geometry, t.srid)))
               AS geom
    FROM townships t
    LEFT JOIN (SELECT township_id, srid, ST_Union(geom) AS geom FROM villages
               GROUP BY township_id, srid) c ON c.township_id = t.id AND c.srid = t.srid
    UNION ALL
    SELECT 'overlap', a.township_id, a.srid, ARRAY[a.code, b.code]::text[],
           ST_Intersection(a.geom, b.geom)
    FROM villages a JOIN villages b
      ON b.township_id = a.township_id AND b.srid = a.srid AND a.id < b.id
     AND ST_Intersects(a.geom, b.geom)
    UNION ALL
    SELECT 'outside', v.township_id, v.srid, ARRAY[v.code]::text[], ST_Difference(v.geom, t.geom)
    FROM villages v JOIN townships t ON t.id = v.township_id AND t.srid = v.srid
    WHERE NOT ST_CoveredBy(v.geom, t.geom)
),
measured AS (
    -- Measured in the frame they were cut in: moved to lon/lat, a sliver along a long edge
    -- would take the other frame's curvature and grow by square metres.
    SELECT p.kind, p.township_id, p.srid, p.codes, ST_Transform(d.geom, 4326) AS geom,
           CASE WHEN p.srid = 4326 THEN ST_Area(d.geom::geography) ELSE ST_Area(d.geom) END
               AS area_m2
    FROM pieces p, ST_Dump(ST_CollectionExtract(p.geom, 3)) d
),
frames AS (
    SELECT DISTINCT ON (t.id) t.id, t.code, t.srid
    FROM townships t LEFT JOIN measured m ON m.township_id = t.id AND m.srid = t.srid
    GROUP BY t.id, t.code, t.srid
    ORDER BY t.id, coalesce(sum(m.area_m2), 0), t.srid = 4326 DESC
)
SELECT m.kind, f.code, m.codes, m.area_m2, ST_AsGeoJSON(m.geom, 7)
FROM measured m JOIN frames f ON f.id = m.township_id AND f.srid = m.srid
ORDER BY f.code, m.kind, m.area_m2 DESC
