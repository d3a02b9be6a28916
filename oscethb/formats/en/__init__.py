"""English date formats of the site."""
