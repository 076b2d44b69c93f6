from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "jamsos.budget"
    verbose_name = "Anggaran"
