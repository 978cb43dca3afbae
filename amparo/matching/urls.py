from django.urls import path

from amparo.matching import views
from amparo.matching.views import check, config, jobs, review

app_name = "matching"

urlpatterns = [
    path("", views.index, name="index"),
    path("person-check/", check.person_check, name="person_check"),
    path("search/", check.search, name="search"),
    path("pairs/", review.pair_list, name="pair_list"),
    path("pairs/<int:pk>/", review.pair_detail, name="pair_detail"),
    path("merges/", review.merge_list, name="merge_list"),
    path("merges/<int:pk>/undo/", review.merge_undo, name="merge_undo"),
    path("duplicates/", jobs.dedupe_list, name="dedupe_list"),
    path("duplicates/<int:pk>/", jobs.dedupe_job, name="dedupe_job"),
    path("files/", jobs.file_list, name="file_list"),
    path("files/<int:pk>/", jobs.file_job, name="file_job"),
    path("files/<int:pk>/pairs.csv", jobs.file_download, name="file_download"),
    path("settings/<str:record_type>/", config.config_edit, name="config"),
    path("settings/<str:record_type>/calibration/", config.config_calibration, name="config_calibration"),
]
