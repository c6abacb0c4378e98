from django.urls import path

from fazhi.registers.law_study import views

urlpatterns = [
    path("", views.study_page, name="law_study"),
    path("<str:kind>/import/", views.study_import, name="law_study_import"),
    path("<str:kind>/export.xlsx", views.study_export, name="law_study_export"),
    path("<str:kind>/template.xlsx", views.study_template, name="law_study_template"),
]
