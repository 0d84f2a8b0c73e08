-- The weight source "hotspots": the hexagons the heatmaps' Getis-Ord Gi* analysis classes hot
-- at 90, 95 or 99 per cent (its hexagons of edge %(cell_side)s m, bound as GeoJSON arrays), each
-- weighted by its incidents; hexagons that are not hot spots weigh nothing.
SELECT h.i, h.j,
       ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(h.geometry), 4326), %(srid)s) AS geom,
       h.incidents::float8 AS weight, h.incidents
FROM unnest(%(hot_i)s::integer[], %(hot_j)s::integer[], %(hot_geometry)s::text[],
            %(hot_incidents)s::integer[]) AS h(i, j, geometry, incidents)
