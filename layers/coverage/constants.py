"""Parameters of camera coverage: how sectors are drawn and how blind spots are binned."""

# A sector's arc is drawn with a vertex every degree: the chords lose at most
# r²/2·(θ − sin θ) per degree, 0.0044 m² for a 100 m range (0.4 m² over a 90° sector).
ARC_STEP_DEGREES = 1.0

# Site suggestions try each candidate point looking in these directions (degrees from north).
DEFAULT_AZIMUTHS = (0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0)
DEFAULT_FIELD_OF_VIEW = 90.0
DEFAULT_RANGE_M = 100.0

# Incident cells: hexagons of this side length (m) in the Gauss-Krueger frame of the area.
DEFAULT_CELL_SIDE_M = 50.0
MIN_CELL_SIDE_M = 5.0
MAX_CELL_SIDE_M = 2000.0

# Road points sampled along village / grid boundaries every so many metres.
DEFAULT_ROAD_SPACING_M = 100.0
MIN_ROAD_SPACING_M = 10.0

# More candidate sectors (sites × directions) than this run on the job worker (about 3 ms each).
MAX_SYNC_OPTIONS = 400
MAX_K = 200
MAX_CANDIDATES = 20_000
