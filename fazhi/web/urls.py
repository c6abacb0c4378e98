from django.contrib.auth import views as auth_views
from django.urls import path

from fazhi.web import portal, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("r/<str:register>/", views.matter_list, name="matter_list"),
    path("r/<str:register>/new/", views.matter_new, name="matter_new"),
    path("r/<str:register>/export.xlsx", views.ledger_export_view, name="ledger_export"),
    path("r/<str:register>/template.xlsx", views.ledger_template_view, name="ledger_template"),
    path("r/<str:register>/import/", views.ledger_import_view, name="ledger_import"),
    path("r/<str:register>/<int:pk>/", views.matter_detail, name="matter_detail"),
    path("r/<str:register>/<int:pk>/do/<str:transition>/", views.matter_do, name="matter_do"),
    path("r/<str:register>/<int:pk>/amend/", views.matter_amend_view, name="matter_amend"),
    path("audit/", views.audit_page, name="audit"),
    path("gongkai/", portal.disclosure_apply, name="portal_apply"),
    path("gongkai/chaxun/", portal.disclosure_status, name="portal_status"),
    path("manage/import/", views.org_import, name="org_import"),
    path("manage/import/template/<str:kind>.xlsx", views.org_import_template, name="org_import_template"),
]
