from django.urls import include, path

from jamsos.agents import views as agents_views
from jamsos.api.urls import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The agent app's service worker and manifest live at the root: a worker controls
    # only the paths below its own URL.
    path("sw.js", agents_views.service_worker, name="agents_service_worker"),
    path("manifest.webmanifest", agents_views.manifest, name="agents_manifest"),
    path("", include("jamsos.web.urls")),
    path("", include("jamsos.accounts.urls")),
    path("", include("jamsos.audit.urls")),
    path("wilayah/", include("jamsos.regions.urls")),
    path("usulan/", include("jamsos.intake.urls")),
    path("registri/", include("jamsos.registry.urls")),
    path("anggaran/", include("jamsos.budget.urls")),
    path("kepesertaan/", include("jamsos.enrollment.urls")),
    path("iuran/", include("jamsos.contributions.urls")),
    path("klaim/", include("jamsos.claims.urls")),
    path("berkas/", include("jamsos.worker.urls")),
    path("agen/", include("jamsos.agents.urls")),
    path("sosialisasi/", include("jamsos.outreach.urls")),
    path("pesan/", include("jamsos.messaging.urls")),
    path("laporan/", include("jamsos.reports.urls")),
    # The public portal (no login) and its staff queue of leads.
    path("", include("jamsos.portal.urls")),
    path("forum/", include("jamsos.collaboration.urls")),
]

# A locked database raised by a middleware (the session save) answers 503, not 500.
handler500 = "jamsos.web.busy.server_error"
