from django.urls import path

from amparo.exchange.runac import province_views, views

app_name = "exchange"

urlpatterns = [
    path("", views.home, name="runac_home"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/upload/", views.delivery_upload, name="delivery_upload"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:pk>/status/", views.delivery_status, name="delivery_status"),
    path("deliveries/<int:pk>/report.xlsx", views.delivery_report, name="delivery_report"),
    path("deliveries/<int:pk>/<str:unit>/", views.delivery_records, name="delivery_records"),
    path("records/<str:unit>/<int:pk>/", views.record_detail, name="record_detail"),
    path("corrections/", views.correction_list, name="correction_list"),
    path("corrections/<int:pk>/acknowledge/", views.correction_acknowledge, name="correction_acknowledge"),
    path("tables/", views.table_list, name="table_list"),
    path("tables/<str:code>/", views.table_detail, name="table_detail"),
    path("tables/<str:code>/upload/", views.table_upload, name="table_upload"),
    path("tables/<str:code>/entry/", views.table_entry, name="table_entry"),
    path("tables/<str:code>/v<int:version>/", views.table_version, name="table_version"),
    path("tables/<str:code>/export.csv", views.table_export, name="table_export"),
    path("indicators/", views.indicator_page, name="indicators"),
    path("indicators/export.<str:fmt>", views.indicator_export, name="indicator_export"),
    path("jurisdictions/", views.jurisdiction_list, name="jurisdiction_list"),
    path("province/", province_views.delivery_page, name="province_delivery"),
    path("province/download/", province_views.delivery_download, name="province_download"),
    path("province/<str:code>/equivalences/", province_views.equivalences_page, name="province_equivalences"),
    path(
        "province/<str:code>/equivalences/upload/",
        province_views.equivalences_upload,
        name="province_equivalences_upload",
    ),
]
