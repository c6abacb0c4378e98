from django.urls import path

from fazhi.documents import delivery_views

urlpatterns = [
    path("<int:pk>/songda/", delivery_views.delivery_page, name="document_delivery"),
]
