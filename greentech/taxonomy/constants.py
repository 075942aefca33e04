"""Names the platform's code refers to (no models here, so any module may import it before the apps are ready)."""

# the slug of the Green Industry Guidance Catalogue 2019 scheme (data/schemes.csv): the catalogue that offers,
# needs, organizations and patents are filed under
CATALOGUE_SCHEME = "gic2019"
