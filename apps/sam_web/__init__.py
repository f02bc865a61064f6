"""The interactive SAM web page (``tools/sam_app.py`` starts it): HTTP server, app state, the page."""
