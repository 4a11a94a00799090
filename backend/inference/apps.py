from django.apps import AppConfig


class InferenceConfig(AppConfig):
    name = "backend.inference"
    label = "inference"
