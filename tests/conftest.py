"""Tests run against the real PostGIS named by the settings (the project-local cluster)."""
