from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "amparo.common"
    label = "common"
