from django.contrib import admin
from django.urls import include, path

from fazhi.api.urls import api

admin.site.site_header = "法治政府建设管理平台 · 后台"
admin.site.site_title = "Fazhi 后台"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("fazhi.web.urls")),
]
