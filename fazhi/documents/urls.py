from django.urls import path

from fazhi.documents import delivery_views, views

urlpatterns = [
    path("<int:pk>/songda/", delivery_views.delivery_page, name="document_delivery"),
    path("<int:pk>/huizheng/", views.document_receipt, name="document_receipt"),
]
