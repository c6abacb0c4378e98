from django.urls import path

from fazhi.registers.legal_publicity import views

urlpatterns = [
    path("", views.duty_lists, name="publicity_duty_lists"),
    path("qingdan/<int:pk>/", views.duty_list_detail, name="publicity_duty_list"),
    path("qingdan/import/", views.duty_import, name="publicity_duty_import"),
    path("<str:table>/", views.table_page, name="publicity_table"),
    path("<str:table>/export.xlsx", views.table_export, name="publicity_table_export"),
]
