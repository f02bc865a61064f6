"""Metrics registered for mmseg (surface normals)."""
