from django.urls import path

from jamsos.contributions import views

app_name = "contributions"

urlpatterns = [
    path("", views.index, name="index"),
    path("tagihan/", views.bill_list, name="bill_list"),
    path("jalankan/", views.billing_run, name="billing_run"),
    path("tagihan/<int:pk>/", views.bill_detail, name="bill_detail"),
    path("tagihan/<int:pk>/terbitkan/", views.bill_issue, name="bill_issue"),
    path("tagihan/<int:pk>/bayar/", views.payment_create, name="payment_create"),
    path("tagihan/<int:pk>/rekonsiliasi/", views.bill_reconcile, name="bill_reconcile"),
    path("transparansi/", views.transparency, name="transparency"),
    path("transparansi/unduh/", views.transparency_export, name="transparency_export"),
    path("rekonsiliasi/", views.statement_list, name="statement_list"),
    path("rekonsiliasi/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("selisih/<int:pk>/selesai/", views.discrepancy_resolve, name="discrepancy_resolve"),
    path("tunggakan/", views.arrears, name="arrears"),
    path(
        "kepesertaan/<int:pk>/aktifkan/",
        views.membership_reactivate,
        name="membership_reactivate",
    ),
]
