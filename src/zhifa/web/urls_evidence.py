"""URLs of the evidence pages (issue 4), one module per part."""

from zhifa.evidence import share_views, tus_views
from zhifa.web.views import (
    evidence_archive,
    evidence_coverage,
    evidence_custody,
    evidence_items,
    evidence_media,
)

urlpatterns = [
    *tus_views.urlpatterns,         # /uploads/ … the tus 1.0 server
    *evidence_items.urlpatterns,    # /cases/<id>/evidence/ … items, files, the upload widget
    *evidence_media.urlpatterns,    # /evidence/files/<id>/ … viewer, ranged content; devices
    *evidence_custody.urlpatterns,  # shares, holds, retention, disposal
    *share_views.urlpatterns,       # /s/<token>/ … what a share's recipient opens
    *evidence_coverage.urlpatterns,  # coverage reports
    *evidence_archive.urlpatterns,  # archive button and package download
]
