from django.urls import include, path

from jamsos.api.urls import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
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
]

# A locked database raised by a middleware (the session save) answers 503, not 500.
handler500 = "jamsos.web.busy.server_error"
