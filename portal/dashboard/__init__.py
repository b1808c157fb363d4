"""The dashboard: the home page, built from every plugin's widgets."""
