"""Events of training that higher apps act on (connected in their AppConfig.ready())."""

from django.dispatch import Signal

# A project's serving model changed: `project` and `version` (the ModelVersion now active, or
# None when the project went back to the deployment's default model). Sent after commit.
serving_model_changed = Signal()
