from django.urls import path

from jamsos.agents import views

app_name = "agents"

urlpatterns = [
    path("", views.agent_list, name="agent_list"),
    path("baru/", views.agent_create, name="agent_create"),
    path("lembaga/", views.institution_list, name="institution_list"),
    path("fee/", views.statement_list, name="statement_list"),
    path("fee/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("fee/<int:pk>/setujui/", views.statement_approve, name="statement_approve"),
    path("fee/<int:pk>/rekap.pdf", views.statement_pdf, name="statement_pdf"),
    path("ponsel/", views.phone, name="phone"),
    path("ponsel/token/", views.phone_token, name="phone_token"),
    path("foto-usulan/<int:pk>/<str:kind>/", views.proposal_photo, name="proposal_photo"),
    path("status/<int:pk>/putuskan/", views.status_decide, name="status_decide"),
    path("penugasan/<int:pk>/akhiri/", views.assignment_end, name="assignment_end"),
    path("<int:pk>/", views.agent_detail, name="agent_detail"),
    path("<int:pk>/ubah/", views.agent_edit, name="agent_edit"),
    path("<int:pk>/status/", views.status_request, name="status_request"),
    path("<int:pk>/penugasan/", views.assignment_add, name="assignment_add"),
    path("<int:pk>/pelatihan/", views.training_add, name="training_add"),
]
